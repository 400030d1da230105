import type { AuditHealth } from "../audit/audit-log.js";

/** What `GET /ready` reports: may this node take traffic now? The details become the 503's body. */
export type Readiness = { ok: true } | { ok: false; details: Record<string, unknown> };

export interface ReadinessDeps {
  /** The store answers and its schema is current (Stores.ping). */
  ping: () => Promise<void>;
  auditHealth: () => AuditHealth;
  /** A store that does not answer within this is reported unreachable. Default 1,000 ms. */
  timeoutMs?: number;
}

/**
 * Readiness for a load balancer: the store is reachable with its migrations done, and the audit
 * trail can be written (without it every request is refused). Concurrent probes share one ping, so
 * a burst of health checks costs the database one query.
 */
export function createReadiness(deps: ReadinessDeps): () => Promise<Readiness> {
  const timeoutMs = deps.timeoutMs ?? 1_000;
  let inFlight: Promise<string | undefined> | undefined;
  const storeProblem = (): Promise<string | undefined> => {
    inFlight ??= pingWithin(deps.ping, timeoutMs).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  return async () => {
    const problem = await storeProblem();
    const audit = deps.auditHealth();
    if (problem === undefined && audit.ok) return { ok: true };
    const details: Record<string, unknown> = {};
    if (problem !== undefined) details.store = { status: "unreachable", reason: problem };
    if (!audit.ok) details.auditTrail = auditTrailReport(audit);
    return { ok: false, details };
  };
}

async function pingWithin(ping: () => Promise<void>, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([
      ping().then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The audit trail's outage as `/ready` shows it. */
export function auditTrailReport(health: Exclude<AuditHealth, { ok: true }>): Record<string, unknown> {
  return {
    status: "failing",
    since: new Date(health.since).toISOString(),
    reason: health.reason,
    refusedRequests: health.refusedEvents,
  };
}
