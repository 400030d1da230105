/** The parts of an HTTP request that a SigV4 signature covers, as the server received them. */
export interface IncomingSignedRequest {
  /** HTTP method as received, e.g. "POST". */
  method: string;
  /** Request target exactly as received (still percent-encoded), e.g. "/" or "/path?a=b&c=%20". */
  rawUrl: string;
  /** Node's `IncomingMessage.headers`: lower-cased names, duplicates already merged by Node. */
  headers: Record<string, string | string[] | undefined>;
  /**
   * Node's `IncomingMessage.rawHeaders` (name, value, … as received, nothing merged): when given, a
   * repeated Authorization, Host, Date, Content-Type or x-amz-date/target/security-token/content-sha256
   * header is refused.
   */
  rawHeaders?: readonly string[];
  /** The complete request body. */
  body: Buffer;
}

export interface CredentialLookup {
  /** Returns the secret access key for an access key id, or undefined if unknown. May be called once per request. */
  secretFor(accessKeyId: string): string | undefined;
}

/** What a valid signature proves about the request. */
export interface VerifiedRequest {
  accessKeyId: string;
  /** Region from the credential scope. */
  region: string;
  /** `yyyymmdd` from the credential scope. */
  date: string;
  /** The signing time, from `x-amz-date` (or `date`). */
  signedAt: Date;
  /** `x-amz-security-token` if present; checked later by another layer. */
  sessionToken?: string;
}

export interface SigV4VerifierOptions {
  /** Signing name the credential scope must name, e.g. "secretsmanager", unless `parse` is given another. */
  service: string;
  /** How far the signing time may be from the server clock, either way. Default 5 minutes. */
  maxClockSkewMs?: number;
  /** Clock, in epoch milliseconds; injectable for tests. */
  now?: () => number;
}

export interface SigV4Verifier {
  /** Returns what the signature proves, or throws one of the SigV4 errors of `errors/catalog.ts`. */
  verify(request: IncomingSignedRequest, credentials: CredentialLookup): VerifiedRequest;
  /**
   * `verify` in two steps, for a caller that looks the key up itself (perhaps asynchronously): every
   * check that needs no key (shape, signed headers, scope, clock), then `check` with the key's secret.
   * `service` is the signing name of the API the request was framed for (`sts`); by default the
   * verifier's own.
   */
  parse(request: IncomingSignedRequest, service?: string): ParsedSignedRequest;
  /** The signature itself; `undefined` (an unknown key) is UnrecognizedClientException. */
  check(parsed: ParsedSignedRequest, secretAccessKey: string | undefined): VerifiedRequest;
}

/** A request whose signature passed every check that needs no key; opaque but for the key id it claims. */
export interface ParsedSignedRequest {
  readonly accessKeyId: string;
}
