import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AuditQuery } from "../../../audit/audit-query.js";
import { prepareAuditRecord } from "../../../audit/audit-record.js";
import { requirePostgres } from "../../../testing/postgres.js";
import { ACCOUNT, sampleEvent } from "../../sqlite/audit/fixtures.test-helper.js";
import { type AuditDatabases, auditDatabases } from "./audit-database.test-helper.js";
import { PostgresAuditStore } from "./postgres-audit-store.js";

const { skip } = requirePostgres();
const EVENTS = 10_000;
const BASE = Date.UTC(2026, 0, 1);

describe("PostgreSQL audit queries are served by indexes", { skip }, () => {
  let databases: AuditDatabases;
  before(async () => {
    databases = await auditDatabases();
  });
  after(() => databases.close());

  it("scans no table and sorts nothing, for every leading filter and the cursor", async () => {
    const database = await databases.create();
    const store = await PostgresAuditStore.open({ url: database.url, timeoutMs: 30_000 });
    try {
      const deniedResult = { error: { awsName: "AccessDeniedException", message: "Access denied." } };
      for (let at = 0; at < EVENTS; at += 1000) {
        await store.appendBatch(
          Array.from({ length: 1000 }, (_, i) =>
            prepareAuditRecord(sampleEvent(at + i, (at + i) % 50 === 0 ? { result: deniedResult } : {})),
          ),
        );
      }
      await databases.kit.sql("ANALYZE", [], database.name);
      const queries: Array<[AuditQuery, number?]> = [
        [{ limit: 100 }],
        [{ limit: 100, order: "desc" }],
        [{ limit: 100, secretId: "app/secret-1" }],
        [{ limit: 100, principal: `arn:aws:iam::${ACCOUNT}:user/user-1` }],
        [{ limit: 100, principal: "AKIAUSER1000000000" }],
        [{ limit: 100, action: "GetSecretValue" }],
        [{ limit: 100, outcome: "denied" }],
        [{ limit: 100, from: new Date(BASE + 2_000_000), to: new Date(BASE + 3_000_000) }],
        [{ limit: 100, action: "GetSecretValue", after: 5000 }, BASE + 5_000_000],
        [{ limit: 100, secretId: "app/secret-2", order: "desc", after: 5002 }, BASE + 5_002_000],
      ];
      for (const [query, cursorTime] of queries) {
        const plan = (await store.explainQuery(query, cursorTime)).join("\n");
        assert.doesNotMatch(plan, /Seq Scan|Sort/, `${JSON.stringify(query)}:\n${plan}`);
      }
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
