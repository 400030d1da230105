/**
 * What the request pipeline tells metrics about every request it answered: called once, when the
 * reply is ready. Implementations must be cheap (a few additions) and must not throw.
 *
 * Arguments are positional, not an object, so a call allocates nothing on the request path.
 */
export interface RequestMetrics {
  /**
   * @param operation the operation as framed (`GetSecretValue`), or undefined when framing failed
   * @param api `secretsmanager`, `coffer` or `sts`
   * @param status the reply's HTTP status (200 for an opened stream)
   * @param errorType the error's name on the wire (`x-amzn-errortype`), undefined on success
   * @param seconds from the request's arrival to its reply
   */
  requestDone(
    operation: string | undefined,
    api: string,
    status: number,
    errorType: string | undefined,
    seconds: number,
  ): void;
}
