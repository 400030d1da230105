import { defaultKeysTtlMs, maxKeysTtlMs, minKeysTtlMs } from "./limits.js";

/**
 * How long fetched keys are used before they are fetched again: the answer's `Cache-Control:
 * max-age` within [{@link minKeysTtlMs}, {@link maxKeysTtlMs}]; `no-cache`/`no-store` mean the
 * floor; nothing usable means {@link defaultKeysTtlMs}.
 */
export function keysTtlMs(cacheControl: string | undefined): number {
  if (cacheControl === undefined) return defaultKeysTtlMs;
  const directives = cacheControl
    .toLowerCase()
    .split(",")
    .map((directive) => directive.trim());
  if (directives.includes("no-cache") || directives.includes("no-store")) return minKeysTtlMs;
  const maxAge = directives
    .map((directive) => /^max-age\s*=\s*"?(\d{1,12})"?$/.exec(directive)?.[1])
    .find(Boolean);
  if (maxAge === undefined) return defaultKeysTtlMs;
  return Math.min(maxKeysTtlMs, Math.max(minKeysTtlMs, Number(maxAge) * 1000));
}
