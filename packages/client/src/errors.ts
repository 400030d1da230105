/**
 * The client's errors. Messages name secrets, fields, sources and causes — never a secret value:
 * nothing here formats a value, and every constructor takes only identifiers.
 */

/** Base class of every error the client throws. */
export class CofferClientError extends Error {
  override name = "CofferClientError";
}

/** An endpoint setting (explicit, COFFER_ENDPOINT, AWS_ENDPOINT_URL…) that is not an http(s) URL. */
export class EndpointConfigError extends CofferClientError {
  override name = "EndpointConfigError";
}

/** The secret (or the `#field` of it) exists in none of the sources asked. */
export class SecretNotFoundError extends CofferClientError {
  override name = "SecretNotFoundError";
  readonly secretId: string;
  /** Set when the secret exists but has no such top-level JSON field. */
  readonly field: string | undefined;
  /** The sources that were asked, in order. */
  readonly sources: readonly string[];

  constructor(
    secretId: string,
    options: { field?: string; sources?: readonly string[]; cause?: unknown } = {},
  ) {
    const where = options.sources?.length ? ` (looked in: ${options.sources.join(", ")})` : "";
    super(
      options.field === undefined
        ? `Secret '${secretId}' was not found${where}.`
        : `Secret '${secretId}' has no field '${options.field}'.`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.secretId = secretId;
    this.field = options.field;
    this.sources = options.sources ?? [];
  }
}

/** One problem found while validating a secret: where it is and what is wrong, never the value. */
export interface ValidationIssue {
  /** Path of the failing field inside the parsed JSON, e.g. ["db", "port"]; empty for the root. */
  path: ReadonlyArray<string | number>;
  message: string;
}

/** The secret is not valid JSON, not an object where a field was asked for, or fails the schema. */
export class SecretValidationError extends CofferClientError {
  override name = "SecretValidationError";
  readonly secretId: string;
  readonly issues: readonly ValidationIssue[];

  constructor(secretId: string, issues: readonly ValidationIssue[]) {
    const listed = issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join("; ");
    super(`Secret '${secretId}' failed validation: ${listed}`);
    this.secretId = secretId;
    this.issues = issues;
  }
}

/** A failure that names the source it came from, and the secret when there was one. */
abstract class SourceError extends CofferClientError {
  readonly source: string;
  readonly secretId: string | undefined;

  constructor(source: string, message: string, options: { secretId?: string; cause?: unknown } = {}) {
    super(
      `${source}: ${message}${options.secretId === undefined ? "" : ` (secret '${options.secretId}')`}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.source = source;
    this.secretId = options.secretId;
  }
}

/** The source could not be reached or answered with a server fault (network, timeout, 5xx, throttling). */
export class BackendUnavailableError extends SourceError {
  override name = "BackendUnavailableError";
}

/** The source refused the caller: bad or missing credentials, or no permission to read the secret. */
export class AccessDeniedError extends SourceError {
  override name = "AccessDeniedError";
}

/** One reference of `resolve()` that could not be resolved, and why. */
export interface UnresolvedReference {
  key: string;
  reference: string;
  error: Error;
}

/** `resolve()` failed: lists every reference that is missing or could not be read. */
export class UnresolvedReferencesError extends CofferClientError {
  override name = "UnresolvedReferencesError";
  /** Every failed reference, in the order given. */
  readonly failures: readonly UnresolvedReference[];
  /** The references whose secret or field does not exist. */
  readonly missing: readonly UnresolvedReference[];

  constructor(failures: readonly UnresolvedReference[]) {
    const lines = failures.map(({ key, reference, error }) => `${key} → ${reference}: ${reason(error)}`);
    super(`${failures.length} of the references could not be resolved:\n  ${lines.join("\n  ")}`);
    this.failures = failures;
    this.missing = failures.filter((failure) => failure.error instanceof SecretNotFoundError);
  }
}

function reason(error: Error): string {
  if (error instanceof SecretNotFoundError) {
    return error.field === undefined ? "not found" : `no field '${error.field}'`;
  }
  return `${error.name}: ${error.message}`;
}

/** `["db", "hosts", 0]` → `db.hosts[0]`. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  if (path.length === 0) return "(root)";
  let text = "";
  for (const segment of path) {
    text += typeof segment === "number" ? `[${segment}]` : text === "" ? segment : `.${segment}`;
  }
  return text;
}
