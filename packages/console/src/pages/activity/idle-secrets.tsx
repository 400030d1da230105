import { useEffect, useId, useState } from "react";
import { StackedTable } from "../../components/stacked-table.js";
import { Link, secretPath } from "../../router.js";
import { type IdleSecret, listIdleSecrets } from "./activity-api.js";
import { formatTime } from "./activity-format.js";
import { OperationError } from "./operation-error.js";

export function IdleSecrets() {
  const [draft, setDraft] = useState("30");
  const [days, setDays] = useState(30);
  const [generation, setGeneration] = useState(0);
  const [secrets, setSecrets] = useState<IdleSecret[]>();
  const [nextToken, setNextToken] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(false);
  const id = useId();
  const draftDays = Number(draft);
  const invalid = !Number.isInteger(draftDays) || draftDays < 1 || draftDays > 3650;

  // biome-ignore lint/correctness/useExhaustiveDependencies: generation is the "find again" trigger
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    listIdleSecrets({ Days: days, MaxResults: 50 }, controller.signal).then(
      (reply) => {
        if (controller.signal.aborted) return;
        setSecrets(reply.Secrets);
        setNextToken(reply.NextToken);
        setError(undefined);
        setLoading(false);
      },
      (caught: unknown) => {
        if (controller.signal.aborted) return;
        setSecrets(undefined);
        setNextToken(undefined);
        setError(caught);
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [days, generation]);

  const loadMore = () => {
    if (!nextToken) return;
    setLoading(true);
    listIdleSecrets({ Days: days, MaxResults: 50, NextToken: nextToken }).then(
      (reply) => {
        setSecrets((previous) => [...(previous ?? []), ...reply.Secrets]);
        setNextToken(reply.NextToken);
        setLoading(false);
      },
      (caught: unknown) => {
        setError(caught);
        setLoading(false);
      },
    );
  };

  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Secrets nobody read in {days} days</h2>
      <form
        className="row"
        onSubmit={(event) => {
          event.preventDefault();
          if (invalid) return;
          if (draftDays === days) setGeneration((n) => n + 1);
          else setDays(draftDays);
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-days`}>Days without a read</label>
          <input
            id={`${id}-days`}
            inputMode="numeric"
            value={draft}
            aria-invalid={invalid}
            aria-describedby={`${id}-days-hint`}
            onChange={(event) => setDraft(event.target.value)}
          />
          <span id={`${id}-days-hint`} className="hint" aria-live="polite">
            {invalid ? "A whole number of days from 1 to 3650." : ""}
          </span>
        </div>
        <button type="submit" disabled={invalid || loading}>
          Find idle secrets
        </button>
      </form>
      {error ? <OperationError error={error} operation="ListIdleSecrets" /> : null}
      {secrets && secrets.length === 0 ? <p>Every secret was read in the last {days} days.</p> : null}
      {secrets && secrets.length > 0 ? (
        <StackedTable
          rows={secrets}
          rowKey={(s) => s.ARN}
          columns={[
            { label: "Secret", cell: (s) => <Link to={secretPath(s.Name)}>{s.Name}</Link> },
            {
              label: "Last read",
              cell: (s) => (s.LastAccessedDate !== undefined ? formatTime(s.LastAccessedDate) : "never"),
            },
            { label: "Created", cell: (s) => formatTime(s.CreatedDate) },
          ]}
        />
      ) : null}
      {nextToken ? (
        <button type="button" onClick={loadMore} disabled={loading}>
          Load more
        </button>
      ) : null}
    </section>
  );
}
