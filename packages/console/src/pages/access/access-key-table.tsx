import { callCoffer } from "../../api/index.js";
import { StackedTable } from "../../components/stacked-table.js";
import { type ActionState, formatDate } from "./use-call.js";
import type { AccessKeyMetadata } from "./user-types.js";

/**
 * A user's access keys with enable, disable, expire and delete. An existing key's expiry can't be
 * changed, so "Expire now" disables it.
 */
export function AccessKeyTable(props: {
  keys: AccessKeyMetadata[];
  action: ActionState;
  onChanged: () => void;
}) {
  return (
    <StackedTable
      rows={props.keys}
      rowKey={(key) => key.AccessKeyId}
      columns={[
        {
          label: "Access key ID",
          cell: (key) => (
            <>
              <code>{key.AccessKeyId}</code>
              {key.Temporary ? <span className="badge">temporary</span> : null}
            </>
          ),
        },
        {
          label: "Status",
          cell: (key) => (
            <span className={key.Status === "Active" ? "badge current" : "badge danger"}>{key.Status}</span>
          ),
        },
        { label: "Created", cell: (key) => formatDate(key.CreateDate) },
        {
          label: "Expires",
          cell: (key) => (key.Expiration !== undefined ? formatDate(key.Expiration) : "never"),
        },
        {
          label: "Last used",
          cell: (key) =>
            key.LastUsedDate !== undefined
              ? `${formatDate(key.LastUsedDate)}${key.LastUsedSourceIp ? ` from ${key.LastUsedSourceIp}` : ""}`
              : "never",
        },
        {
          label: "Actions",
          cell: (key) => (
            <AccessKeyActions accessKey={key} action={props.action} onChanged={props.onChanged} />
          ),
        },
      ]}
    />
  );
}

function AccessKeyActions(props: {
  accessKey: AccessKeyMetadata;
  action: ActionState;
  onChanged: () => void;
}) {
  const key = props.accessKey;
  const setStatus = (status: "Active" | "Inactive", note: string) =>
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
    <div className="actions">
      {key.Status === "Active" ? (
        <>
          <button
            type="button"
            disabled={props.action.busy}
            onClick={() => setStatus("Inactive", `Disabled ${key.AccessKeyId}.`)}
          >
            Disable<span className="visually-hidden"> {key.AccessKeyId}</span>
          </button>
          {key.Expiration === undefined ? (
            <button
              type="button"
              disabled={props.action.busy}
              title="An existing key's expiry can't be changed; expiring it now disables it."
              onClick={() => {
                if (!window.confirm(`Expire ${key.AccessKeyId} now? It is disabled at once.`)) return;
                setStatus(
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
          onClick={() => setStatus("Active", `Enabled ${key.AccessKeyId}.`)}
        >
          Enable<span className="visually-hidden"> {key.AccessKeyId}</span>
        </button>
      )}
      <button
        type="button"
        className="danger"
        disabled={props.action.busy}
        onClick={() => {
          if (!window.confirm(`Delete access key ${key.AccessKeyId}? Whoever uses it is locked out.`)) return;
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
  );
}
