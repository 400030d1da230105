import { canonicalQuery } from "./canonicalQuery.js";
import { canonicalUri } from "./canonicalUri.js";

export interface CanonicalRequestParts {
  method: string;
  /** Request target as received: path and optional "?query", both still percent-encoded. */
  rawUrl: string;
  /** Output of `canonicalHeaders`: one `name:value\n` line per signed header. */
  canonicalHeaders: string;
  /** The `SignedHeaders` list exactly as the client sent it, e.g. "host;x-amz-date". */
  signedHeaders: string;
  /** Lower-case hex SHA-256 of the body. */
  payloadHash: string;
}

/** The canonical request of SigV4 (non-S3 rules), the text whose hash the signature covers. */
export function canonicalRequest(parts: CanonicalRequestParts): string {
  const { rawUrl } = parts;
  const queryStart = rawUrl.indexOf("?");
  const rawPath = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
  const rawQuery = queryStart === -1 ? "" : rawUrl.slice(queryStart + 1);
  return (
    `${parts.method}\n${canonicalUri(rawPath)}\n${canonicalQuery(rawQuery)}\n` +
    `${parts.canonicalHeaders}\n${parts.signedHeaders}\n${parts.payloadHash}`
  );
}
