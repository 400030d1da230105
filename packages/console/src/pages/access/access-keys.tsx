import { useId, useState } from "react";
import { callCoffer } from "../../api/index.js";
import { ErrorAlert, StatusMessage } from "../../components/error-alert.js";
import { AccessKeyTable } from "./access-key-table.js";
import { CreateAccessKeyForm } from "./create-access-key-form.js";
import { ForceOffer } from "./force-offer.js";
import { NewAccessKeySecret } from "./new-access-key.js";
import { useAction, useLoad } from "./use-call.js";
import type { AccessKeyMetadata, NewAccessKey } from "./user-types.js";

/**
 * A user's access keys. A new key's secret is shown once, here, until dismissed; it is never
 * fetched again (the server keeps only what verifies it). The admin API sets an expiry when a key is
 * created (ExpiresInSeconds); an existing key is expired by disabling it.
 */
export function AccessKeys(props: { userName: string }) {
  const keys = useLoad(
    (signal) =>
      callCoffer<{ AccessKeyMetadata: AccessKeyMetadata[] }>(
        "ListAccessKeys",
        { UserName: props.userName },
        { signal },
      ).then((r) => r.AccessKeyMetadata),
    [props.userName],
  );
  // One action for the table and the form: one place shows its error, its Force offer and its status.
  const action = useAction();
  const [created, setCreated] = useState<NewAccessKey>();
  const id = useId();

  return (
    <section aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Access keys</h3>
      <ErrorAlert error={keys.error} context="Access keys" />
      <ErrorAlert error={action.error} />
      <ForceOffer action={action} />
      {action.status ? <StatusMessage>{action.status}</StatusMessage> : null}
      {created ? <NewAccessKeySecret accessKey={created} onDismiss={() => setCreated(undefined)} /> : null}
      {keys.data && keys.data.length === 0 ? <p>No access keys.</p> : null}
      {keys.data && keys.data.length > 0 ? (
        <AccessKeyTable keys={keys.data} action={action} onChanged={keys.reload} />
      ) : null}
      <CreateAccessKeyForm
        userName={props.userName}
        action={action}
        onCreated={setCreated}
        onChanged={keys.reload}
      />
    </section>
  );
}
