import { useId } from "react";
import { callCoffer } from "../../api/index.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { AccessKeys } from "./access-keys.js";
import { AccessLink, goToAccess } from "./access-links.js";
import { ForceOffer } from "./force-offer.js";
import { InlinePolicies } from "./policy-editor.js";
import { Tags } from "./tags.js";
import { formatDate, useAction, useLoad } from "./use-call.js";
import type { User } from "./user-types.js";

/** One user: facts, tags, access keys, inline policies, delete. */
export function UserDetail(props: { name: string }) {
  const user = useLoad(
    (signal) =>
      callCoffer<{ User: User }>("GetUser", { UserName: props.name }, { signal }).then((r) => r.User),
    [props.name],
  );
  const action = useAction();
  const id = useId();
  return (
    <section aria-labelledby={`${id}-title`}>
      <p>
        <AccessLink to={{ tab: "users" }}>← All users</AccessLink>
      </p>
      <h2 id={`${id}-title`}>User {props.name}</h2>
      <ErrorAlert error={user.error} context="User" />
      {user.data ? (
        <>
          <dl className="facts">
            <dt>ARN</dt>
            <dd>
              <code>{user.data.Arn}</code>
            </dd>
            <dt>Created</dt>
            <dd>{formatDate(user.data.CreateDate)}</dd>
          </dl>
          <Tags
            tags={user.data.Tags ?? []}
            onAdd={(tag) =>
              callCoffer("TagUser", { UserName: props.name, Tags: [tag] }).then(() => user.reload())
            }
            onRemove={(key) =>
              callCoffer("UntagUser", { UserName: props.name, TagKeys: [key] }).then(() => user.reload())
            }
          />
          <AccessKeys userName={props.name} />
          <InlinePolicies kind="user" name={props.name} />
          <h3>Delete user</h3>
          <p className="hint">Deletes the user, its access keys and its inline policies.</p>
          <ErrorAlert error={action.error} context="Delete user" />
          <ForceOffer action={action} />
          <button
            type="button"
            className="danger"
            disabled={action.busy}
            onClick={() => {
              if (!window.confirm(`Delete user ${props.name}, its access keys and policies?`)) return;
              void action.runForceable(
                `Delete user ${props.name}`,
                async (force) => {
                  await callCoffer("DeleteUser", { UserName: props.name, ...(force ? { Force: true } : {}) });
                  return undefined;
                },
                () => goToAccess({ tab: "users" }),
              );
            }}
          >
            Delete user {props.name}
          </button>
        </>
      ) : null}
    </section>
  );
}
