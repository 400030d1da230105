/**
 * Measures the audit trail: appends/second one at a time vs group-committed, the cost per event
 * (wall clock and CPU), and the CPU of building and serializing an event. Not a test; after `tsc -b`:
 *   node packages/server/dist/storage/sqlite/audit/audit-bench.test-helper.js
 * Each figure is the best of 3 runs, since other processes share the machine.
 */
import { AuditLog } from "../../../audit/audit-log.js";
import { prepareAuditRecord } from "../../../audit/audit-record.js";
import type { AuditEvent } from "../../../audit/event.js";
import { sampleEvent, tempDataFolder } from "./fixtures.test-helper.js";
import { SqliteAuditStore } from "./sqlite-audit-store.js";

const events: AuditEvent[] = Array.from({ length: 40_000 }, (_, i) => sampleEvent(i));
const RUNS = 3;

interface Measure {
  perSecond: number;
  wallUs: number;
  cpuUs: number;
  transactions: number;
  commitMs: number;
}

function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

function best(runs: Measure[]): Measure {
  return runs.reduce((a, b) => (b.wallUs < a.wallUs ? b : a));
}

function pureCpu() {
  const n = 20_000;
  const measure = (fn: (i: number) => void) => {
    let fastest = Number.POSITIVE_INFINITY;
    for (let run = 0; run < RUNS; run++) {
      const started = cpuMicros();
      for (let i = 0; i < n; i++) fn(i);
      fastest = Math.min(fastest, (cpuMicros() - started) / n);
    }
    return fastest;
  };
  const build = measure((i) => sampleEvent(i));
  const prepare = measure((i) => prepareAuditRecord(events[i] as AuditEvent));
  console.log(
    `buildAuditEvent ${build.toFixed(1)} µs CPU/event; canonical JSON + index fields ${prepare.toFixed(1)} µs CPU/event`,
  );
}

async function run(synchronous: "full" | "normal", perTurn: number, total: number): Promise<Measure> {
  const commitMs: number[] = [];
  const log = new AuditLog(SqliteAuditStore.inDataFolder(tempDataFolder(), { synchronous }), {
    onCommit: (info) => commitMs.push(info.durationMs),
  });
  await log.append(events[0] as AuditEvent); // warm up: statements prepared, file created
  const startedCpu = cpuMicros();
  const started = performance.now();
  for (let done = 0; done < total; done += perTurn) {
    if (perTurn === 1) await log.append(events[done] as AuditEvent);
    else await Promise.all(events.slice(done, done + perTurn).map((event) => log.append(event)));
  }
  const ms = performance.now() - started;
  const cpuUs = (cpuMicros() - startedCpu) / total;
  const stats = log.stats();
  await log.close();
  commitMs.sort((a, b) => a - b);
  return {
    perSecond: (total / ms) * 1000,
    wallUs: (ms * 1000) / total,
    cpuUs,
    transactions: stats.transactions - 1,
    commitMs: commitMs[Math.floor(commitMs.length / 2)] ?? 0,
  };
}

pureCpu();
for (const synchronous of ["full", "normal"] as const) {
  const singles: Measure[] = [];
  for (let i = 0; i < RUNS; i++) singles.push(await run(synchronous, 1, 2000));
  const one = best(singles);
  const line = (label: string, m: Measure, ratio: string) =>
    console.log(
      `${synchronous.padEnd(6)} ${label.padEnd(13)} ${m.perSecond.toFixed(0).padStart(6)} appends/s  ` +
        `${m.wallUs.toFixed(1).padStart(7)} µs wall/event  ${m.cpuUs.toFixed(1).padStart(6)} µs CPU/event  ` +
        `${String(m.transactions).padStart(5)} tx  median commit ${m.commitMs.toFixed(2)} ms${ratio}`,
    );
  line("one at a time", one, "");
  for (const perTurn of [10, 100, 1000]) {
    const runs: Measure[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await run(synchronous, perTurn, 20_000));
    const m = best(runs);
    line(
      `${perTurn} per turn`,
      m,
      `  → ${(m.perSecond / one.perSecond).toFixed(1)}× the appends/s of one at a time`,
    );
  }
}
