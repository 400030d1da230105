import { SerializationException } from "../errors/catalog.js";

/** The body must be a JSON object; an empty body counts as `{}`. Parser messages are not echoed: they quote input. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new SerializationException("The request body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new SerializationException("The request body must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}
