import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { openLocalAuditApi } from "../app/audit-trail.js";
import { AdminCallError, adminCall } from "../testing/admin-call.js";
import { type ServerProcess, startServerProcess, testAdmin } from "../testing/server-process.js";
import { chaosCount, chaosScale, reportFigure, rootlessSkipReason } from "./chaos-scale.js";

const cycles = chaosCount({ short: 3, full: 20 });
const minimumAcknowledged = chaosCount({ short: 0, full: 10_000 });
const writers = chaosCount({ short: 6, full: 16 });
const secretsPerWriter = 6;
const killAfterMs = chaosScale() === "full" ? [1000, 4000] : [300, 1200];
const pidNamespaceCycles = rootlessSkipReason() === false;

interface Acknowledged {
  name: string;
  versionId: string;
  value: string;
}

const call = (server: ServerProcess, operation: string, input: object) =>
  adminCall(server.url, operation, input, testAdmin, `secretsmanager.${operation}`);

/** One writer: CreateSecret, then PutSecretValue, each with a fresh ClientRequestToken, until the server dies. */
async function write(
  server: ServerProcess,
  writer: number,
  created: Set<string>,
  acknowledged: Acknowledged[],
): Promise<void> {
  for (;;) {
    const name = `w${writer}-s${Math.floor(Math.random() * secretsPerWriter)}`;
    const token = randomUUID();
    const value = `value of ${token}`;
    try {
      if (created.has(name)) {
        await call(server, "PutSecretValue", {
          SecretId: name,
          ClientRequestToken: token,
          SecretString: value,
        });
      } else {
        await call(server, "CreateSecret", { Name: name, ClientRequestToken: token, SecretString: value });
        created.add(name);
      }
      acknowledged.push({ name, versionId: token, value });
    } catch (error) {
      if (error instanceof AdminCallError && error.type === "ResourceExistsException") {
        // Created by a request that was cut off before it was answered: write versions to it.
        created.add(name);
        continue;
      }
      if (error instanceof AdminCallError) throw error;
      return; // The connection broke: the server was killed.
    }
  }
}

function integrityOf(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return String(db.pragma("integrity_check", { simple: true }));
  } finally {
    db.close();
  }
}

test("kill -9 at random moments under concurrent writes loses no acknowledged version and no audit event", async () => {
  const root = mkdtempSync(join(tmpdir(), "coffer-crash-"));
  const home = join(root, "data");
  const acknowledged: Acknowledged[] = [];
  const created = Array.from({ length: writers }, () => new Set<string>());
  let pid1Cycles = 0;
  let cycle = 0;
  try {
    for (; cycle < cycles || acknowledged.length < minimumAcknowledged; cycle++) {
      const asPid1 = pidNamespaceCycles && cycle % 3 === 2;
      const server = await startServerProcess({ home, pidNamespace: asPid1 });
      if (asPid1) pid1Cycles++;
      // After each restart: the database is sound, and the audit chain verifies through the server.
      assert.equal(integrityOf(join(home, "coffer.db")), "ok", `coffer.db after restart ${cycle}`);
      const verified = await adminCall(server.url, "VerifyAuditTrail", {});
      assert.equal(verified.Intact, true, `audit chain after restart ${cycle}: ${JSON.stringify(verified)}`);
      const running = created.map((set, writer) => write(server, writer, set, acknowledged));
      const [low, high] = killAfterMs as [number, number];
      await new Promise((resolve) => setTimeout(resolve, low + Math.random() * (high - low)));
      await server.kill();
      await Promise.all(running);
    }

    // The last restart: every acknowledged version is there, with its value.
    const server = await startServerProcess({ home });
    try {
      assert.equal(integrityOf(join(home, "coffer.db")), "ok");
      assert.equal((await adminCall(server.url, "VerifyAuditTrail", {})).Intact, true);
      const sample = acknowledged.filter(
        (_, i) => i % Math.max(1, Math.floor(acknowledged.length / 200)) === 0,
      );
      for (const version of sample) {
        const read = await call(server, "GetSecretValue", {
          SecretId: version.name,
          VersionId: version.versionId,
        });
        assert.equal(read.SecretString, version.value);
      }
    } finally {
      await server.stop();
    }
    const db = new Database(join(home, "coffer.db"), { readonly: true });
    const stored = new Set(db.prepare("SELECT version_id FROM secret_versions").pluck().all() as string[]);
    db.close();
    const lost = acknowledged.filter((version) => !stored.has(version.versionId));

    // Every committed version has its audit event: a CreateSecret or PutSecretValue carrying its token.
    const audited = new Set<string>();
    for (const line of readFileSync(join(home, "audit.log"), "utf8").split("\n")) {
      if (line === "") continue;
      const { event } = JSON.parse(line) as {
        event: { eventName: string; requestParameters: { clientRequestToken?: unknown } | null };
      };
      const token = event.requestParameters?.clientRequestToken;
      if (
        (event.eventName === "CreateSecret" || event.eventName === "PutSecretValue") &&
        typeof token === "string"
      )
        audited.add(token);
    }
    const unaudited = [...stored].filter((versionId) => !audited.has(versionId));
    const api = await openLocalAuditApi(home);
    const offline = await api.call("VerifyAuditTrail", {});
    await api.close();
    assert.ok(existsSync(join(home, "audit.log")));

    reportFigure("crash-kill9", {
      cycles: cycle,
      pid1Cycles,
      writers,
      acknowledgedVersions: acknowledged.length,
      lostAcknowledged: lost.length,
      storedVersions: stored.size,
      committedWithoutAuditEvent: unaudited.length,
      integrityCheck: "ok",
      auditChainIntact: offline.Intact === true,
    });
    assert.equal(lost.length, 0, `acknowledged versions lost: ${JSON.stringify(lost.slice(0, 5))}`);
    assert.equal(offline.Intact, true, JSON.stringify(offline));
    assert.equal(
      unaudited.length,
      0,
      `${unaudited.length} committed version(s) have no audit event (commit before audit, defect 2): ${unaudited.slice(0, 5).join(", ")}`,
    );
    assert.ok(acknowledged.length >= minimumAcknowledged);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
