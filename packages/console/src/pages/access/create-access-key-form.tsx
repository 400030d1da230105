import { useId, useState } from "react";
import { callCoffer } from "../../api/index.js";
import type { ActionState } from "./use-call.js";
import type { NewAccessKey } from "./user-types.js";

/** Creates an access key for the user, with an optional expiry in days (the admin API's ExpiresInSeconds). */
export function CreateAccessKeyForm(props: {
  userName: string;
  action: ActionState;
  onCreated: (key: NewAccessKey) => void;
  onChanged: () => void;
}) {
  const [expiryDays, setExpiryDays] = useState("");
  const id = useId();
  const days = expiryDays.trim() === "" ? undefined : Number(expiryDays);
  const daysInvalid = days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650);
  return (
    <form
      className="row"
      onSubmit={(event) => {
        event.preventDefault();
        void props.action
          .run(async () => {
            const reply = await callCoffer<{ AccessKey: NewAccessKey }>("CreateAccessKey", {
              UserName: props.userName,
              ...(days !== undefined ? { ExpiresInSeconds: days * 86_400 } : {}),
            });
            props.onCreated(reply.AccessKey);
            setExpiryDays("");
            return `Created access key ${reply.AccessKey.AccessKeyId}.`;
          })
          .then((ok) => ok && props.onChanged());
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
      <button type="submit" className="primary" disabled={props.action.busy || daysInvalid}>
        Create access key
      </button>
    </form>
  );
}
