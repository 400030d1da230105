import type { AuditQuery } from "../../../audit/audit-query.js";

/**
 * The SELECT for one page of a query, in (event_time, seq) order. One filter leads and picks the
 * index (`INDEXED BY`, so the plan never depends on statistics the trail may not have): secret,
 * then principal, action, a failed outcome, and otherwise time. Each index ends with event_time
 * and seq, so the time range and the cursor narrow the same seek and no sort is needed.
 *
 * `cursorTime` is the event_time of the event `query.after` names.
 */
export function auditQuerySql(
  query: AuditQuery,
  cursorTime: number | undefined,
): { sql: string; params: Array<string | number> } {
  const conditions: string[] = [];
  const params: Array<string | number> = [];
  let source: string;
  let keys = "e";
  const principalColumn = query.principal?.startsWith("arn:") ? "principal_arn" : "access_key_id";
  const failedOutcome = query.outcome === "denied" || query.outcome === "error";
  let lead: "secret" | "principal" | "action" | "outcome" | "time";
  if (query.secretId !== undefined) {
    lead = "secret";
    source = "audit_event_secrets s JOIN audit_events e ON e.seq = s.seq";
    keys = "s";
    conditions.push("s.secret = ?");
    params.push(query.secretId);
  } else if (query.principal !== undefined) {
    lead = "principal";
    source = `audit_events e INDEXED BY ${principalColumn === "principal_arn" ? "audit_events_by_principal" : "audit_events_by_access_key"}`;
  } else if (query.action !== undefined) {
    lead = "action";
    source = "audit_events e INDEXED BY audit_events_by_name";
  } else if (failedOutcome) {
    lead = "outcome";
    source = "audit_events e INDEXED BY audit_events_by_problem";
  } else {
    lead = "time";
    source = "audit_events e INDEXED BY audit_events_by_time";
  }
  // A filter that does not lead is checked row by row (`+` keeps SQLite from using its index).
  const term = (column: string, leads: boolean) => (leads ? `e.${column}` : `+e.${column}`);
  if (query.principal !== undefined) {
    conditions.push(`${term(principalColumn, lead === "principal")} = ?`);
    params.push(query.principal);
  }
  if (query.action !== undefined) {
    conditions.push(`${term("event_name", lead === "action")} = ?`);
    params.push(query.action);
  }
  if (query.outcome !== undefined) {
    if (lead === "outcome") {
      // Repeats the partial index's condition, which SQLite needs to see to use it.
      conditions.push("e.outcome = ?", "e.outcome <> 'success'");
      params.push(query.outcome);
    } else if (query.outcome === "allowed") {
      // An intent is announced before the decision: neither allowed nor denied yet.
      conditions.push("+e.outcome NOT IN ('denied', 'intent')");
    } else {
      conditions.push("+e.outcome = ?");
      params.push(query.outcome);
    }
  }
  if (query.from !== undefined) {
    conditions.push(`${keys}.event_time >= ?`);
    params.push(query.from.getTime());
  }
  if (query.to !== undefined) {
    conditions.push(`${keys}.event_time < ?`);
    params.push(query.to.getTime());
  }
  if (query.maxSeq !== undefined) {
    conditions.push(`${keys}.seq <= ?`);
    params.push(query.maxSeq);
  }
  const descending = query.order === "desc";
  if (query.after !== undefined && cursorTime !== undefined) {
    conditions.push(`(${keys}.event_time, ${keys}.seq) ${descending ? "<" : ">"} (?, ?)`);
    params.push(cursorTime, query.after);
  }
  const where = conditions.length === 0 ? "" : ` WHERE ${conditions.join(" AND ")}`;
  const direction = descending ? "DESC" : "ASC";
  params.push(query.limit);
  return {
    sql: `SELECT e.seq, e.prev_hash, e.hash, e.event, e.journal_offset FROM ${source}${where} ORDER BY ${keys}.event_time ${direction}, ${keys}.seq ${direction} LIMIT ?`,
    params,
  };
}
