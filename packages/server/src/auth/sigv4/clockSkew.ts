import { InvalidSignatureException } from "../../errors/catalog.js";
import { formatAmzDate } from "./requestTime.js";

export const DEFAULT_MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Rejects a signing time more than `maxSkewMs` from the server clock, with AWS's messages. The
 * comparison is at whole seconds, the resolution of `x-amz-date`, so a request exactly at the limit
 * passes and the times in the message are the ones actually compared.
 */
export function checkClockSkew(amzDate: string, signedAtMs: number, nowMs: number, maxSkewMs: number): void {
  const nowSecondsMs = Math.floor(nowMs / 1000) * 1000;
  if (signedAtMs < nowSecondsMs - maxSkewMs) {
    throw new InvalidSignatureException(
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(nowSecondsMs - maxSkewMs)} ` +
        `(${formatAmzDate(nowSecondsMs)} - ${describeDuration(maxSkewMs)})`,
    );
  }
  if (signedAtMs > nowSecondsMs + maxSkewMs) {
    throw new InvalidSignatureException(
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(nowSecondsMs + maxSkewMs)} ` +
        `(${formatAmzDate(nowSecondsMs)} + ${describeDuration(maxSkewMs)})`,
    );
  }
}

function describeDuration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min.` : `${ms / 1000} sec.`;
}
