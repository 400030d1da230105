import type { SecretRecord } from "@coffer/client";
import { jsonHeaders } from "./reply.js";
import { toGetSecretValueResponse } from "./secret-response.js";

/** A 200 answer ready to send: the JSON body and the headers (with its byte length). */
export interface SecretAnswer {
  readonly body: string;
  readonly headers: readonly string[];
}

/**
 * The GetSecretValue answer of a record, serialized once per record: the client library hands out
 * the same frozen record for every hit of one cached version, so a warm read sends bytes built on
 * its first read. A refresh or a change brings a new record object, hence a new answer; answers
 * go with their records (weakly held). A record that is not frozen (another `AgentSecrets`) could
 * change, so it is serialized on each read.
 */
export function secretAnswerOf(record: SecretRecord): SecretAnswer {
  const known = answers.get(record);
  if (known !== undefined) return known;
  const body = JSON.stringify(toGetSecretValueResponse(record));
  const answer: SecretAnswer = { body, headers: jsonHeaders(Buffer.byteLength(body)) };
  if (Object.isFrozen(record)) answers.set(record, answer);
  return answer;
}

const answers = new WeakMap<SecretRecord, SecretAnswer>();
