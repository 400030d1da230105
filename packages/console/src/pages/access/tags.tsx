import { useId, useState } from "react";
import { ErrorAlert, StatusMessage } from "../../components/error-alert.js";
import { useAction } from "./use-call.js";

export interface Tag {
  Key: string;
  Value: string;
}

/** A user's or a role's tags: list, remove, add. */
export function Tags(props: {
  tags: Tag[];
  onAdd: (tag: Tag) => Promise<unknown>;
  onRemove: (key: string) => Promise<unknown>;
}) {
  const action = useAction();
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const id = useId();
  return (
    <section aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Tags</h3>
      {props.tags.length === 0 ? <p>No tags.</p> : null}
      {props.tags.length > 0 ? (
        <ul>
          {props.tags.map((tag) => (
            <li key={tag.Key}>
              <code>{tag.Key}</code> = <code>{tag.Value}</code>{" "}
              <button
                type="button"
                className="link"
                disabled={action.busy}
                onClick={() =>
                  void action.run(async () => {
                    await props.onRemove(tag.Key);
                    return `Removed tag ${tag.Key}.`;
                  })
                }
              >
                Remove<span className="visually-hidden"> tag {tag.Key}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <form
        className="row"
        onSubmit={(event) => {
          event.preventDefault();
          const tag = { Key: key.trim(), Value: value };
          void action
            .run(async () => {
              await props.onAdd(tag);
              return `Tagged ${tag.Key}.`;
            })
            .then((ok) => {
              if (ok) {
                setKey("");
                setValue("");
              }
            });
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-key`}>New tag key</label>
          <input id={`${id}-key`} required value={key} onChange={(event) => setKey(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-value`}>New tag value</label>
          <input id={`${id}-value`} value={value} onChange={(event) => setValue(event.target.value)} />
        </div>
        <button type="submit" disabled={action.busy || key.trim() === ""}>
          Add tag
        </button>
      </form>
      <ErrorAlert error={action.error} context="Tags" />
      {action.status ? <StatusMessage>{action.status}</StatusMessage> : null}
    </section>
  );
}
