import { useEffect, useId, useState } from "react";
import type { Activity } from "./activity-api.js";

export interface Filters {
  secret: string;
  caller: string;
}

/** The secret and caller the figures are for; suggests the top ones in view. */
export function FilterForm(props: {
  filters: Filters;
  onApply: (filters: Filters) => void;
  activity?: Activity;
}) {
  const [secret, setSecret] = useState(props.filters.secret);
  const [caller, setCaller] = useState(props.filters.caller);
  useEffect(() => {
    setSecret(props.filters.secret);
    setCaller(props.filters.caller);
  }, [props.filters]);
  const id = useId();
  const filtered = props.filters.secret !== "" || props.filters.caller !== "";
  return (
    <form
      className="row activity-filters"
      aria-label="Filters"
      onSubmit={(event) => {
        event.preventDefault();
        props.onApply({ secret: secret.trim(), caller: caller.trim() });
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-secret`}>
          Secret <span className="hint">name or ARN</span>
        </label>
        <input
          id={`${id}-secret`}
          list={`${id}-secrets`}
          value={secret}
          onChange={(event) => setSecret(event.target.value)}
        />
        <datalist id={`${id}-secrets`}>
          {(props.activity?.TopSecrets ?? []).map((s) => (
            <option key={s.SecretId} value={s.Name} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor={`${id}-caller`}>
          Caller <span className="hint">principal ARN</span>
        </label>
        <input
          id={`${id}-caller`}
          list={`${id}-callers`}
          value={caller}
          onChange={(event) => setCaller(event.target.value)}
        />
        <datalist id={`${id}-callers`}>
          {(props.activity?.TopCallers ?? []).map((c) => (
            <option key={c.Caller} value={c.Caller} />
          ))}
        </datalist>
      </div>
      <button type="submit" className="primary">
        Apply filters
      </button>
      {filtered ? (
        <button type="button" onClick={() => props.onApply({ secret: "", caller: "" })}>
          Clear filters
        </button>
      ) : null}
    </form>
  );
}
