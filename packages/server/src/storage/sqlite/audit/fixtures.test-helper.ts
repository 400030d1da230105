/**
 * Test support for the SQLite audit trail: temporary data folders and realistic events.
 * Named `*.test-helper.ts` so the runner does not run it and the package does not ship it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditLog, type AuditLogOptions } from "../../../audit/audit-log.js";
import { type AuditEventInput, buildAuditEvent } from "../../../audit/build-event.js";
import type { AuditEvent } from "../../../audit/event.js";
import { SqliteAuditStore, type SqliteAuditStoreOptions } from "./sqlite-audit-store.js";

const folders: string[] = [];

/** A fresh folder, removed when the test process exits. */
export function tempDataFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "coffer-audit-"));
  if (folders.length === 0) {
    process.once("exit", () => {
      for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    });
  }
  folders.push(dir);
  return dir;
}

export function openTrail(
  dir: string,
  storeOptions?: SqliteAuditStoreOptions,
  logOptions?: AuditLogOptions,
): { store: SqliteAuditStore; log: AuditLog } {
  const store = SqliteAuditStore.inDataFolder(dir, storeOptions);
  return { store, log: new AuditLog(store, logOptions) };
}

export const ACCOUNT = "123456789012";
export const arnOf = (name: string, suffix = "AbC123") =>
  `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:${name}-${suffix}`;

/** The n-th of a deterministic stream of varied events. */
export function sampleEvent(n: number, overrides: Partial<AuditEventInput> = {}): AuditEvent {
  const name = `app/secret-${n % 5}`;
  return buildAuditEvent({
    operation: "GetSecretValue",
    region: "eu-west-1",
    accountId: ACCOUNT,
    caller: {
      accessKeyId: `AKIAUSER${n % 3}000000000`,
      principal: `arn:aws:iam::${ACCOUNT}:user/user-${n % 3}`,
    },
    sourceIp: "10.1.2.3",
    userAgent: "aws-sdk-js/3 test",
    request: { SecretId: name },
    result: {
      response: { ARN: arnOf(name), Name: name, VersionId: `v-${n}`, VersionStages: ["AWSCURRENT"] },
    },
    requestId: `req-${n}`,
    time: Date.UTC(2026, 0, 1) + n * 1000,
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    ...overrides,
  });
}
