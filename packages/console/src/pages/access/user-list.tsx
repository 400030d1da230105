import { useId, useState } from "react";
import { callCoffer } from "../../api/index.js";
import { ErrorAlert, StatusMessage } from "../../components/error-alert.js";
import { StackedTable } from "../../components/stacked-table.js";
import { AccessLink, goToAccess } from "./access-links.js";
import { formatDate, useAction, useLoad } from "./use-call.js";
import type { User } from "./user-types.js";

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
        <StackedTable
          rows={users.data}
          rowKey={(user) => user.Arn}
          columns={[
            {
              label: "User",
              cell: (user) => <AccessLink to={{ user: user.UserName }}>{user.UserName}</AccessLink>,
            },
            { label: "ARN", cell: (user) => <code>{user.Arn}</code> },
            { label: "Created", cell: (user) => formatDate(user.CreateDate) },
            {
              label: "Tags",
              cell: (user) =>
                (user.Tags ?? []).map((tag) => (
                  <span className="badge" key={tag.Key}>
                    {tag.Key}={tag.Value}
                  </span>
                )),
            },
          ]}
        />
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
