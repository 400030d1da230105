import { useId, useState } from "react";
import { callCoffer } from "../../api/index.js";
import { ErrorAlert, StatusMessage } from "../../components/error-alert.js";
import { FormActions } from "../../components/form-actions.js";
import { ForceOffer } from "./force-offer.js";
import { useAction, useLoad } from "./use-call.js";

/** Problems a policy document has before the server sees it (the server validates it again). */
export function policyProblems(text: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return [`Not valid JSON: ${error instanceof Error ? error.message : String(error)}`];
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return ["A policy is a JSON object."];
  const problems: string[] = [];
  const record = doc as Record<string, unknown>;
  if (record.Version !== undefined && record.Version !== "2012-10-17" && record.Version !== "2008-10-17") {
    problems.push('Version should be "2012-10-17".');
  }
  const statements = Array.isArray(record.Statement) ? record.Statement : [record.Statement];
  if (record.Statement === undefined) problems.push("A policy needs a Statement.");
  else {
    statements.forEach((statement, index) => {
      const label = `Statement ${index + 1}`;
      if (!statement || typeof statement !== "object") {
        problems.push(`${label} is not an object.`);
        return;
      }
      const s = statement as Record<string, unknown>;
      if (s.Effect !== "Allow" && s.Effect !== "Deny")
        problems.push(`${label}: Effect must be "Allow" or "Deny".`);
      if (s.Action === undefined && s.NotAction === undefined)
        problems.push(`${label}: needs Action or NotAction.`);
    });
  }
  return problems;
}

const examplePolicy = JSON.stringify(
  {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadOneSecret",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: "arn:aws:secretsmanager:*:*:secret:my-secret-*",
      },
    ],
  },
  null,
  2,
);

/** A JSON policy textarea with validation as you type; `onSave` gets the text once it parses. */
export function PolicyTextEditor(props: {
  label: string;
  initial: string;
  saveLabel: string;
  busy: boolean;
  onSave: (document: string) => void;
  onCancel?: () => void;
}) {
  const id = useId();
  const [text, setText] = useState(props.initial);
  const problems = policyProblems(text);
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (problems.length === 0) props.onSave(text);
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-doc`}>{props.label}</label>
        <textarea
          id={`${id}-doc`}
          className="code"
          spellCheck={false}
          value={text}
          onChange={(event) => setText(event.target.value)}
          aria-describedby={`${id}-problems`}
          aria-invalid={problems.length > 0}
        />
      </div>
      <div id={`${id}-problems`} aria-live="polite">
        {problems.length > 0 ? (
          <ul className="alert alert-error">
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        ) : (
          <p className="hint">The document is valid JSON with a statement; the server checks it again.</p>
        )}
      </div>
      <FormActions
        saveLabel={props.saveLabel}
        disabled={props.busy || problems.length > 0}
        onCancel={props.onCancel}
      />
    </form>
  );
}

/** Inline policies of a user or a role: list, view, edit, add, delete. */
export function InlinePolicies(props: { kind: "user" | "role"; name: string }) {
  const ops =
    props.kind === "user"
      ? {
          list: "ListUserPolicies",
          get: "GetUserPolicy",
          put: "PutUserPolicy",
          del: "DeleteUserPolicy",
          key: "UserName",
        }
      : {
          list: "ListRolePolicies",
          get: "GetRolePolicy",
          put: "PutRolePolicy",
          del: "DeleteRolePolicy",
          key: "RoleName",
        };
  const list = useLoad(
    (signal) =>
      callCoffer<{ PolicyNames: string[] }>(ops.list, { [ops.key]: props.name }, { signal }).then(
        (r) => r.PolicyNames,
      ),
    [props.kind, props.name],
  );
  const [open, setOpen] = useState<string>();
  const [adding, setAdding] = useState(false);
  const [newName, setNewName] = useState("");
  const action = useAction();
  const id = useId();

  // A user's policy change may be refused as a lockout of the administrators; only it takes Force.
  const forceInput = (force: boolean) => (props.kind === "user" && force ? { Force: true } : {});
  const save = (policyName: string, document: string) =>
    action.runForceable(
      `Save policy ${policyName}`,
      async (force) => {
        await callCoffer(ops.put, {
          [ops.key]: props.name,
          PolicyName: policyName,
          PolicyDocument: document,
          ...forceInput(force),
        });
        return `Saved policy ${policyName}.`;
      },
      () => {
        setAdding(false);
        setNewName("");
        list.reload();
      },
    );

  return (
    <section aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Inline policies</h3>
      <ErrorAlert error={list.error} context="Inline policies" />
      <ErrorAlert error={action.error} />
      <ForceOffer action={action} />
      {action.status ? <StatusMessage>{action.status}</StatusMessage> : null}
      {list.data && list.data.length === 0 ? <p>No inline policies.</p> : null}
      {list.data && list.data.length > 0 ? (
        <ul>
          {list.data.map((policyName) => (
            <li key={policyName}>
              <code>{policyName}</code>{" "}
              <span className="actions inline">
                <button
                  type="button"
                  className="link"
                  aria-expanded={open === policyName}
                  onClick={() => setOpen(open === policyName ? undefined : policyName)}
                >
                  {open === policyName ? "Close" : "View or edit"}
                  <span className="visually-hidden"> {policyName}</span>
                </button>
                <button
                  type="button"
                  className="link"
                  disabled={action.busy}
                  onClick={() => {
                    if (!window.confirm(`Delete inline policy ${policyName} of ${props.name}?`)) return;
                    void action.runForceable(
                      `Delete policy ${policyName}`,
                      async (force) => {
                        await callCoffer(ops.del, {
                          [ops.key]: props.name,
                          PolicyName: policyName,
                          ...forceInput(force),
                        });
                        return `Deleted policy ${policyName}.`;
                      },
                      list.reload,
                    );
                  }}
                >
                  Delete<span className="visually-hidden"> {policyName}</span>
                </button>
              </span>
              {open === policyName ? (
                <PolicyView
                  get={ops.get}
                  input={{ [ops.key]: props.name, PolicyName: policyName }}
                  busy={action.busy}
                  onSave={(document) => void save(policyName, document)}
                />
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {adding ? (
        <div className="panel">
          <div className="field">
            <label htmlFor={`${id}-new-name`}>Policy name</label>
            <input
              id={`${id}-new-name`}
              value={newName}
              onChange={(event) => setNewName(event.target.value)}
            />
          </div>
          <PolicyTextEditor
            label="Policy document (JSON)"
            initial={examplePolicy}
            saveLabel="Add policy"
            busy={action.busy || newName.trim() === ""}
            onSave={(document) => void save(newName.trim(), document)}
            onCancel={() => setAdding(false)}
          />
        </div>
      ) : (
        <button type="button" onClick={() => setAdding(true)}>
          Add inline policy
        </button>
      )}
    </section>
  );
}

function PolicyView(props: {
  get: string;
  input: object;
  busy: boolean;
  onSave: (document: string) => void;
}) {
  const policy = useLoad(
    (signal) => callCoffer<{ PolicyDocument: string }>(props.get, props.input, { signal }),
    [props.get, JSON.stringify(props.input)],
  );
  if (policy.error) return <ErrorAlert error={policy.error} />;
  if (!policy.data) return <p>Loading…</p>;
  return (
    <PolicyTextEditor
      label="Policy document (JSON)"
      initial={pretty(policy.data.PolicyDocument)}
      saveLabel="Save policy"
      busy={props.busy}
      onSave={props.onSave}
    />
  );
}

export function pretty(document: string | undefined): string {
  if (document === undefined) return "";
  try {
    return JSON.stringify(JSON.parse(document), null, 2);
  } catch {
    return document;
  }
}
