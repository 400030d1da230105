import { useId, useState } from "react";
import { callCoffer } from "../../api/index.js";
import { ErrorAlert, StatusMessage } from "../../components/error-alert.js";
import { StackedTable } from "../../components/stacked-table.js";
import { AccessLink, goToAccess } from "./access-links.js";
import { InlinePolicies, PolicyTextEditor, pretty } from "./policy-editor.js";
import { Tags } from "./tags.js";
import { formatDate, useAction, useLoad } from "./use-call.js";

interface Role {
  RoleName: string;
  Arn: string;
  CreateDate: number;
  AssumeRolePolicyDocument?: string;
  MaxSessionDuration?: number;
  Description?: string;
  Tags?: { Key: string; Value: string }[];
}

const exampleTrustPolicy = JSON.stringify(
  {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::123456789012:user/ci" },
        Action: "sts:AssumeRole",
      },
    ],
  },
  null,
  2,
);

/** Roles: list and create (name, description, trust policy). */
export function RolesList() {
  const roles = useLoad(
    (signal) => callCoffer<{ Roles: Role[] }>("ListRoles", {}, { signal }).then((r) => r.Roles),
    [],
  );
  const action = useAction();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const id = useId();
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Roles</h2>
      <ErrorAlert error={roles.error} context="Roles" />
      {roles.data && roles.data.length === 0 ? <p>No roles.</p> : null}
      {roles.data && roles.data.length > 0 ? (
        <StackedTable
          rows={roles.data}
          rowKey={(role) => role.Arn}
          columns={[
            {
              label: "Role",
              cell: (role) => <AccessLink to={{ role: role.RoleName }}>{role.RoleName}</AccessLink>,
            },
            { label: "Description", cell: (role) => role.Description ?? "" },
            { label: "Created", cell: (role) => formatDate(role.CreateDate) },
          ]}
        />
      ) : null}
      <div className="panel">
        <h3>Create role</h3>
        <div className="row">
          <div className="field">
            <label htmlFor={`${id}-name`}>Role name</label>
            <input id={`${id}-name`} value={name} onChange={(event) => setName(event.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-description`}>Description (optional)</label>
            <input
              id={`${id}-description`}
              value={description}
              onChange={(event) => setDescription(event.target.value)}
            />
          </div>
        </div>
        <PolicyTextEditor
          label="Trust policy (who may assume the role)"
          initial={exampleTrustPolicy}
          saveLabel="Create role"
          busy={action.busy || name.trim() === ""}
          onSave={(document) => {
            const roleName = name.trim();
            void action
              .run(async () => {
                await callCoffer("CreateRole", {
                  RoleName: roleName,
                  AssumeRolePolicyDocument: document,
                  ...(description.trim() !== "" ? { Description: description.trim() } : {}),
                });
                return `Created role ${roleName}.`;
              })
              .then((ok) => ok && goToAccess({ role: roleName }));
          }}
        />
        <ErrorAlert error={action.error} context="Create role" />
        {action.status ? <StatusMessage>{action.status}</StatusMessage> : null}
      </div>
    </section>
  );
}

/** One role: facts, trust policy, tags, inline policies, delete. */
export function RoleDetail(props: { name: string }) {
  const role = useLoad(
    (signal) =>
      callCoffer<{ Role: Role }>("GetRole", { RoleName: props.name }, { signal }).then((r) => r.Role),
    [props.name],
  );
  const trust = useAction();
  const remove = useAction();
  const id = useId();
  return (
    <section aria-labelledby={`${id}-title`}>
      <p>
        <AccessLink to={{ tab: "roles" }}>← All roles</AccessLink>
      </p>
      <h2 id={`${id}-title`}>Role {props.name}</h2>
      <ErrorAlert error={role.error} context="Role" />
      {role.data ? (
        <>
          <dl className="facts">
            <dt>ARN</dt>
            <dd>
              <code>{role.data.Arn}</code>
            </dd>
            <dt>Description</dt>
            <dd>{role.data.Description ?? "—"}</dd>
            <dt>Created</dt>
            <dd>{formatDate(role.data.CreateDate)}</dd>
            <dt>Maximum session</dt>
            <dd>{role.data.MaxSessionDuration !== undefined ? `${role.data.MaxSessionDuration} s` : "—"}</dd>
          </dl>
          <h3>Trust policy</h3>
          <PolicyTextEditor
            key={role.data.AssumeRolePolicyDocument}
            label="Trust policy (JSON)"
            initial={pretty(role.data.AssumeRolePolicyDocument)}
            saveLabel="Save trust policy"
            busy={trust.busy}
            onSave={(document) =>
              void trust
                .run(async () => {
                  await callCoffer("UpdateAssumeRolePolicy", {
                    RoleName: props.name,
                    PolicyDocument: document,
                  });
                  return "Saved the trust policy.";
                })
                .then((ok) => ok && role.reload())
            }
          />
          <ErrorAlert error={trust.error} context="Trust policy" />
          {trust.status ? <StatusMessage>{trust.status}</StatusMessage> : null}
          <Tags
            tags={role.data.Tags ?? []}
            onAdd={(tag) =>
              callCoffer("TagRole", { RoleName: props.name, Tags: [tag] }).then(() => role.reload())
            }
            onRemove={(key) =>
              callCoffer("UntagRole", { RoleName: props.name, TagKeys: [key] }).then(() => role.reload())
            }
          />
          <InlinePolicies kind="role" name={props.name} />
          <h3>Delete role</h3>
          <ErrorAlert error={remove.error} context="Delete role" />
          <button
            type="button"
            className="danger"
            disabled={remove.busy}
            onClick={() => {
              if (!window.confirm(`Delete role ${props.name}? Its sessions end.`)) return;
              void remove
                .run(async () => {
                  await callCoffer("DeleteRole", { RoleName: props.name });
                  return undefined;
                })
                .then((ok) => ok && goToAccess({ tab: "roles" }));
            }}
          >
            Delete role {props.name}
          </button>
        </>
      ) : null}
    </section>
  );
}
