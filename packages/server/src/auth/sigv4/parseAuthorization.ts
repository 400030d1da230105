import { IncompleteSignatureException } from "../../errors/catalog.js";
import { signedHeaderNames } from "./signedHeaderNames.js";

export const SIGV4_ALGORITHM = "AWS4-HMAC-SHA256";
const ALGORITHM_PREFIX = `${SIGV4_ALGORITHM} `;

/** The fields of `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`. */
export interface ParsedAuthorization {
  accessKeyId: string;
  /** `yyyymmdd/region/service/terminator`, exactly as sent: it goes verbatim into the string to sign. */
  credentialScope: string;
  scopeDate: string;
  scopeRegion: string;
  scopeService: string;
  scopeTerminator: string;
  /** The `SignedHeaders` value exactly as sent: it goes verbatim into the canonical request. */
  signedHeaders: string;
  signedHeaderNames: readonly string[];
  /** The `Signature` value as sent (not yet checked to be hex). */
  signature: string;
}

/**
 * Parses the Authorization header, throwing IncompleteSignatureException for anything structurally
 * wrong: another algorithm, a missing or repeated parameter, a credential that is not five
 * slash-separated elements, an empty or malformed SignedHeaders list, or one without `host`.
 *
 * Messages never echo the header or its parts here: a confused client may have put a secret there.
 */
export function parseAuthorization(header: string): ParsedAuthorization {
  // A bare "AWS4-HMAC-SHA256" is the right algorithm with every parameter missing, reported below.
  if (header !== SIGV4_ALGORITHM && !header.startsWith(ALGORITHM_PREFIX)) {
    throw new IncompleteSignatureException(
      `Unsupported Authorization header: Coffer accepts only the '${SIGV4_ALGORITHM}' algorithm ` +
        `('Authorization: ${SIGV4_ALGORITHM} Credential=..., SignedHeaders=..., Signature=...').`,
    );
  }

  // Hand-rolled scanning with indexOf: this runs on every request, and split/trim would allocate
  // an array and a string per parameter.
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  let position = SIGV4_ALGORITHM.length;
  while (position < header.length) {
    const comma = header.indexOf(",", position);
    const partEnd = comma === -1 ? header.length : comma;
    let start = position;
    let end = partEnd;
    while (start < end && isSpaceOrTab(header.charCodeAt(start))) start++;
    while (end > start && isSpaceOrTab(header.charCodeAt(end - 1))) end--;
    if (header.startsWith("Credential=", start)) {
      credential = assignOnce("Credential", credential, header.slice(start + 11, end));
    } else if (header.startsWith("SignedHeaders=", start)) {
      signedHeaders = assignOnce("SignedHeaders", signedHeaders, header.slice(start + 14, end));
    } else if (header.startsWith("Signature=", start)) {
      signature = assignOnce("Signature", signature, header.slice(start + 10, end));
    }
    // Anything else is ignored: unknown parameters are not part of what the signature covers.
    position = partEnd + 1;
  }

  if (!credential || !signature || !signedHeaders) {
    const missing = [
      ...(credential ? [] : ["Credential"]),
      ...(signature ? [] : ["Signature"]),
      ...(signedHeaders ? [] : ["SignedHeaders"]),
    ];
    throw new IncompleteSignatureException(
      missing.map((name) => `Authorization header requires '${name}' parameter.`).join(" "),
    );
  }

  // keyid/date/region/service/terminator: exactly four slashes.
  const slash1 = credential.indexOf("/");
  const slash2 = slash1 === -1 ? -1 : credential.indexOf("/", slash1 + 1);
  const slash3 = slash2 === -1 ? -1 : credential.indexOf("/", slash2 + 1);
  const slash4 = slash3 === -1 ? -1 : credential.indexOf("/", slash3 + 1);
  if (slash1 === 0) {
    throw new IncompleteSignatureException(
      "Credential must start with an access key id, e.g. keyid/date/region/service/term.",
    );
  }
  if (slash4 === -1 || credential.includes("/", slash4 + 1)) {
    throw new IncompleteSignatureException(
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, " +
        `got ${credential.split("/").length}.`,
    );
  }

  return {
    accessKeyId: credential.slice(0, slash1),
    credentialScope: credential.slice(slash1 + 1),
    scopeDate: credential.slice(slash1 + 1, slash2),
    scopeRegion: credential.slice(slash2 + 1, slash3),
    scopeService: credential.slice(slash3 + 1, slash4),
    scopeTerminator: credential.slice(slash4 + 1),
    signedHeaders,
    signedHeaderNames: signedHeaderNames(signedHeaders),
    signature,
  };
}

function assignOnce(name: string, current: string | undefined, value: string): string {
  if (current !== undefined) {
    throw new IncompleteSignatureException(`Authorization header has more than one '${name}' parameter.`);
  }
  return value;
}

function isSpaceOrTab(code: number): boolean {
  return code === 0x20 || code === 0x09;
}
