import type { FramedCall } from "./frame.js";
import { parseJsonObject } from "./parse-json.js";
import type { RequestRecord } from "./request-record.js";

/**
 * Phase 4, parse and validate: the body is a JSON object that matches the operation's input shape
 * in its API's model (SerializationException or ValidationException otherwise), so handlers see
 * only modelled members of their modelled types. The parsed input is recorded before it is
 * validated: a refused request's audit event shows what was sent (redacted by the model).
 */
export function parseInput(framed: FramedCall, body: Buffer, record: RequestRecord): Record<string, unknown> {
  const input = parseJsonObject(body);
  record.input = input;
  framed.api.validate(framed.operation.name, input);
  return input;
}
