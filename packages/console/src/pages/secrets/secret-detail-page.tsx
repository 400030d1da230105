import { useEffect, useState } from "react";
import { callSecretsManager } from "../../api/client.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { SecretAccessPanel } from "../access/secret-access-panel.js";

interface Description {
  ARN: string;
  Name: string;
  Description?: string;
}

/** One secret (the full page comes in the secrets pages step). */
export function SecretDetailPage(props: { name: string }) {
  const [secret, setSecret] = useState<Description | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    const abort = new AbortController();
    callSecretsManager<Description>("DescribeSecret", { SecretId: props.name }, { signal: abort.signal })
      .then(setSecret)
      .catch((failure) => abort.signal.aborted || setError(failure));
    return () => abort.abort();
  }, [props.name]);
  return (
    <section aria-labelledby="secret-title">
      <h1 id="secret-title">{props.name}</h1>
      <ErrorAlert error={error} />
      {secret ? <SecretAccessPanel secretArn={secret.ARN} secretName={secret.Name} /> : null}
    </section>
  );
}
