import { type FormEvent, useState } from "react";
import { callSecretsManager } from "../../api/client.js";
import { ErrorAlert } from "../../components/error-alert.js";
import { formatDate, formatDay } from "../../format/dates.js";
import { useApi } from "../../hooks/use-api.js";
import { Link, secretPath } from "../../router.js";
import type { SecretListEntry } from "./secret-types.js";

interface Filters {
  search: string;
  name: string;
  description: string;
  tagKey: string;
  tagValue: string;
  includePlannedDeletion: boolean;
  pageSize: number;
}

const emptyFilters: Filters = {
  search: "",
  name: "",
  description: "",
  tagKey: "",
  tagValue: "",
  includePlannedDeletion: false,
  pageSize: 25,
};

/** ListSecrets `Filters` from the form: each value is a prefix match of words, `!` excludes. */
function filtersOf(filters: Filters): Array<{ Key: string; Values: string[] }> {
  const out: Array<{ Key: string; Values: string[] }> = [];
  const add = (key: string, value: string) => {
    const values = value.trim().split(/\s+/).filter(Boolean);
    if (values.length > 0) out.push({ Key: key, Values: values });
  };
  add("all", filters.search);
  add("name", filters.name);
  add("description", filters.description);
  add("tag-key", filters.tagKey);
  add("tag-value", filters.tagValue);
  return out;
}

/**
 * The secrets list: ListSecrets with the form's filters, paged by the server (MaxResults,
 * NextToken), so it stays fast however many secrets there are.
 */
export function SecretsListPage() {
  const [draft, setDraft] = useState<Filters>(emptyFilters);
  const [applied, setApplied] = useState<Filters>(emptyFilters);
  // Every filter in view on a wide screen; on a narrow one, the search field and the list first.
  const [moreOpen, setMoreOpen] = useState(() => window.matchMedia("(min-width: 701px)").matches);
  // Tokens of the pages seen so far: tokens[i] fetches page i (page 0 has none).
  const [tokens, setTokens] = useState<Array<string | undefined>>([undefined]);
  const page = tokens.length - 1;
  const token = tokens[page];
  const { data, error, loading } = useApi(
    (signal) =>
      callSecretsManager<{ SecretList?: SecretListEntry[]; NextToken?: string }>(
        "ListSecrets",
        {
          MaxResults: applied.pageSize,
          Filters: filtersOf(applied),
          IncludePlannedDeletion: applied.includePlannedDeletion,
          SortOrder: "asc",
          ...(token ? { NextToken: token } : {}),
        },
        { signal },
      ),
    [applied, token],
  );
  const secrets = data?.SecretList ?? [];
  const filtered = filtersOf(applied).length > 0;

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setApplied(draft);
    setTokens([undefined]);
  };
  const clear = () => {
    setDraft(emptyFilters);
    setApplied(emptyFilters);
    setTokens([undefined]);
  };
  const field = (key: keyof Filters) => ({
    value: String(draft[key]),
    onChange: (event: { target: { value: string } }) => setDraft({ ...draft, [key]: event.target.value }),
  });

  return (
    <section aria-labelledby="secrets-title">
      <div className="page-head">
        <h1 id="secrets-title">Secrets</h1>
        <Link to="/secrets/new" className="button primary">
          Create secret
        </Link>
      </div>
      <form className="panel filters" onSubmit={apply} aria-label="Search secrets">
        <div className="row">
          <div className="field grow">
            <label htmlFor="filter-search">Search</label>
            <input id="filter-search" type="search" {...field("search")} aria-describedby="filter-help" />
          </div>
          <button type="submit" className="primary">
            Apply filters
          </button>
          <button type="button" onClick={clear}>
            Clear
          </button>
        </div>
        <details open={moreOpen} onToggle={(event) => setMoreOpen(event.currentTarget.open)}>
          <summary>More filters</summary>
          <div className="row">
            <div className="field">
              <label htmlFor="filter-name">Name</label>
              <input id="filter-name" {...field("name")} />
            </div>
            <div className="field">
              <label htmlFor="filter-description">Description</label>
              <input id="filter-description" {...field("description")} />
            </div>
            <div className="field">
              <label htmlFor="filter-tag-key">Tag key</label>
              <input id="filter-tag-key" {...field("tagKey")} />
            </div>
            <div className="field">
              <label htmlFor="filter-tag-value">Tag value</label>
              <input id="filter-tag-value" {...field("tagValue")} />
            </div>
          </div>
          <div className="row">
            <div className="field checkbox">
              <label>
                <input
                  type="checkbox"
                  checked={draft.includePlannedDeletion}
                  onChange={(event) => setDraft({ ...draft, includePlannedDeletion: event.target.checked })}
                />{" "}
                Include secrets scheduled for deletion
              </label>
            </div>
            <div className="field">
              <label htmlFor="filter-page-size">Per page</label>
              <select
                id="filter-page-size"
                value={draft.pageSize}
                onChange={(event) => setDraft({ ...draft, pageSize: Number(event.target.value) })}
              >
                {[10, 25, 50, 100].map((size) => (
                  <option key={size} value={size}>
                    {size}
                  </option>
                ))}
              </select>
            </div>
          </div>
        </details>
        <p id="filter-help" className="hint">
          Each word matches the start of a word in the field (case-insensitive); start a word with ! to
          exclude it. Search looks in every field.
        </p>
      </form>
      <ErrorAlert error={error} context="Could not list secrets" />
      <div aria-live="polite" aria-busy={loading}>
        {loading && !data ? <p>Loading…</p> : null}
        {!loading && !error && secrets.length === 0 ? (
          <p>
            {filtered || page > 0
              ? "No secrets match these filters."
              : "No secrets yet (or none you may list). Create one to get started."}
          </p>
        ) : null}
      </div>
      {secrets.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Secrets, page {page + 1}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="wide-only">
                  Description
                </th>
                <th scope="col" className="wide-only">
                  Last changed
                </th>
                <th scope="col" className="wide-only">
                  Last accessed
                </th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {secrets.map((secret) => (
                <tr key={secret.ARN}>
                  <td>
                    <Link to={secretPath(secret.Name)}>{secret.Name}</Link>
                  </td>
                  <td className="wide-only">{secret.Description ?? ""}</td>
                  <td className="wide-only">{formatDate(secret.LastChangedDate ?? secret.CreatedDate)}</td>
                  <td className="wide-only">{formatDay(secret.LastAccessedDate)}</td>
                  <td>
                    {secret.DeletedDate !== undefined ? (
                      <span className="badge danger">Deletion planned</span>
                    ) : (
                      <span className="badge">Active</span>
                    )}
                    {secret.RotationEnabled ? <span className="badge">Rotating</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={page === 0 || loading} onClick={() => setTokens(tokens.slice(0, -1))}>
          Previous page
        </button>
        <span>Page {page + 1}</span>
        <button
          type="button"
          disabled={!data?.NextToken || loading}
          onClick={() => data?.NextToken && setTokens([...tokens, data.NextToken])}
        >
          Next page
        </button>
      </nav>
    </section>
  );
}
