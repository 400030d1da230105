import { type FormEvent, type ReactNode, useId, useRef, useState } from "react";
import { FormActions } from "./form-actions.js";
import { pairsOf, pairsToString, rawToString } from "./secret-value.js";

interface Row {
  id: number;
  key: string;
  value: string;
}

/**
 * Edits a secret's value as key/value rows or as raw text/JSON, validating before `onSave`
 * (which gets the SecretString). Starts in key/value mode when the value is a flat JSON object.
 */
export function ValueEditor(props: {
  initial: string;
  saveLabel: string;
  busy?: boolean;
  onSave: (secretString: string) => void;
  onCancel?: () => void;
  /** Fields shown above the value, submitted with it (the create page's name and description). */
  children?: ReactNode;
}) {
  const nextId = useRef(1);
  const toRows = (pairs: Array<[string, string]>): Row[] =>
    pairs.map(([key, value]) => ({ id: nextId.current++, key, value }));
  const initialPairs = props.initial === "" ? [["", ""] as [string, string]] : pairsOf(props.initial);
  const [mode, setMode] = useState<"pairs" | "raw">(initialPairs ? "pairs" : "raw");
  const [rows, setRows] = useState<Row[]>(() => toRows(initialPairs ?? []));
  const [raw, setRaw] = useState(props.initial);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const base = useId();

  const switchTo = (next: "pairs" | "raw") => {
    setProblem(undefined);
    if (next === mode) return;
    if (next === "raw") {
      const result = pairsToString(rows);
      if ("problem" in result) {
        setProblem(result.problem);
        return;
      }
      setRaw(JSON.stringify(JSON.parse(result.value), null, 2));
    } else {
      const pairs = raw.trim() === "" ? [["", ""] as [string, string]] : pairsOf(raw);
      if (!pairs) {
        setProblem("This value is not a JSON object of strings, so it can only be edited as raw text.");
        return;
      }
      setRows(toRows(pairs));
    }
    setMode(next);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = mode === "pairs" ? pairsToString(rows) : rawToString(raw);
    if ("problem" in result) {
      setProblem(result.problem);
      return;
    }
    setProblem(undefined);
    props.onSave(result.value);
  };

  const update = (id: number, change: Partial<Row>) =>
    setRows(rows.map((row) => (row.id === id ? { ...row, ...change } : row)));

  return (
    <form onSubmit={submit} className="value-editor" noValidate>
      {props.children}
      <fieldset className="mode">
        <legend>Edit as</legend>
        <label>
          <input
            type="radio"
            name={`${base}-mode`}
            checked={mode === "pairs"}
            onChange={() => switchTo("pairs")}
          />{" "}
          Key/value
        </label>{" "}
        <label>
          <input
            type="radio"
            name={`${base}-mode`}
            checked={mode === "raw"}
            onChange={() => switchTo("raw")}
          />{" "}
          Raw JSON or text
        </label>
      </fieldset>
      {mode === "pairs" ? (
        <div>
          {rows.map((row, index) => (
            <div className="kv-row" key={row.id}>
              <div className="field">
                <label htmlFor={`${base}-key-${row.id}`}>Key {index + 1}</label>
                <input
                  id={`${base}-key-${row.id}`}
                  value={row.key}
                  onChange={(event) => update(row.id, { key: event.target.value })}
                  autoComplete="off"
                  spellCheck={false}
                />
              </div>
              <div className="field">
                <label htmlFor={`${base}-value-${row.id}`}>Value {index + 1}</label>
                <input
                  id={`${base}-value-${row.id}`}
                  value={row.value}
                  onChange={(event) => update(row.id, { value: event.target.value })}
                  autoComplete="off"
                  spellCheck={false}
                />
              </div>
              <button
                type="button"
                onClick={() => setRows(rows.filter((other) => other.id !== row.id))}
                aria-label={`Remove key ${index + 1}${row.key ? ` (${row.key})` : ""}`}
              >
                Remove
              </button>
            </div>
          ))}
          <button
            type="button"
            onClick={() => setRows([...rows, { id: nextId.current++, key: "", value: "" }])}
          >
            Add key
          </button>
        </div>
      ) : (
        <div className="field">
          <label htmlFor={`${base}-raw`}>Value</label>
          <textarea
            id={`${base}-raw`}
            className="code"
            rows={10}
            value={raw}
            onChange={(event) => setRaw(event.target.value)}
            spellCheck={false}
            aria-describedby={`${base}-raw-help`}
          />
          <span id={`${base}-raw-help`} className="hint">
            Text that starts with {"{"}, [ or " must be valid JSON. Up to 65,536 bytes.
          </span>
        </div>
      )}
      {problem ? (
        <p className="alert alert-error" role="alert">
          {problem}
        </p>
      ) : null}
      <FormActions saveLabel={props.saveLabel} disabled={props.busy === true} onCancel={props.onCancel} />
    </form>
  );
}
