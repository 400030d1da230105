import { createHash } from "node:crypto";
import { InvalidNextTokenException } from "../../errors/catalog.js";

/**
 * NextToken is a keyset cursor (the last item's sort value and ARN) plus a digest of the query it
 * belongs to, so pages stay correct while secrets are added or removed and a token cannot be
 * replayed against a different query.
 */
export interface Cursor {
  sortValue: string | number;
  id: string;
}

export function queryDigest(query: unknown): string {
  return createHash("sha256").update(JSON.stringify(query)).digest("base64url").slice(0, 16);
}

export function encodePageToken(cursor: Cursor, digest: string): string {
  return Buffer.from(JSON.stringify({ v: 1, q: digest, s: cursor.sortValue, i: cursor.id })).toString(
    "base64url",
  );
}

export function decodePageToken(token: string | undefined, digest: string): Cursor | undefined {
  if (token === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  if (!isTokenBody(parsed) || parsed.q !== digest) throw invalid();
  return { sortValue: parsed.s, id: parsed.i };
}

function isTokenBody(value: unknown): value is { v: 1; q: string; s: string | number; i: string } {
  if (typeof value !== "object" || value === null) return false;
  const body = value as Record<string, unknown>;
  return (
    body.v === 1 &&
    typeof body.q === "string" &&
    (typeof body.s === "string" || typeof body.s === "number") &&
    typeof body.i === "string"
  );
}

function invalid(): InvalidNextTokenException {
  return new InvalidNextTokenException(
    "The NextToken is invalid or belongs to a different query; repeat the request without it to start over.",
  );
}
