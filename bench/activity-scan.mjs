// What one GetActivity costs at its bound: the 20,000 most recent events of a range, scanned through
// the audit reader (the SQLite index, events read back from audit.log) and folded into buckets.
//
// Usage: node bench/activity-scan.mjs   (BENCH_ROUNDS as in bench/support.mjs)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ActivityAggregator, periodFor } from "../packages/server/dist/audit/activity.js";
import { MAX_SCANNED_EVENTS, scanRecentEvents } from "../packages/server/dist/audit/activity-scan.js";
import { createAuditLineBuilder } from "../packages/server/dist/audit/audit-line.js";
import { AuditLog } from "../packages/server/dist/audit/audit-log.js";
import { AuditReader } from "../packages/server/dist/audit/audit-reader.js";
import { loadServiceModel } from "../packages/server/dist/protocol/model.js";
import { JournaledAuditStore } from "../packages/server/dist/storage/file/journaled-audit-store.js";
import { median, rounds } from "./support.mjs";

const EVENTS = 25_000;
const start = 1767225600000;
const build = createAuditLineBuilder(loadServiceModel());
const home = mkdtempSync(join(tmpdir(), "coffer-bench-activity-"));
try {
  const log = new AuditLog(JournaledAuditStore.openForWriting(home, { fsyncIntervalMs: 100 }));
  for (let done = 0; done < EVENTS; done += 100) {
    const turn = [];
    for (let i = done; i < done + 100; i++) {
      const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:bench/s${i % 50}-AbC123`;
      turn.push(
        log.appendLine(
          build({
            operation: "GetSecretValue",
            region: "us-east-1",
            accountId: "123456789012",
            caller: { accessKeyId: "AKIABENCH", principal: `arn:aws:iam::123456789012:user/app${i % 20}` },
            sourceIp: "127.0.0.1",
            userAgent: "bench",
            request: { SecretId: `bench/s${i % 50}` },
            result:
              i % 17 === 0
                ? { error: { awsName: "AccessDeniedException", message: "no" } }
                : { response: { ARN: arn, Name: `bench/s${i % 50}` } },
            requestId: `r-${i}`,
            time: start + i * 100,
            durationMs: (i % 100) / 10,
          }),
        ),
      );
    }
    await Promise.all(turn);
  }
  const reader = new AuditReader(log);
  const startS = start / 1000;
  const endS = startS + (EVENTS * 100) / 1000 + 1;
  const times = [];
  let answer;
  for (let round = 0; round < rounds + 1; round++) {
    const began = process.hrtime.bigint();
    const aggregator = new ActivityAggregator(startS, endS, periodFor(startS, endS));
    const { truncated } = await scanRecentEvents(
      reader,
      { from: new Date(startS * 1000), to: new Date(endS * 1000) },
      (event) => aggregator.add(event),
    );
    answer = aggregator.answer(truncated);
    if (round > 0) times.push(Number(process.hrtime.bigint() - began) / 1e6); // the first builds the index
  }
  console.log(
    `GetActivity over ${EVENTS} events (scans ${MAX_SCANNED_EVENTS}, Truncated ${answer.Truncated}, ${answer.Buckets.length} buckets): median ${median(times).toFixed(0)} ms over ${times.length} rounds`,
  );
  await log.close();
} finally {
  rmSync(home, { recursive: true, force: true });
}
