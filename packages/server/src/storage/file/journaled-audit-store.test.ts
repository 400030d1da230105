import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { AuditLog } from "../../audit/audit-log.js";
import { sampleEvent } from "../sqlite/audit/fixtures.test-helper.js";
import { auditJournalFileName, JournaledAuditStore } from "./journaled-audit-store.js";

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "coffer-journal-"));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

async function writeEvents(count: number, options = {}) {
  const log = new AuditLog(JournaledAuditStore.openForWriting(home, options));
  await Promise.all(Array.from({ length: count }, (_, i) => log.append(sampleEvent(i))));
  await log.close();
}

const journalPath = () => join(home, auditJournalFileName);
const lines = () => readFileSync(journalPath(), "utf8").split("\n").filter(Boolean);
const rewrite = (edited: string[]) => writeFileSync(journalPath(), `${edited.join("\n")}\n`);
const verify = async () => {
  const log = new AuditLog(JournaledAuditStore.openForReading(home));
  try {
    return await log.verify();
  } finally {
    await log.close();
  }
};

describe("the audit journal", () => {
  test("appends hash-chained lines, one per event, in a file only the owner can read", async () => {
    await writeEvents(20);
    assert.equal(lines().length, 20);
    assert.equal(statSync(journalPath()).mode & 0o777, 0o600);
    const result = await verify();
    assert.deepEqual(result.ok && result.count, 20);
  });

  test("a second writer on the same data folder is refused", async () => {
    const first = JournaledAuditStore.openForWriting(home);
    try {
      assert.throws(() => JournaledAuditStore.openForWriting(home), /another Coffer process/);
    } finally {
      await first.close();
    }
    JournaledAuditStore.openForWriting(home).close();
  });

  test("continues the chain across restarts and drops a line cut short by a crash", async () => {
    await writeEvents(5);
    appendFileSync(journalPath(), '{"seq":6,"prevHash":"abc","hash":"de'); // a torn, unacknowledged write
    await writeEvents(5);
    assert.equal(lines().length, 10);
    const result = await verify();
    assert.ok(result.ok, JSON.stringify(result));
  });

  test("verify names the position of an edited, deleted, reordered, inserted or truncated event", async () => {
    await writeEvents(12);
    const original = lines();
    const cases: Array<[string, string[], RegExp]> = [
      [
        "edited",
        original.map((l, i) => (i === 3 ? l.replace('"eventVersion"', '"eventVersioN"') : l)),
        /modified/,
      ],
      ["deleted", original.filter((_, i) => i !== 5), /deleted/],
      [
        "reordered",
        original.map((l, i, all) => (i === 7 ? (all[8] as string) : i === 8 ? (all[7] as string) : l)),
        /reordered|inserted|deleted/,
      ],
      [
        "inserted",
        [...original.slice(0, 4), original[2] as string, ...original.slice(4)],
        /inserted|reordered/,
      ],
      ["truncated", original.slice(0, 9), /truncated/],
      ["garbled", original.map((l, i) => (i === 10 ? "not an event" : l)), /modified/],
    ];
    for (const [label, edited, problem] of cases) {
      rewrite(edited);
      const result = await verify();
      assert.equal(result.ok, false, `${label} went unnoticed`);
      if (!result.ok) assert.match(result.problem, problem, `${label}: ${result.message}`);
    }
    rewrite(original);
    assert.ok((await verify()).ok);
  });

  test("queries see every journaled event, from the writer and from a reader beside it", async () => {
    const log = new AuditLog(JournaledAuditStore.openForWriting(home));
    await Promise.all(Array.from({ length: 30 }, (_, i) => log.append(sampleEvent(i))));
    const fromWriter = await log.query({ limit: 1000 });
    assert.equal(fromWriter.events.length, 30);
    await Promise.all(Array.from({ length: 10 }, (_, i) => log.append(sampleEvent(30 + i))));
    const reader = new AuditLog(JournaledAuditStore.openForReading(home));
    const [a, b] = await Promise.all([reader.query({ limit: 1000 }), log.query({ limit: 1000 })]);
    assert.equal(a.events.length, 40);
    assert.equal(b.events.length, 40);
    const tail = await reader.query({ limit: 5, order: "desc" });
    assert.deepEqual(
      tail.events.map((e) => e.seq),
      [40, 39, 38, 37, 36],
    );
    await reader.close();
    await log.close();
  });

  test("every event whose append resolved survives kill -9", async () => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL("../sqlite/audit/kill-child.test-helper.js", import.meta.url)), home, "journal"],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const committed: string[] = [];
    await new Promise<void>((resolve) => {
      let buffer = "";
      child.stdout.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        const done = buffer.split("\n");
        buffer = done.pop() ?? "";
        for (const line of done) committed.push(line.replace("committed ", ""));
        if (committed.length >= 500) {
          child.kill("SIGKILL");
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.once("exit", resolve));
    const stored = new Set(
      lines().map((l) => (JSON.parse(l) as { event: { eventID: string } }).event.eventID),
    );
    for (const id of committed) assert.ok(stored.has(id), `acknowledged event ${id} was lost`);
    assert.ok((await verify()).ok);
    assert.ok(readdirSync(home).includes(auditJournalFileName));
  });

  test("with fsyncIntervalMs 0 every batch is flushed before it is acknowledged", async () => {
    await writeEvents(10, { fsyncIntervalMs: 0 });
    assert.equal(lines().length, 10);
  });
});
