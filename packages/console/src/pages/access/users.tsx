import { useId, useState } from "react";
import { callCoffer } from "../../api/index.js";
import { ErrorAlert, StatusMessage } from "../../components/error-alert.js";
import { AccessLink, goToAccess } from "./access-links.js";
import { ForceOffer } from "./force-offer.js";
import { InlinePolicies } from "./policy-editor.js";
import { formatDate, useAction, useLoad } from "./use-call.js";
import "../../charts/data-table.css";

interface Tag {
  Key: string;
  Value: string;
}

interface User {
  UserName: string;
  Arn: string;
  CreateDate: number;
  Tags?: Tag[];
}

interface AccessKeyMetadata {
  UserName: string;
  AccessKeyId: string;
  Status: "Active" | "Inactive";
  CreateDate: number;
  Expiration?: number;
  LastUsedDate?: number;
  LastUsedSourceIp?: string;
  Temporary?: boolean;
}

interface NewAccessKey {
  AccessKeyId: string;
  SecretAccessKey: string;
  Expiration?: number;
}

/** Users: list and create. */
export function UsersList() {
  const users = useLoad(
    (signal) => callCoffer<{ Users: User[] }>("ListUsers", {}, { signal }).then((r) => r.Users),
    [],
  );
  const action = useAction();
  const [name, setName] = useState("");
  const [tagKey, setTagKey] = useState("");
  const [tagValue, setTagValue] = useState("");
  const id = useId();
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Users</h2>
      <ErrorAlert error={users.error} context="Users" />
      {users.data && users.data.length === 0 ? <p>No users.</p> : null}
      {users.data && users.data.length > 0 ? (
        <div className="table-wrap">
          <table className="stack">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">ARN</th>
                <th scope="col">Created</th>
                <th scope="col">Tags</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((user) => (
                <tr key={user.Arn}>
                  <td data-label="User">
                    <AccessLink to={{ user: user.UserName }}>{user.UserName}</AccessLink>
                  </td>
                  <td data-label="ARN">
                    <code>{user.Arn}</code>
                  </td>
                  <td data-label="Created">{formatDate(user.CreateDate)}</td>
                  <td data-label="Tags">
                    {(user.Tags ?? []).map((tag) => (
                      <span className="badge" key={tag.Key}>
                        {tag.Key}={tag.Value}
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <form
        className="panel"
        aria-labelledby={`${id}-create`}
        onSubmit={(event) => {
          event.preventDefault();
          const userName = name.trim();
          void action
            .run(async () => {
              await callCoffer("CreateUser", {
                UserName: userName,
                ...(tagKey.trim() !== "" ? { Tags: [{ Key: tagKey.trim(), Value: tagValue }] } : {}),
              });
              return `Created user ${userName}.`;
            })
            .then((ok) => {
              if (ok) {
                setName("");
                setTagKey("");
                setTagValue("");
                goToAccess({ user: userName });
              }
            });
        }}
      >
        <h3 id={`${id}-create`}>Create user</h3>
        <div className="row">
          <div className="field">
            <label htmlFor={`${id}-name`}>User name</label>
            <input
              id={`${id}-name`}
              required
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-tag-key`}>Tag key (optional)</label>
            <input id={`${id}-tag-key`} value={tagKey} onChange={(event) => setTagKey(event.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-tag-value`}>Tag value</label>
            <input
              id={`${id}-tag-value`}
              value={tagValue}
              onChange={(event) => setTagValue(event.target.value)}
            />
          </div>
          <button type="submit" className="primary" disabled={action.busy || name.trim() === ""}>
            Create user
          </button>
        </div>
        <ErrorAlert error={action.error} context="Create user" />
        {action.status ? <StatusMessage>{action.status}</StatusMessage> : null}
      </form>
    </section>
  );
}

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

export function Tags(props: {
  tags: Tag[];
  onAdd: (tag: Tag) => Promise<unknown>;
  onRemove: (key: string) => Promise<unknown>;
}) {
  const action = useAction();
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const id = useId();
  return (
    <section aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Tags</h3>
      {props.tags.length === 0 ? <p>No tags.</p> : null}
      {props.tags.length > 0 ? (
        <ul>
          {props.tags.map((tag) => (
            <li key={tag.Key}>
              <code>{tag.Key}</code> = <code>{tag.Value}</code>{" "}
              <button
                type="button"
                className="link"
                disabled={action.busy}
                onClick={() =>
                  void action.run(async () => {
                    await props.onRemove(tag.Key);
                    return `Removed tag ${tag.Key}.`;
                  })
                }
              >
                Remove<span className="visually-hidden"> tag {tag.Key}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <form
        className="row"
        onSubmit={(event) => {
          event.preventDefault();
          const tag = { Key: key.trim(), Value: value };
          void action
            .run(async () => {
              await props.onAdd(tag);
              return `Tagged ${tag.Key}.`;
            })
            .then((ok) => {
              if (ok) {
                setKey("");
                setValue("");
              }
            });
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-key`}>New tag key</label>
          <input id={`${id}-key`} required value={key} onChange={(event) => setKey(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-value`}>New tag value</label>
          <input id={`${id}-value`} value={value} onChange={(event) => setValue(event.target.value)} />
        </div>
        <button type="submit" disabled={action.busy || key.trim() === ""}>
          Add tag
        </button>
      </form>
      <ErrorAlert error={action.error} context="Tags" />
      {action.status ? <StatusMessage>{action.status}</StatusMessage> : null}
    </section>
  );
}

/**
 * A user's access keys. A new key's secret is shown once, here, until dismissed; it is never
 * fetched again (the server keeps only what verifies it). The admin API sets an expiry when a key is
 * created (ExpiresInSeconds); an existing key is expired by disabling it.
 */
function AccessKeys(props: { userName: string }) {
  const keys = useLoad(
    (signal) =>
      callCoffer<{ AccessKeyMetadata: AccessKeyMetadata[] }>(
        "ListAccessKeys",
        { UserName: props.userName },
        { signal },
      ).then((r) => r.AccessKeyMetadata),
    [props.userName],
  );
  const action = useAction();
  const [expiryDays, setExpiryDays] = useState("");
  const [created, setCreated] = useState<NewAccessKey>();
  const [copied, setCopied] = useState<string>();
  const id = useId();
  const days = expiryDays.trim() === "" ? undefined : Number(expiryDays);
  const daysInvalid = days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650);

  const setStatus = (key: AccessKeyMetadata, status: "Active" | "Inactive", note: string) =>
    void action.runForceable(
      `${status === "Active" ? "Enable" : "Disable"} ${key.AccessKeyId}`,
      async (force) => {
        await callCoffer("UpdateAccessKey", {
          AccessKeyId: key.AccessKeyId,
          Status: status,
          ...(force ? { Force: true } : {}),
        });
        return note;
      },
      keys.reload,
    );

  return (
    <section aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Access keys</h3>
      <ErrorAlert error={keys.error} context="Access keys" />
      <ErrorAlert error={action.error} />
      <ForceOffer action={action} />
      {action.status ? <StatusMessage>{action.status}</StatusMessage> : null}
      {created ? (
        <section className="one-time-secret" aria-label="New access key">
          <p>
            <strong>Copy the secret access key now.</strong> It is shown this once and can't be retrieved
            again; if it is lost, create another key and delete this one.
          </p>
          <dl className="facts">
            <dt>Access key ID</dt>
            <dd>
              <code>{created.AccessKeyId}</code>
            </dd>
            <dt>Secret access key</dt>
            <dd>
              <code data-testid="new-secret-access-key">{created.SecretAccessKey}</code>
            </dd>
            {created.Expiration !== undefined ? (
              <>
                <dt>Expires</dt>
                <dd>{formatDate(created.Expiration)}</dd>
              </>
            ) : null}
          </dl>
          <div className="actions">
            <button
              type="button"
              onClick={() =>
                void navigator.clipboard.writeText(created.SecretAccessKey).then(
                  () => setCopied("Secret access key copied to the clipboard."),
                  () => setCopied("Copying failed: select the key and copy it yourself."),
                )
              }
            >
              Copy secret access key
            </button>
            <button
              type="button"
              className="primary"
              onClick={() => {
                setCreated(undefined);
                setCopied(undefined);
              }}
            >
              I have saved it — hide it
            </button>
          </div>
          {copied ? <StatusMessage>{copied}</StatusMessage> : null}
        </section>
      ) : null}
      {keys.data && keys.data.length === 0 ? <p>No access keys.</p> : null}
      {keys.data && keys.data.length > 0 ? (
        <div className="table-wrap">
          <table className="stack">
            <thead>
              <tr>
                <th scope="col">Access key ID</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {keys.data.map((key) => (
                <tr key={key.AccessKeyId}>
                  <td data-label="Access key ID">
                    <code>{key.AccessKeyId}</code>
                    {key.Temporary ? <span className="badge">temporary</span> : null}
                  </td>
                  <td data-label="Status">
                    <span className={key.Status === "Active" ? "badge current" : "badge danger"}>
                      {key.Status}
                    </span>
                  </td>
                  <td data-label="Created">{formatDate(key.CreateDate)}</td>
                  <td data-label="Expires">
                    {key.Expiration !== undefined ? formatDate(key.Expiration) : "never"}
                  </td>
                  <td data-label="Last used">
                    {key.LastUsedDate !== undefined
                      ? `${formatDate(key.LastUsedDate)}${key.LastUsedSourceIp ? ` from ${key.LastUsedSourceIp}` : ""}`
                      : "never"}
                  </td>
                  <td data-label="Actions">
                    <div className="actions">
                      {key.Status === "Active" ? (
                        <>
                          <button
                            type="button"
                            disabled={action.busy}
                            onClick={() => setStatus(key, "Inactive", `Disabled ${key.AccessKeyId}.`)}
                          >
                            Disable<span className="visually-hidden"> {key.AccessKeyId}</span>
                          </button>
                          {key.Expiration === undefined ? (
                            <button
                              type="button"
                              disabled={action.busy}
                              title="An existing key's expiry can't be changed; expiring it now disables it."
                              onClick={() => {
                                if (!window.confirm(`Expire ${key.AccessKeyId} now? It is disabled at once.`))
                                  return;
                                setStatus(
                                  key,
                                  "Inactive",
                                  `Expired ${key.AccessKeyId}: disabled on ${new Date().toLocaleString()}.`,
                                );
                              }}
                            >
                              Expire now<span className="visually-hidden"> {key.AccessKeyId}</span>
                            </button>
                          ) : null}
                        </>
                      ) : (
                        <button
                          type="button"
                          disabled={action.busy}
                          onClick={() => setStatus(key, "Active", `Enabled ${key.AccessKeyId}.`)}
                        >
                          Enable<span className="visually-hidden"> {key.AccessKeyId}</span>
                        </button>
                      )}
                      <button
                        type="button"
                        className="danger"
                        disabled={action.busy}
                        onClick={() => {
                          if (
                            !window.confirm(
                              `Delete access key ${key.AccessKeyId}? Whoever uses it is locked out.`,
                            )
                          )
                            return;
                          void action.runForceable(
                            `Delete ${key.AccessKeyId}`,
                            async (force) => {
                              await callCoffer("DeleteAccessKey", {
                                AccessKeyId: key.AccessKeyId,
                                ...(force ? { Force: true } : {}),
                              });
                              return `Deleted ${key.AccessKeyId}.`;
                            },
                            keys.reload,
                          );
                        }}
                      >
                        Delete<span className="visually-hidden"> {key.AccessKeyId}</span>
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <form
        className="row"
        onSubmit={(event) => {
          event.preventDefault();
          void action
            .run(async () => {
              const reply = await callCoffer<{ AccessKey: NewAccessKey }>("CreateAccessKey", {
                UserName: props.userName,
                ...(days !== undefined ? { ExpiresInSeconds: days * 86_400 } : {}),
              });
              setCreated(reply.AccessKey);
              setExpiryDays("");
              return `Created access key ${reply.AccessKey.AccessKeyId}.`;
            })
            .then((ok) => ok && keys.reload());
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-days`}>
            Expires after (days) <span className="hint">optional; empty = never</span>
          </label>
          <input
            id={`${id}-days`}
            inputMode="numeric"
            value={expiryDays}
            aria-invalid={daysInvalid}
            aria-describedby={`${id}-days-problem`}
            onChange={(event) => setExpiryDays(event.target.value)}
          />
          <span id={`${id}-days-problem`} className="hint" aria-live="polite">
            {daysInvalid ? "A whole number of days from 1 to 3650." : ""}
          </span>
        </div>
        <button type="submit" className="primary" disabled={action.busy || daysInvalid}>
          Create access key
        </button>
      </form>
    </section>
  );
}
