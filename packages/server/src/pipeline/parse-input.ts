import type { FramedCall } from "./frame.js";
import { parseJsonObject } from "./parse-json.js";

/**
 * Phase 4, parse and validate: the body is a JSON object that matches the operation's input shape
 * in its API's model (SerializationException or ValidationException otherwise), so handlers see
 * only modelled members of their modelled types.
 */
export function parseInput(framed: FramedCall, body: Buffer): Record<string, unknown> {
  const input = parseJsonObject(body);
  framed.api.validate(framed.operation.name, input);
  return input;
}
