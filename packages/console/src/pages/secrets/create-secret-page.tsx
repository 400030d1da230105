import { useState } from "react";
import { callSecretsManager } from "../../api/client.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { ValueEditor } from "../../components/value-editor.js";
import { Link, navigate, secretPath } from "../../router.js";

/** CreateSecret: name, description, the value as key/value pairs or raw text, optional tags. */
export function CreateSecretPage() {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [tagKey, setTagKey] = useState("");
  const [tagValue, setTagValue] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  const save = async (secretString: string) => {
    setBusy(true);
    setError(undefined);
    try {
      const created = await callSecretsManager<{ Name: string }>("CreateSecret", {
        Name: name.trim(),
        ...(description.trim() ? { Description: description.trim() } : {}),
        SecretString: secretString,
        ClientRequestToken: crypto.randomUUID(),
        ...(tagKey.trim() ? { Tags: [{ Key: tagKey.trim(), Value: tagValue }] } : {}),
      });
      navigate(secretPath(created.Name));
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="create-title">
      <p>
        <Link to="/secrets">← Secrets</Link>
      </p>
      <h1 id="create-title">Create secret</h1>
      <ErrorAlert error={error} context="Could not create the secret" />
      <ValueEditor initial="" saveLabel={busy ? "Creating…" : "Create secret"} busy={busy} onSave={save}>
        <div className="field">
          <label htmlFor="secret-name">Name</label>
          <input
            id="secret-name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            required
            maxLength={512}
            autoComplete="off"
            spellCheck={false}
            aria-describedby="secret-name-help"
          />
          <span id="secret-name-help" className="hint">
            Letters, digits and /_+=.@- (for example prod/db/password).
          </span>
        </div>
        <div className="field">
          <label htmlFor="secret-description">Description (optional)</label>
          <input
            id="secret-description"
            value={description}
            onChange={(event) => setDescription(event.target.value)}
            maxLength={2048}
          />
        </div>
        <div className="row">
          <div className="field">
            <label htmlFor="secret-tag-key">Tag key (optional)</label>
            <input id="secret-tag-key" value={tagKey} onChange={(event) => setTagKey(event.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="secret-tag-value">Tag value</label>
            <input
              id="secret-tag-value"
              value={tagValue}
              onChange={(event) => setTagValue(event.target.value)}
            />
          </div>
        </div>
        <h2>Value</h2>
      </ValueEditor>
    </section>
  );
}
