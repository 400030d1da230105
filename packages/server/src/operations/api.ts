import type { Operation } from "./operation.js";

/**
 * One API served at `POST /`: Secrets Manager (`secretsmanager.<Op>`) or Coffer's admin API
 * (`coffer.<Op>`). Operations named by `globalResource` are authorized by the request handler on
 * that resource before they run; the others authorize in the domain, where the secret is known.
 */
export interface Api {
  targetPrefix: string;
  actionPrefix: string;
  operations: Readonly<Record<string, Operation>>;
  validate(operation: string, input: unknown): void;
  globalResource(operation: string, input: Record<string, unknown>): string | undefined;
  /** Top-level members the model marks as idempotency tokens; filled in when a client omits them. */
  idempotencyTokens?(operation: string): readonly string[];
}
