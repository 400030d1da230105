import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AuditLog } from "./audit-log.js";
import type { PreparedAuditRecord } from "./audit-record.js";
import type { AppendedRange, AuditStore } from "./port.js";

/** A store whose transactions end when the test says so: each appendBatch waits for `release`. */
function gatedStore() {
  const batches: Array<{ records: readonly PreparedAuditRecord[]; release: () => void }> = [];
  let seq = 0;
  let told: (() => void) | undefined;
  const store = {
    appendBatch(records: readonly PreparedAuditRecord[]): Promise<AppendedRange> {
      return new Promise((resolve) => {
        const firstSeq = seq + 1;
        seq += records.length;
        batches.push({
          records,
          release: () => resolve({ firstSeq, lastSeq: seq, hash: "h" }),
        });
        told?.();
      });
    },
    close: async () => {},
  } as unknown as AuditStore;
  /** Resolves once `count` transactions have reached the store. */
  const entered = (count: number) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (batches.length >= count) {
          told = undefined;
          resolve();
        }
      };
      told = check;
      check();
    });
  return { store, batches, entered };
}

describe("the audit log's queue depth (for metrics)", () => {
  test("counts appended events as pending, then in flight while their transaction is written, then none", async () => {
    const { store, batches, entered } = gatedStore();
    const log = new AuditLog(store);
    assert.deepEqual(log.queueDepth(), { pending: 0, inFlight: 0 });
    const first = [log.appendLine("{}"), log.appendLine("{}"), log.appendLine("{}")];
    assert.deepEqual(log.queueDepth(), { pending: 3, inFlight: 0 });
    await entered(1);
    assert.deepEqual(log.queueDepth(), { pending: 0, inFlight: 3 });
    // Appends during a transaction wait for the next one.
    const second = [log.appendLine("{}"), log.appendLine("{}")];
    assert.deepEqual(log.queueDepth(), { pending: 2, inFlight: 3 });
    batches[0]?.release();
    await Promise.all(first);
    await entered(2);
    assert.deepEqual(log.queueDepth(), { pending: 0, inFlight: 2 });
    batches[1]?.release();
    await Promise.all(second);
    assert.deepEqual(log.queueDepth(), { pending: 0, inFlight: 0 });
    await log.close();
  });
});
