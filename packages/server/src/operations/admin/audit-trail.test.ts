import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { AuditLog } from "../../audit/audit-log.js";
import { AuditReader } from "../../audit/audit-reader.js";
import { JournaledAuditStore } from "../../storage/file/journaled-audit-store.js";
import { sampleEvent } from "../../storage/sqlite/audit/fixtures.test-helper.js";
import { queryAuditEvents, tailAuditEvents, verifyAuditTrail } from "./audit-trail.js";

let home: string;
let log: AuditLog;
before(async () => {
  home = mkdtempSync(join(tmpdir(), "coffer-audit-ops-"));
  log = new AuditLog(JournaledAuditStore.openForWriting(home));
  for (let i = 0; i < 5; i++) await log.append(sampleEvent(i));
});
after(async () => {
  await log.close();
  rmSync(home, { recursive: true, force: true });
});

const services = (limits = {}) => ({ audit: new AuditReader(log, limits) });
type Entry = { Seq: number; PrevHash?: string; Hash?: string; Event: { eventTime: string } };

describe("the audit operations", () => {
  test("QueryAuditEvents: newest first by default, times in epoch seconds to the millisecond, chain on request", async () => {
    const all = (await queryAuditEvents({}, undefined, services())) as { Events: Entry[] };
    assert.deepEqual(
      all.Events.map((e) => e.Seq),
      [5, 4, 3, 2, 1],
    );
    assert.equal(all.Events[0]?.Hash, undefined);
    // sampleEvent(n) is at 2026-01-01T00:00:0n.000Z: [1.000 s, 3.000 s) holds events 2 and 3.
    const start = Date.UTC(2026, 0, 1) / 1000;
    const ranged = (await queryAuditEvents(
      { StartTime: start + 1, EndTime: start + 3, SortOrder: "asc", IncludeChain: true },
      undefined,
      services(),
    )) as { Events: Entry[] };
    assert.deepEqual(
      ranged.Events.map((e) => e.Seq),
      [2, 3],
    );
    assert.match(ranged.Events[0]?.Hash ?? "", /^[0-9a-f]{64}$/);
    assert.equal(ranged.Events[1]?.PrevHash, ranged.Events[0]?.Hash);
    const ms = (await queryAuditEvents(
      { StartTime: start + 0.001, SortOrder: "asc" },
      undefined,
      services(),
    )) as {
      Events: Entry[];
    };
    assert.equal(ms.Events[0]?.Seq, 2, "an event at exactly 0.000 s is before 0.001 s");
  });

  test("errors: a foreign NextToken, a busy reader, half an anchor", async () => {
    await assert.rejects(queryAuditEvents({ NextToken: "eyJ2IjoxfQ" }, undefined, services()), {
      name: "InvalidNextTokenException",
    });
    const busy = services({ maxWaiters: 1 });
    const waiting = tailAuditEvents({ WaitTimeSeconds: 20 }, undefined, busy);
    await assert.rejects(tailAuditEvents({ WaitTimeSeconds: 1 }, undefined, busy), {
      name: "ThrottlingException",
    });
    busy.audit.close();
    await waiting;
    await assert.rejects(verifyAuditTrail({ AnchorHash: "0".repeat(64) }, undefined, services()), {
      name: "InvalidParameterException",
    });
  });

  test("VerifyAuditTrail answers the head, and checks an anchor", async () => {
    const head = await log.head();
    assert.deepEqual(await verifyAuditTrail({}, undefined, services()), {
      Intact: true,
      EventCount: 5,
      HeadSeq: head.seq,
      HeadHash: head.hash,
    });
    const wrong = (await verifyAuditTrail(
      { AnchorSeq: 2, AnchorHash: "0".repeat(64) },
      undefined,
      services(),
    )) as {
      Intact: boolean;
      Problem: string;
      ProblemSeq: number;
    };
    assert.deepEqual([wrong.Intact, wrong.Problem, wrong.ProblemSeq], [false, "modified", 2]);
  });
});
