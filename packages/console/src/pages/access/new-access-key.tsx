import { useState } from "react";
import { StatusMessage } from "../../components/error-alert.js";
import { formatDate } from "./use-call.js";
import type { NewAccessKey } from "./user-types.js";

/**
 * A new key's secret, shown this once until dismissed: it is never fetched again (the server keeps
 * only what verifies it).
 */
export function NewAccessKeySecret(props: { accessKey: NewAccessKey; onDismiss: () => void }) {
  const [copied, setCopied] = useState<string>();
  return (
    <section className="one-time-secret" aria-label="New access key">
      <p>
        <strong>Copy the secret access key now.</strong> It is shown this once and can't be retrieved again;
        if it is lost, create another key and delete this one.
      </p>
      <dl className="facts">
        <dt>Access key ID</dt>
        <dd>
          <code>{props.accessKey.AccessKeyId}</code>
        </dd>
        <dt>Secret access key</dt>
        <dd>
          <code data-testid="new-secret-access-key">{props.accessKey.SecretAccessKey}</code>
        </dd>
        {props.accessKey.Expiration !== undefined ? (
          <>
            <dt>Expires</dt>
            <dd>{formatDate(props.accessKey.Expiration)}</dd>
          </>
        ) : null}
      </dl>
      <div className="actions">
        <button
          type="button"
          onClick={() =>
            void navigator.clipboard.writeText(props.accessKey.SecretAccessKey).then(
              () => setCopied("Secret access key copied to the clipboard."),
              () => setCopied("Copying failed: select the key and copy it yourself."),
            )
          }
        >
          Copy secret access key
        </button>
        <button type="button" className="primary" onClick={props.onDismiss}>
          I have saved it — hide it
        </button>
      </div>
      {copied ? <StatusMessage>{copied}</StatusMessage> : null}
    </section>
  );
}
