import { useEffect, useState } from "react";
import { callSecretsManager } from "../../api/client.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { Link, secretPath } from "../../router.js";

interface SecretListEntry {
  ARN: string;
  Name: string;
  Description?: string;
  LastChangedDate?: number;
  DeletedDate?: number;
}

/** The secrets list (search, filters and paging come in the secrets pages step). */
export function SecretsListPage() {
  const [secrets, setSecrets] = useState<SecretListEntry[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    const abort = new AbortController();
    callSecretsManager<{ SecretList: SecretListEntry[] }>(
      "ListSecrets",
      { MaxResults: 50 },
      { signal: abort.signal },
    )
      .then((reply) => setSecrets(reply.SecretList))
      .catch((failure) => abort.signal.aborted || setError(failure));
    return () => abort.abort();
  }, []);
  return (
    <section aria-labelledby="secrets-title">
      <div className="page-head">
        <h1 id="secrets-title">Secrets</h1>
        <Link to="/secrets/new" className="button primary">
          Create secret
        </Link>
      </div>
      <ErrorAlert error={error} />
      {secrets === undefined && error === undefined ? <p>Loading…</p> : null}
      {secrets?.length === 0 ? <p>No secrets yet. Create one to get started.</p> : null}
      {secrets && secrets.length > 0 ? (
        <ul>
          {secrets.map((secret) => (
            <li key={secret.ARN}>
              <Link to={secretPath(secret.Name)}>{secret.Name}</Link>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
