import { type FormEvent, useState } from "react";
import { callSecretsManager } from "../../api/client.js";
import { ErrorAlert, StatusMessage } from "../../components/error-alert.js";
import type { SecretDescription } from "./secret-types.js";

/** The secret's tags (from DescribeSecret): add or change one (TagResource), remove one (UntagResource). */
export function TagsTab(props: { secret: SecretDescription; onChanged: () => void }) {
  const tags = props.secret.Tags ?? [];
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [status, setStatus] = useState<string | undefined>(undefined);

  const run = async (action: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError(undefined);
    setStatus(undefined);
    try {
      await action();
      setStatus(done);
      props.onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const add = (event: FormEvent) => {
    event.preventDefault();
    const tagKey = key.trim();
    if (tagKey === "") return;
    run(
      () =>
        callSecretsManager("TagResource", {
          SecretId: props.secret.ARN,
          Tags: [{ Key: tagKey, Value: value }],
        }),
      `Tag ${tagKey} saved.`,
    ).then(() => {
      setKey("");
      setValue("");
    });
  };

  return (
    <div>
      <ErrorAlert error={error} />
      {status ? <StatusMessage>{status}</StatusMessage> : null}
      {tags.length === 0 ? (
        <p>No tags.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Tags</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Value</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tags.map((tag) => (
                <tr key={tag.Key}>
                  <td>{tag.Key}</td>
                  <td>{tag.Value}</td>
                  <td>
                    <button
                      type="button"
                      disabled={busy}
                      aria-label={`Remove tag ${tag.Key}`}
                      onClick={() =>
                        run(
                          () =>
                            callSecretsManager("UntagResource", {
                              SecretId: props.secret.ARN,
                              TagKeys: [tag.Key],
                            }),
                          `Tag ${tag.Key} removed.`,
                        )
                      }
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="panel" onSubmit={add} aria-labelledby="add-tag-title">
        <h2 id="add-tag-title">Add or change a tag</h2>
        <div className="row">
          <div className="field">
            <label htmlFor="tag-key">Key</label>
            <input
              id="tag-key"
              value={key}
              onChange={(event) => setKey(event.target.value)}
              required
              maxLength={128}
            />
          </div>
          <div className="field">
            <label htmlFor="tag-value">Value</label>
            <input
              id="tag-value"
              value={value}
              onChange={(event) => setValue(event.target.value)}
              maxLength={256}
            />
          </div>
          <button type="submit" className="primary" disabled={busy || key.trim() === ""}>
            Save tag
          </button>
        </div>
      </form>
    </div>
  );
}
