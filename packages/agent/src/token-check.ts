import { hash, timingSafeEqual } from "node:crypto";

/** The header callers put the agent's token in (AWS Secrets Manager Agent and Lambda extension). */
export const TOKEN_HEADER = "x-aws-parameters-secrets-token";

export type TokenVerdict = "valid" | "missing" | "wrong";

/** Builds a checker for one configured token; `presented` is the header as Node parsed it. */
export function tokenChecker(expected: string): (presented: string | string[] | undefined) => TokenVerdict {
  // Comparing fixed-size digests keeps the comparison constant-time and hides the token's length.
  const expectedDigest = digest(expected);
  return (presented) => {
    if (presented === undefined || presented === "") return "missing";
    if (typeof presented !== "string") return "wrong";
    return timingSafeEqual(digest(presented), expectedDigest) ? "valid" : "wrong";
  };
}

/** One-shot SHA-256 (no Hash object per request). */
function digest(text: string): Buffer {
  return hash("sha256", text, "buffer");
}
