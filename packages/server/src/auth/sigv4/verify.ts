import { InvalidSignatureException, UnrecognizedClientException } from "../../errors/catalog.js";
import { canonicalHeaders } from "./canonicalHeaders.js";
import { canonicalRequest } from "./canonicalRequest.js";
import { checkClockSkew, DEFAULT_MAX_CLOCK_SKEW_MS } from "./clockSkew.js";
import { checkCredentialScope } from "./credentialScope.js";
import { headerValue } from "./headerValue.js";
import { missingAuthorization } from "./missingAuthorization.js";
import { parseAuthorization, SIGV4_ALGORITHM } from "./parseAuthorization.js";
import { payloadHash } from "./payloadHash.js";
import { checkRepeatedHeaders } from "./repeatedHeaders.js";
import { readRequestTime } from "./requestTime.js";
import { sha256Hex } from "./sha256.js";
import { signatureMatches } from "./signatureMatches.js";
import { SigningKeyCache } from "./signingKey.js";
import type {
  CredentialLookup,
  IncomingSignedRequest,
  ParsedSignedRequest,
  SigV4Verifier,
  SigV4VerifierOptions,
  VerifiedRequest,
} from "./types.js";
import { checkUnsignedHeaders } from "./unsignedHeaders.js";

/** What `parse` keeps for `check`: the request and everything read from it, so nothing is parsed twice. */
interface ParsedParts extends ParsedSignedRequest {
  request: IncomingSignedRequest;
  auth: ReturnType<typeof parseAuthorization>;
  time: ReturnType<typeof readRequestTime>;
  headerBlock: string;
  /** The service the credential scope was checked against, and the signing key is derived for. */
  service: string;
}

/**
 * Server side of AWS Signature Version 4, header form only.
 *
 * Checks run cheapest and least sensitive first: repeated headers and the header's shape, then
 * which headers are signed (IncompleteSignatureException), the scope and clock (InvalidSignatureException), and only then the credential store
 * (UnrecognizedClientException) and the cryptography (InvalidSignatureException).
 */
export function createSigV4Verifier(options: SigV4VerifierOptions): SigV4Verifier {
  const maxSkewMs = options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
  const now = options.now ?? Date.now;
  if (!Number.isFinite(maxSkewMs) || maxSkewMs < 0) {
    throw new RangeError(`maxClockSkewMs must be a non-negative number, got ${maxSkewMs}`);
  }
  const signingKeys = new SigningKeyCache();

  function parse(request: IncomingSignedRequest, service = options.service): ParsedParts {
    const { headers } = request;
    if (request.rawHeaders !== undefined) checkRepeatedHeaders(request.rawHeaders);
    const authorization = headerValue(headers.authorization);
    if (authorization === undefined || authorization.trim() === "")
      throw missingAuthorization(request.rawUrl);

    const auth = parseAuthorization(authorization);
    const time = readRequestTime(headers, auth.signedHeaderNames);
    checkUnsignedHeaders(headers, auth.signedHeaderNames);
    checkCredentialScope(auth, service, time.amzDate);
    const headerBlock = canonicalHeaders(headers, auth.signedHeaderNames);
    checkClockSkew(time.amzDate, time.epochMs, now(), maxSkewMs);
    return { accessKeyId: auth.accessKeyId, request, auth, time, headerBlock, service };
  }

  function check(parsed: ParsedSignedRequest, secretAccessKey: string | undefined): VerifiedRequest {
    if (secretAccessKey === undefined) {
      throw new UnrecognizedClientException("The security token included in the request is invalid.");
    }
    const { request, auth, time, headerBlock, service } = parsed as ParsedParts;
    const { headers } = request;

    const hash = payloadHash(headers, request.body);
    // `POST /`, the only request line the API uses: its canonical URI and query need no work.
    const canonical =
      request.rawUrl === "/"
        ? `${request.method}\n/\n\n${headerBlock}\n${auth.signedHeaders}\n${hash}`
        : canonicalRequest({
            method: request.method,
            rawUrl: request.rawUrl,
            canonicalHeaders: headerBlock,
            signedHeaders: auth.signedHeaders,
            payloadHash: hash,
          });
    const stringToSign = `${SIGV4_ALGORITHM}\n${time.amzDate}\n${auth.credentialScope}\n${sha256Hex(canonical)}`;
    const signingKey = signingKeys.get(secretAccessKey, auth.scopeDate, auth.scopeRegion, service);
    if (!signatureMatches(signingKey.signHex(stringToSign), auth.signature)) {
      throw new InvalidSignatureException(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret " +
          "Access Key and signing method. Consult the service documentation for details.",
      );
    }

    const verified: VerifiedRequest = {
      accessKeyId: auth.accessKeyId,
      region: auth.scopeRegion,
      date: auth.scopeDate,
      signedAt: new Date(time.epochMs),
    };
    const sessionToken = headerValue(headers["x-amz-security-token"]);
    if (sessionToken !== undefined) verified.sessionToken = sessionToken;
    return verified;
  }

  function verify(request: IncomingSignedRequest, credentials: CredentialLookup): VerifiedRequest {
    const parsed = parse(request);
    return check(parsed, credentials.secretFor(parsed.accessKeyId));
  }

  return { verify, parse, check };
}
