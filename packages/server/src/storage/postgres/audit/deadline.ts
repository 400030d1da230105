/** The operation did not finish within its bound (the database is slow or unreachable). */
export class AuditStoreTimeoutError extends Error {
  readonly code = "ETIMEDOUT";
  constructor(what: string, ms: number) {
    super(`The audit database did not answer ${what} within ${ms} ms.`);
    this.name = "AuditStoreTimeoutError";
  }
}

/**
 * Settles like `work`, or rejects after `ms` (then calls `onTimeout`, which must abandon the work,
 * e.g. by destroying its connection). A client-side bound: it holds even when the server or the
 * network is gone, where a server-side statement_timeout cannot fire.
 */
export function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  onTimeout: () => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new AuditStoreTimeoutError(what, ms));
    }, ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
