import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createAuditLineBuilder } from "../../../audit/audit-line.js";
import { AuditLog } from "../../../audit/audit-log.js";
import type { AuditEventInput } from "../../../audit/build-event.js";
import { REDACTED } from "../../../audit/event.js";
import { loadServiceModel } from "../../../protocol/model.js";
import { requirePostgres } from "../../../testing/postgres.js";
import { arnOf, sampleEvent } from "../../sqlite/audit/fixtures.test-helper.js";
import { type AuditDatabases, auditDatabases } from "./audit-database.test-helper.js";
import { PostgresAuditStore } from "./postgres-audit-store.js";

/**
 * Redaction happens above the store (build-event.ts, audit-line.ts): a store writes what it is
 * given. This checks the whole path into PostgreSQL, both ways an event reaches it (an event object,
 * a compiled line), by reading back every row of every audit table as text.
 */
const { skip } = requirePostgres();
const CANARY = "CANARY-4f0a2c-secret-value-must-never-be-stored";
const b64 = Buffer.from(CANARY).toString("base64");
const needles = [CANARY, b64, Buffer.from(CANARY).toString("hex")];

const calls: Array<Partial<AuditEventInput>> = [
  {
    operation: "CreateSecret",
    request: { Name: "db", SecretString: CANARY, Tags: [{ Key: "k", Value: "v" }] },
  },
  { operation: "CreateSecret", request: { Name: "db", SecretBinary: b64 } },
  {
    operation: "PutSecretValue",
    request: { SecretId: "db", SecretString: CANARY, SecretBinary: b64, RotationToken: CANARY },
  },
  {
    operation: "UpdateSecret",
    request: { SecretId: "db", SecretString: { nested: [CANARY, { deeper: CANARY }] } },
  },
  { operation: "UpdateSecret", request: { SecretId: "db", Unmodelled: { SecretString: CANARY } } },
  { operation: "NotAnOperation", request: { SecretString: CANARY } },
  {
    operation: "GetSecretValue",
    request: { SecretId: "db" },
    result: { response: { ARN: arnOf("db"), Name: "db", SecretString: CANARY, SecretBinary: b64 } },
  },
  {
    operation: "GetRandomPassword",
    request: { PasswordLength: 48 },
    result: { response: { RandomPassword: CANARY } },
  },
  {
    operation: "CreateSecret",
    request: { Name: "db", SecretString: CANARY },
    result: { error: { awsName: "ValidationException", message: "Invalid SecretString length." } },
  },
];

describe("secret values never reach the PostgreSQL audit trail", { skip }, () => {
  let databases: AuditDatabases;
  before(async () => {
    databases = await auditDatabases();
  });
  after(() => databases.close());

  it("redacts the canary in every row of every audit table, event objects and compiled lines alike", async () => {
    const database = await databases.create();
    const log = new AuditLog(await PostgresAuditStore.open({ url: database.url }));
    try {
      const line = createAuditLineBuilder(loadServiceModel());
      await Promise.all(calls.map((call, i) => log.append(sampleEvent(i, call))));
      await Promise.all(
        calls.map((call, i) => {
          const event = sampleEvent(100 + i, call);
          return log.appendLine(
            line({
              operation: call.operation ?? "GetSecretValue",
              region: event.awsRegion,
              accountId: event.recipientAccountId,
              caller: { accessKeyId: event.userIdentity.accessKeyId, principal: event.userIdentity.arn },
              sourceIp: event.sourceIPAddress,
              userAgent: event.userAgent,
              request: call.request ?? { SecretId: "db" },
              result: call.result ?? { response: { ARN: arnOf("db"), Name: "db" } },
              requestId: event.requestID,
              time: Date.parse(event.eventTime),
            }),
          );
        }),
      );
      const stored = await log.readFrom(1, 100);
      assert.equal(stored.length, calls.length * 2);
      assert.ok(JSON.stringify(stored).includes(REDACTED), "the sensitive members were recorded as redacted");
      for (const table of ["audit_events", "audit_event_secrets", "audit_head"]) {
        const rows = await databases.kit.sql(`SELECT t::text AS row FROM ${table} t`, [], database.name);
        assert.ok(rows.length > 0, `${table} has rows`);
        const text = rows.map((row) => String(row.row)).join("\n");
        for (const needle of needles) assert.equal(text.includes(needle), false, `${table} holds the canary`);
      }
    } finally {
      await log.close();
      await database.drop();
    }
  });
});
