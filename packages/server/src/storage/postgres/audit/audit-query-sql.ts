import type { AuditQuery } from "../../../audit/audit-query.js";

/**
 * The SELECT for one page of a query, in (event_time, seq) order: the same filters and paging as
 * the SQLite index (storage/sqlite/audit/audit-query-sql.ts). PostgreSQL picks the index itself;
 * every index ends with (event_time, seq), so a filter, a time range and the cursor are one range
 * scan in either direction, with no sort.
 *
 * `cursorTime` is the event_time of the event `query.after` names.
 */
export function auditQuerySql(
  query: AuditQuery,
  cursorTime: number | undefined,
): { sql: string; params: Array<string | number> } {
  const conditions: string[] = [];
  const params: Array<string | number> = [];
  const param = (value: string | number) => {
    params.push(value);
    return `$${params.length}`;
  };
  let source = "audit_events e";
  let keys = "e";
  if (query.secretId !== undefined) {
    source = "audit_event_secrets s JOIN audit_events e ON e.seq = s.seq";
    keys = "s";
    conditions.push(`s.secret = ${param(query.secretId)}`);
  }
  if (query.principal !== undefined) {
    const column = query.principal.startsWith("arn:") ? "principal_arn" : "access_key_id";
    conditions.push(`e.${column} = ${param(query.principal)}`);
  }
  if (query.action !== undefined) conditions.push(`e.event_name = ${param(query.action)}`);
  if (query.outcome === "allowed") {
    // An intent is announced before the decision: neither allowed nor denied yet.
    conditions.push("e.outcome NOT IN ('denied', 'intent')");
  } else if (query.outcome !== undefined) {
    conditions.push(`e.outcome = ${param(query.outcome)}`);
    // Repeats the partial index's condition so the planner may use it.
    if (query.outcome !== "success") conditions.push("e.outcome <> 'success'");
  }
  if (query.from !== undefined) conditions.push(`${keys}.event_time >= ${param(query.from.getTime())}`);
  if (query.to !== undefined) conditions.push(`${keys}.event_time < ${param(query.to.getTime())}`);
  if (query.maxSeq !== undefined) conditions.push(`${keys}.seq <= ${param(query.maxSeq)}`);
  const descending = query.order === "desc";
  if (query.after !== undefined && cursorTime !== undefined) {
    conditions.push(
      `(${keys}.event_time, ${keys}.seq) ${descending ? "<" : ">"} (${param(cursorTime)}, ${param(query.after)})`,
    );
  }
  const where = conditions.length === 0 ? "" : ` WHERE ${conditions.join(" AND ")}`;
  const direction = descending ? "DESC" : "ASC";
  return {
    sql: `SELECT e.seq, e.prev_hash, e.hash, e.event FROM ${source}${where} ORDER BY ${keys}.event_time ${direction}, ${keys}.seq ${direction} LIMIT ${param(query.limit)}`,
    params,
  };
}
