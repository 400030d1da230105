import { type FormEvent, useState } from "react";
import { ErrorAlert } from "../components/error-alert.js";
import { signIn } from "../session/session-store.js";

/**
 * Sign-in with an access key. The secret goes into memory only: it signs one GetSessionToken call
 * (and is then forgotten) or, for a key that may not make sessions, stays in memory until sign-out.
 */
export function SignInPage(props: { reason?: string | undefined; region: string; version: string }) {
  const [accessKeyId, setAccessKeyId] = useState("");
  const [secretAccessKey, setSecretAccessKey] = useState("");
  const [sessionToken, setSessionToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn({ accessKeyId, secretAccessKey, sessionToken });
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in" tabIndex={-1}>
      <h1>Sign in to Coffer</h1>
      {props.reason ? (
        <p className="alert alert-info" role="status">
          {props.reason}
        </p>
      ) : null}
      <form onSubmit={submit} aria-describedby="sign-in-help" autoComplete="off">
        <div className="field">
          <label htmlFor="access-key-id">Access key ID</label>
          <input
            id="access-key-id"
            name="accessKeyId"
            value={accessKeyId}
            onChange={(event) => setAccessKeyId(event.target.value)}
            required
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <div className="field">
          <label htmlFor="secret-access-key">Secret access key</label>
          <input
            id="secret-access-key"
            name="secretAccessKey"
            type="password"
            value={secretAccessKey}
            onChange={(event) => setSecretAccessKey(event.target.value)}
            required
            autoComplete="off"
          />
        </div>
        <div className="field">
          <label htmlFor="session-token">
            Session token <span className="hint">(only for temporary credentials)</span>
          </label>
          <input
            id="session-token"
            name="sessionToken"
            type="password"
            value={sessionToken}
            onChange={(event) => setSessionToken(event.target.value)}
            autoComplete="off"
          />
        </div>
        <ErrorAlert error={error} context="Sign-in failed" />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p id="sign-in-help" className="hint">
        Your key stays in this tab's memory: it is never stored, and closing or reloading the tab signs you
        out. Idle for 15 minutes, you are signed out. Region {props.region}
        {props.version ? `, Coffer ${props.version}` : ""}.
      </p>
    </main>
  );
}
