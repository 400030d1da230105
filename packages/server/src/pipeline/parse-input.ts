import { parseForm } from "../protocol/query/form.js";
import type { FramedCall } from "./frame.js";
import { parseJsonObject } from "./parse-json.js";
import type { RequestRecord } from "./request-record.js";

/**
 * Phase 4, parse and validate: the body, read by the API's protocol — a JSON object (AWS JSON), or
 * the form's members decoded by the model (the Query protocol) — must match the operation's input
 * shape in its API's model (SerializationException or ValidationException otherwise), so handlers
 * see only modelled members of their modelled types, whichever protocol carried them. The parsed
 * input is recorded before it is validated: a refused request's audit event shows what was sent
 * (redacted by the model).
 */
export function parseInput(framed: FramedCall, body: Buffer, record: RequestRecord): Record<string, unknown> {
  const { api } = framed;
  const input =
    api.protocol === "awsJson1_1"
      ? parseJsonObject(body)
      : api.decode(framed.operation.name, framed.form ?? parseForm(body));
  record.input = input;
  api.validate(framed.operation.name, input);
  return input;
}
