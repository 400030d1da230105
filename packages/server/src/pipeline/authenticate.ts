import { type AccessKeyRegistry, type ActiveKey, sessionTokenMatches } from "../auth/access-keys.js";
import type { ParsedSignedRequest, SigV4Verifier, VerifiedRequest } from "../auth/sigv4/index.js";
import type { RoleSessionRecord } from "../domain/ports/identity-store.js";
import {
  ExpiredTokenException,
  InvalidSignatureException,
  UnrecognizedClientException,
} from "../errors/catalog.js";
import type { RequestRecord } from "./request-record.js";
import type { TransportCall } from "./transport-call.js";

export interface AuthenticatedCaller extends VerifiedRequest {
  principal: string;
  /** A role session's context, stored with its key; undefined for a user's key. */
  session: RoleSessionRecord | undefined;
}

export interface AuthenticateDeps {
  verifier: SigV4Verifier;
  accessKeys: AccessKeyRegistry;
  now: () => number;
}

const invalidToken = "The security token included in the request is invalid.";
/** Only to name, in the audit event, the key a malformed Authorization header claimed. */
const credentialPattern = /Credential=([^/,\s]+)\//;

/**
 * Phase 3, authenticate: SigV4, then the key's own state (expiry, session token, last use). The
 * Authorization header is parsed once. A key looked up within the last second answers without an
 * await (the registry re-reads storage after that), so a warm request authenticates synchronously;
 * the result is a promise only when storage must be asked. `service` is the signing name of the API
 * the call was framed for (`sts` for STS); the verifier's own (`secretsmanager`) by default.
 */
export function createAuthenticate(deps: AuthenticateDeps) {
  return function authenticate(
    call: TransportCall,
    body: Buffer,
    record: RequestRecord,
    service?: string,
  ): AuthenticatedCaller | Promise<AuthenticatedCaller> {
    let parsed: ParsedSignedRequest;
    try {
      parsed = deps.verifier.parse(
        {
          method: call.method,
          rawUrl: call.url,
          headers: call.headers,
          // Node merges or drops repeated headers; the verifier refuses repeats of the signing ones.
          rawHeaders: call.rawHeaders,
          body,
        },
        service,
      );
    } catch (error) {
      const authorization = call.headers.authorization;
      if (typeof authorization === "string") {
        record.claimedAccessKeyId = credentialPattern.exec(authorization)?.[1];
      }
      throw error;
    }
    record.claimedAccessKeyId = parsed.accessKeyId;
    const recent = deps.accessKeys.recent(parsed.accessKeyId);
    if (recent !== "unknown") return accept(parsed, recent, record);
    return deps.accessKeys.lookup(parsed.accessKeyId).then((key) => accept(parsed, key, record));
  };

  function accept(
    parsed: ParsedSignedRequest,
    key: ActiveKey | undefined,
    record: RequestRecord,
  ): AuthenticatedCaller {
    const verified = deps.verifier.check(parsed, key?.secret);
    if (!key) throw new UnrecognizedClientException(invalidToken);
    if (verified.accessKeyId !== parsed.accessKeyId)
      throw new InvalidSignatureException("Credential mismatch.");
    record.region = verified.region;
    if (key.expiresAt !== undefined && key.expiresAt <= deps.now()) {
      throw new ExpiredTokenException("The security token included in the request is expired.");
    }
    const tokenOk =
      key.sessionTokenHash === undefined
        ? verified.sessionToken === undefined
        : sessionTokenMatches(verified.sessionToken, key.sessionTokenHash);
    if (!tokenOk) throw new UnrecognizedClientException(invalidToken);
    record.caller = { principal: key.principal, accessKeyId: parsed.accessKeyId, session: key.session };
    deps.accessKeys.recordUse(parsed.accessKeyId, record.sourceIp);
    // Built field by field: an object spread is a generic copy on every request.
    const caller: AuthenticatedCaller = {
      accessKeyId: verified.accessKeyId,
      region: verified.region,
      date: verified.date,
      signedAt: verified.signedAt,
      principal: key.principal,
      session: key.session,
    };
    if (verified.sessionToken !== undefined) caller.sessionToken = verified.sessionToken;
    return caller;
  }
}
