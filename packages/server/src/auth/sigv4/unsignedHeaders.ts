import { IncompleteSignatureException } from "../../errors/catalog.js";

/** How AWS spells the headers it names in its messages. */
const DISPLAY_NAMES: Readonly<Record<string, string>> = {
  "content-type": "Content-Type",
  "x-amz-target": "X-Amz-Target",
  "x-amz-security-token": "X-Amz-Security-Token",
  "x-amz-date": "X-Amz-Date",
};

/**
 * Every `Content-Type` and `x-amz-*` header the request carries must be in `SignedHeaders`, as the
 * SigV4 documentation asks of signers ("host, content-type and any x-amz-* headers"): otherwise a
 * captured request could be replayed with another operation (`X-Amz-Target`) or body framing.
 * The AWS SDKs, botocore and the aws CLI sign all of them. `Host` and the signing time are checked
 * where they are read. IncompleteSignatureException, in AWS's wording for an unsigned `X-Amz-Date`.
 *
 * `x-amz-content-sha256` may go unsigned (as S3 allows): it is checked against the body anyway.
 *
 * A header that is absent is not required here: the request pipeline refuses a `POST` without a
 * target or content type, and `GET /changes` has neither.
 */
export function checkUnsignedHeaders(
  headers: Record<string, string | string[] | undefined>,
  signedHeaderNames: readonly string[],
): void {
  for (const name in headers) {
    // Most headers start with neither "c" nor "x": one character comparison skips them.
    const first = name.charCodeAt(0);
    if (first !== 0x78 /* x */ && first !== 0x63 /* c */) continue;
    if (name !== "content-type" && !name.startsWith("x-amz-")) continue;
    if (name === "x-amz-content-sha256") continue;
    if (headers[name] === undefined || signedHeaderNames.includes(name)) continue;
    const shown = DISPLAY_NAMES[name] ?? name;
    throw new IncompleteSignatureException(`'${shown}' must be a 'SignedHeader' in the AWS Authorization.`);
  }
}
