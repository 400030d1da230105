import { IncompleteSignatureException } from "../../errors/catalog.js";
import { headerValue } from "./headerValue.js";

export interface RequestTime {
  /** `yyyymmddThhmmssZ`: the timestamp line of the string to sign. */
  amzDate: string;
  /** The same instant in epoch milliseconds. */
  epochMs: number;
}

/** RFC 9110 IMF-fixdate, the only form senders may generate; it always says GMT, so no time zone guessing. */
const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * The signing time: `x-amz-date` (ISO 8601 basic format), or when it is absent the HTTP `date`
 * header, which the spec also allows. Whichever is used must itself be signed, otherwise anyone could
 * replay the request with a fresh time. Every failure here is IncompleteSignatureException.
 */
export function readRequestTime(
  headers: Record<string, string | string[] | undefined>,
  signedHeaderNames: readonly string[],
): RequestTime {
  const amzDate = headerValue(headers["x-amz-date"]);
  if (amzDate !== undefined) {
    if (!signedHeaderNames.includes("x-amz-date")) {
      throw new IncompleteSignatureException(
        "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.",
      );
    }
    const epochMs = parseAmzDate(amzDate);
    if (epochMs === undefined) {
      throw new IncompleteSignatureException(
        `Date must be in ISO-8601 'basic format'. Got '${amzDate.slice(0, 64)}'. ` +
          "See http://en.wikipedia.org/wiki/ISO_8601",
      );
    }
    return { amzDate, epochMs };
  }

  const httpDate = headerValue(headers.date);
  if (httpDate !== undefined) {
    if (!signedHeaderNames.includes("date")) {
      throw new IncompleteSignatureException("'Date' must be a 'SignedHeader' in the AWS Authorization.");
    }
    const epochMs = IMF_FIXDATE.test(httpDate) ? Date.parse(httpDate) : Number.NaN;
    if (Number.isNaN(epochMs)) {
      throw new IncompleteSignatureException(
        `The 'Date' header must be an HTTP date (e.g. 'Mon, 01 Jan 2024 00:00:00 GMT'). Got '${httpDate.slice(0, 64)}'.`,
      );
    }
    return { amzDate: formatAmzDate(epochMs), epochMs };
  }

  throw new IncompleteSignatureException(
    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
  );
}

/** Parses `yyyymmddThhmmssZ`; undefined unless it is a real calendar date and time. */
export function parseAmzDate(value: string): number | undefined {
  // Digit arithmetic instead of a capturing regex: this runs on every request.
  if (value.length !== 16 || value.charCodeAt(8) !== 0x54 /* T */ || value.charCodeAt(15) !== 0x5a /* Z */) {
    return undefined;
  }
  const year = digits(value, 0, 4);
  const month = digits(value, 4, 2);
  const day = digits(value, 6, 2);
  const hour = digits(value, 9, 2);
  const minute = digits(value, 11, 2);
  const second = digits(value, 13, 2);
  // digits() gives -1 for a non-digit. Date.UTC reads years 0-99 as 1900-1999; no real request is
  // signed in the first century anyway.
  if (year < 100 || month < 1 || month > 12 || day < 1) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 20240231 over to March; rejecting that keeps one instant per accepted string.
  if (new Date(epochMs).getUTCDate() !== day) return undefined;
  return epochMs;
}

/** The decimal number in `value[start, start + count)`, or -1 if any character is not a digit. */
function digits(value: string, start: number, count: number): number {
  let result = 0;
  for (let i = start; i < start + count; i++) {
    const digit = value.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    result = result * 10 + digit;
  }
  return result;
}

/** Epoch milliseconds as `yyyymmddThhmmssZ`, dropping the milliseconds. */
export function formatAmzDate(epochMs: number): string {
  const iso = new Date(epochMs).toISOString(); // 2024-01-01T00:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}
