import type { GetOptions, SecretRecord } from "@coffer/client";
import type { AgentSecrets } from "../secrets-port.js";

export interface RecordedRead {
  id: string;
  options: GetOptions | undefined;
}

/** A stand-in for the client library: answers from `records` by id, or throws what `fail` returns. */
export function fakeSecrets(
  records: Record<string, Omit<SecretRecord, "id">>,
  fail: (id: string) => Error | undefined = () => undefined,
): { secrets: AgentSecrets; reads: RecordedRead[] } {
  const reads: RecordedRead[] = [];
  const secrets: AgentSecrets = {
    async getRecord(id, options) {
      reads.push({ id, options });
      const error = fail(id);
      if (error !== undefined) throw error;
      const record = records[id];
      if (record === undefined) throw new Error(`fake: no record ${id} and no error for it`);
      return { id, ...record };
    },
  };
  return { secrets, reads };
}
