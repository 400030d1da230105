/**
 * Which PostgreSQL servers this process knows to be silent right now: connections accepted (or
 * open) but never answered, as in a network partition. Without this, every request would wait out
 * each of its statements' time-outs in turn (the catch-up, the store, the audit trail) before
 * failing; with it, once one of them has timed out, the others fail at once with a retryable fault.
 *
 * A circuit breaker: a time-out marks the server; for a second after it every call fails at once,
 * then one call at a time is let through to try it (the probe) while the others still fail at once; any answer (a result, or an
 * error from the server, or a refused connection: anything but a time-out) clears the mark, as does
 * the change feed's connection coming back. Keyed by host, port and database, so the stores' pool,
 * the change feed and the audit trail's pool, opened from the same URL, share the verdict.
 */
/** After a time-out, how long every call fails at once before the next probe may try. */
const holdMs = 1_000;
const marks = new Map<string, { since: number; until: number; probing: boolean }>();

export function databaseKey(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  } catch {
    return url;
  }
}

/** Whether `error` is a client-side time-out: the server did not answer (connect or statement). */
export function isTimeout(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === "ETIMEDOUT") return true;
  return (
    typeof message === "string" &&
    /timeout exceeded when trying to connect|Query read timeout|connection timeout|did not answer/i.test(
      message,
    )
  );
}

export function markUnresponsive(key: string, now = Date.now()): void {
  marks.set(key, { since: marks.get(key)?.since ?? now, until: now + holdMs, probing: false });
}

export function markResponsive(key: string): void {
  marks.delete(key);
}

/**
 * Before a call to the server: returns when the call may go (the server is not marked, or this call
 * is the one probe); throws the retryable fault (an `ETIMEDOUT`, which faults.ts counts as
 * transient) otherwise. A call admitted must report its outcome with {@link settle}.
 */
export function admit(key: string, now = Date.now()): void {
  const mark = marks.get(key);
  if (mark === undefined) return;
  if (!mark.probing && now >= mark.until) {
    mark.probing = true;
    return;
  }
  throw Object.assign(
    new Error(`The PostgreSQL server has not answered since ${new Date(mark.since).toISOString()}`),
    { code: "ETIMEDOUT" },
  );
}

/** After an admitted call: a time-out marks the server (or keeps it marked), anything else clears it. */
export function settle(key: string, error?: unknown): void {
  if (error !== undefined && isTimeout(error)) markUnresponsive(key);
  else markResponsive(key);
}

/** `work` admitted and settled. */
export async function guarded<T>(key: string, work: () => Promise<T>): Promise<T> {
  admit(key);
  try {
    const result = await work();
    settle(key);
    return result;
  } catch (error) {
    settle(key, error);
    throw error;
  }
}
