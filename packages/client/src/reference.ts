import { fileURLToPath } from "node:url";
import { CofferClientError } from "./errors.js";

/** Schemes a reference may name; "" is a bare id, looked up in the configured sources. */
export const referenceSchemes = ["coffer", "aws", "env", "file", "dotenv", "agent"] as const;
export type ReferenceScheme = (typeof referenceSchemes)[number] | "";

export interface Reference {
  /** "coffer", "aws", "env", "file", "dotenv", "agent", or "" for a bare id. */
  scheme: string;
  /** The secret id for the backend (for `file://`, the absolute path). */
  id: string;
  /** One top-level JSON field, from `#field`. */
  field?: string;
}

const schemePattern = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/**
 * `coffer://prod/db#password` → { scheme: "coffer", id: "prod/db", field: "password" };
 * `prod/db#password` → { scheme: "", … }; `file:///run/secrets/db` → { scheme: "file", id: "/run/secrets/db" }.
 * ARNs (`arn:aws:secretsmanager:…`) are bare ids. Secret names and ARNs cannot contain `#`, so
 * the first `#` starts the field. Nothing is percent-decoded except in `file://` URLs.
 */
export function parseReference(reference: string): Reference {
  if (typeof reference !== "string" || reference === "") {
    throw new CofferClientError("A secret reference must be a non-empty string.");
  }
  const match = schemePattern.exec(reference);
  const scheme = match?.[1]?.toLowerCase() ?? "";
  if (scheme !== "" && !(referenceSchemes as readonly string[]).includes(scheme)) {
    throw new CofferClientError(
      `Unknown reference scheme "${scheme}://"; expected one of ${referenceSchemes.map((s) => `${s}://`).join(", ")}.`,
    );
  }
  const rest = match === null ? reference : reference.slice(match[0].length);
  const hash = rest.indexOf("#");
  const idPart = hash === -1 ? rest : rest.slice(0, hash);
  const field = hash === -1 ? undefined : rest.slice(hash + 1);
  if (field !== undefined && field === "") {
    throw new CofferClientError(`Reference "${reference}" has an empty #field.`);
  }
  const id = scheme === "file" ? filePath(reference, idPart) : idPart;
  if (id === "") throw new CofferClientError(`Reference "${reference}" names no secret.`);
  return field === undefined ? { scheme, id } : { scheme, id, field };
}

function filePath(reference: string, idPart: string): string {
  try {
    return fileURLToPath(`file://${idPart}`);
  } catch {
    throw new CofferClientError(`Reference "${reference}" is not a valid file:///absolute/path URL.`);
  }
}

/** A parsed reference plus version options, with its cache key: what the cache and backends work on. */
export interface Target {
  readonly scheme: string;
  readonly id: string;
  readonly field: string | undefined;
  readonly versionId: string | undefined;
  readonly versionStage: string | undefined;
  /** Identifies the record (not the field): scheme, id and version. */
  readonly key: string;
}

export function toTarget(reference: Reference, versionId?: string, versionStage?: string): Target {
  let key = `${reference.scheme}\u0000${reference.id}`;
  if (versionId !== undefined) key += `\u0000id\u0000${versionId}`;
  if (versionStage !== undefined) key += `\u0000stage\u0000${versionStage}`;
  return { scheme: reference.scheme, id: reference.id, field: reference.field, versionId, versionStage, key };
}
