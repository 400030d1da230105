import { callCoffer } from "../../api/index.js";
import { type ActionState, formatDate } from "./use-call.js";
import type { AccessKeyMetadata } from "./user-types.js";
import "../../charts/data-table.css";

/**
 * A user's access keys with enable, disable, expire and delete. An existing key's expiry can't be
 * changed, so "Expire now" disables it.
 */
export function AccessKeyTable(props: {
  keys: AccessKeyMetadata[];
  action: ActionState;
  onChanged: () => void;
}) {
  const setStatus = (key: AccessKeyMetadata, status: "Active" | "Inactive", note: string) =>
    void props.action.runForceable(
      `${status === "Active" ? "Enable" : "Disable"} ${key.AccessKeyId}`,
      async (force) => {
        await callCoffer("UpdateAccessKey", {
          AccessKeyId: key.AccessKeyId,
          Status: status,
          ...(force ? { Force: true } : {}),
        });
        return note;
      },
      props.onChanged,
    );

  return (
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
          {props.keys.map((key) => (
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
                        disabled={props.action.busy}
                        onClick={() => setStatus(key, "Inactive", `Disabled ${key.AccessKeyId}.`)}
                      >
                        Disable<span className="visually-hidden"> {key.AccessKeyId}</span>
                      </button>
                      {key.Expiration === undefined ? (
                        <button
                          type="button"
                          disabled={props.action.busy}
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
                      disabled={props.action.busy}
                      onClick={() => setStatus(key, "Active", `Enabled ${key.AccessKeyId}.`)}
                    >
                      Enable<span className="visually-hidden"> {key.AccessKeyId}</span>
                    </button>
                  )}
                  <button
                    type="button"
                    className="danger"
                    disabled={props.action.busy}
                    onClick={() => {
                      if (
                        !window.confirm(
                          `Delete access key ${key.AccessKeyId}? Whoever uses it is locked out.`,
                        )
                      )
                        return;
                      void props.action.runForceable(
                        `Delete ${key.AccessKeyId}`,
                        async (force) => {
                          await callCoffer("DeleteAccessKey", {
                            AccessKeyId: key.AccessKeyId,
                            ...(force ? { Force: true } : {}),
                          });
                          return `Deleted ${key.AccessKeyId}.`;
                        },
                        props.onChanged,
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
  );
}
