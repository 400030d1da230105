import { timingSafeEqual } from "node:crypto";

/** The header callers put the agent's token in (AWS Secrets Manager Agent and Lambda extension). */
export const TOKEN_HEADER = "x-aws-parameters-secrets-token";

export type TokenVerdict = "valid" | "missing" | "wrong";

/**
 * Presented tokens are compared over at least this many bytes, zero-padded, so the time taken
 * does not tell the token's length (unless the token is longer).
 */
const MIN_COMPARED_BYTES = 256;

/**
 * Builds a checker for one configured token (printable ASCII, as startAgent requires);
 * `presented` is the header as Node parsed it.
 *
 * Constant-time in the token: the presented value is written into a zeroed buffer of a fixed
 * size and compared with the zero-padded token over the whole buffer by `timingSafeEqual`, and
 * the lengths are compared apart, without an early exit on either. No hashing per request (a
 * SHA-256 here cost more than the rest of a cache hit). A non-ASCII character cannot match: its
 * UTF-8 bytes are all ≥ 0x80, and where it does not fit, the zeros left differ from the token.
 */
export function tokenChecker(expected: string): (presented: string | string[] | undefined) => TokenVerdict {
  const size = Math.max(MIN_COMPARED_BYTES, Buffer.byteLength(expected, "utf8"));
  const expectedBytes = Buffer.alloc(size);
  expectedBytes.write(expected, "utf8");
  const presentedBytes = Buffer.alloc(size);
  return (presented) => {
    if (presented === undefined || presented === "") return "missing";
    if (typeof presented !== "string" || presented.length > size) return "wrong";
    presentedBytes.fill(0);
    presentedBytes.write(presented, "utf8");
    const sameBytes = timingSafeEqual(presentedBytes, expectedBytes);
    const sameLength = presented.length === expected.length;
    presentedBytes.fill(0);
    return sameBytes && sameLength ? "valid" : "wrong";
  };
}
