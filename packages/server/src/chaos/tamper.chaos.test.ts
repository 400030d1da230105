import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { join } from "node:path";
import { test } from "node:test";
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import Database from "better-sqlite3";
import { adminCall } from "../testing/admin-call.js";
import { type ServerProcess, startServerProcess, testAdmin, testRegion } from "../testing/server-process.js";
import { chaosCount, chaosScale, reportFigure } from "./chaos-scale.js";

// ADR 0006: someone with write access to the database but not the master key edits it while the
// server is down. Every secret an edit touches must fail closed as DecryptionFailure (never another
// value, never another error), every failure must be in the audit trail, and untouched secrets
// must read as before.

const tamperKinds = [
  "flip-ciphertext",
  "flip-wrapped-key",
  "swap-names",
  "swap-ciphertexts",
  "swap-versions",
  "change-kind",
  "stage-rollback",
  "stage-table-only",
  "stage-column-only",
] as const;
type TamperKind = (typeof tamperKinds)[number];

interface Planted {
  name: string;
  arn: string;
  binary: boolean;
  /** Every value ever written, so a read that returns any of them (or anything) is caught. */
  values: string[];
}

const rounds = chaosCount({ short: 1, full: 4 });
const tampersPerRound = chaosCount({ short: tamperKinds.length * 3, full: 60 });
const untouchedPerRound = chaosCount({ short: 3, full: 10 });

function clientFor(server: ServerProcess) {
  return new SecretsManagerClient({
    endpoint: server.url,
    region: testRegion,
    credentials: testAdmin,
    maxAttempts: 1,
  });
}

async function plant(client: SecretsManagerClient, name: string, binary: boolean): Promise<Planted> {
  const values: string[] = [];
  const valueFor = (i: number) => `${name}#${i}#${randomInt(1e9)}`;
  const payload = (value: string) =>
    binary ? { SecretBinary: Buffer.from(value) } : { SecretString: value };
  const first = valueFor(0);
  values.push(first);
  const created = await client.send(new CreateSecretCommand({ Name: name, ...payload(first) }));
  // Three or four versions: AWSCURRENT, AWSPREVIOUS and older, unlabelled ones to roll back to.
  for (let i = 1; i < 3 + randomInt(2); i++) {
    const value = valueFor(i);
    values.push(value);
    await client.send(new PutSecretValueCommand({ SecretId: name, ...payload(value) }));
  }
  return { name, arn: created.ARN as string, binary, values };
}

const flip = (buffer: Buffer): Buffer => {
  const copy = Buffer.from(buffer);
  const at = randomInt(copy.length);
  copy[at] = (copy[at] ?? 0) ^ (1 << randomInt(8));
  return copy;
};

/** Applies one edit to the database and returns the secrets it affects. */
function tamper(db: Database.Database, kind: TamperKind, x: Planted, y: Planted): Planted[] {
  const current = (arn: string) =>
    db
      .prepare(
        "SELECT * FROM secret_versions WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?) AND version_id = (SELECT version_id FROM version_stages WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?) AND stage = 'AWSCURRENT')",
      )
      .get(arn, arn) as {
      version_id: string;
      kind: string;
      kek_id: string;
      wrapped_key: Buffer;
      ciphertext: Buffer;
    };
  const oldest = (arn: string) =>
    db
      .prepare(
        "SELECT version_id FROM secret_versions WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?) AND stages = '[]' ORDER BY created_at LIMIT 1",
      )
      .pluck()
      .get(arn) as string;
  const idOf = (arn: string) => db.prepare("SELECT id FROM secrets WHERE arn = ?").pluck().get(arn) as number;
  const moveRows = (table: string, from: number, to: number) =>
    db.prepare(`UPDATE ${table} SET secret_id = ? WHERE secret_id = ?`).run(to, from);
  switch (kind) {
    case "flip-ciphertext":
    case "flip-wrapped-key": {
      const column = kind === "flip-ciphertext" ? "ciphertext" : "wrapped_key";
      const v = current(x.arn);
      const bytes = kind === "flip-ciphertext" ? v.ciphertext : v.wrapped_key;
      db.prepare(
        `UPDATE secret_versions SET ${column} = ? WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?) AND version_id = ?`,
      ).run(flip(bytes), x.arn, v.version_id);
      return [x];
    }
    case "swap-names":
      db.prepare("UPDATE secrets SET name = ? WHERE arn = ?").run(`${x.name}-tmp`, x.arn);
      db.prepare("UPDATE secrets SET name = ? WHERE arn = ?").run(x.name, y.arn);
      db.prepare("UPDATE secrets SET name = ? WHERE arn = ?").run(y.name, x.arn);
      return [x, y];
    case "swap-ciphertexts": {
      const a = current(x.arn);
      const b = current(y.arn);
      const put = db.prepare(
        "UPDATE secret_versions SET kind = ?, kek_id = ?, wrapped_key = ?, ciphertext = ? WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?) AND version_id = ?",
      );
      put.run(b.kind, b.kek_id, b.wrapped_key, b.ciphertext, x.arn, a.version_id);
      put.run(a.kind, a.kek_id, a.wrapped_key, a.ciphertext, y.arn, b.version_id);
      return [x, y];
    }
    case "swap-versions":
      // Whole version rows and their labels change secrets.
      for (const table of ["secret_versions", "version_stages"]) {
        moveRows(table, idOf(x.arn), -1);
        moveRows(table, idOf(y.arn), idOf(x.arn));
        moveRows(table, -1, idOf(y.arn));
      }
      return [x, y];
    case "change-kind":
      db.prepare(
        "UPDATE secret_versions SET kind = ? WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?) AND version_id = ?",
      ).run(x.binary ? "string" : "binary", x.arn, current(x.arn).version_id);
      return [x];
    case "stage-rollback":
    case "stage-table-only":
    case "stage-column-only": {
      const old = oldest(x.arn);
      const now = current(x.arn).version_id;
      if (kind !== "stage-column-only") {
        db.prepare(
          "UPDATE version_stages SET version_id = ? WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?) AND stage = 'AWSCURRENT'",
        ).run(old, x.arn);
      }
      if (kind !== "stage-table-only") {
        const relabel = db.prepare(
          "UPDATE secret_versions SET stages = ? WHERE secret_id = (SELECT id FROM secrets WHERE arn = ?) AND version_id = ?",
        );
        relabel.run("[]", x.arn, now);
        relabel.run('["AWSCURRENT"]', x.arn, old);
      }
      return [x];
    }
  }
}

async function auditedDecryptionFailures(server: ServerProcess): Promise<Set<string>> {
  const ids = new Set<string>();
  let token: string | undefined;
  do {
    const page = (await adminCall(server.url, "QueryAuditEvents", {
      EventName: "GetSecretValue",
      Outcome: "error",
      MaxResults: 100,
      ...(token ? { NextToken: token } : {}),
    })) as { Events: Array<{ Event: { requestID: string; errorCode?: string } }>; NextToken?: string };
    for (const { Event } of page.Events)
      if (Event.errorCode === "DecryptionFailure") ids.add(Event.requestID);
    token = page.NextToken;
  } while (token);
  return ids;
}

test("database edits without the master key fail closed, audited, and leave other secrets readable", async () => {
  const first = await startServerProcess();
  let server: ServerProcess | undefined = first;
  const figures = {
    tampers: 0,
    affectedReads: 0,
    failedClosed: 0,
    wrongValues: 0,
    otherErrors: 0,
    audited: 0,
  };
  const byKind = Object.fromEntries(tamperKinds.map((k) => [k, 0])) as Record<TamperKind, number>;
  let untouchedReads = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      const client = clientFor(server);
      const plan: Array<{ kind: TamperKind; x: Planted; y: Planted }> = [];
      for (let i = 0; i < tampersPerRound; i++) {
        // Short runs cover every kind evenly; full runs pick kinds at random.
        const kind = tamperKinds[
          chaosScale() === "short" ? i % tamperKinds.length : randomInt(tamperKinds.length)
        ] as TamperKind;
        const x = await plant(client, `r${round}/t${i}/x`, randomInt(4) === 0);
        const y = await plant(client, `r${round}/t${i}/y`, randomInt(4) === 0);
        plan.push({ kind, x, y });
      }
      const untouched: Planted[] = [];
      for (let i = 0; i < untouchedPerRound; i++)
        untouched.push(await plant(client, `r${round}/ok${i}`, i % 2 === 1));
      client.destroy();
      await server.stop();
      server = undefined;

      const db = new Database(join(first.home, "coffer.db"));
      db.pragma("foreign_keys = OFF");
      const affected: Array<Planted & { kind: TamperKind }> = [];
      try {
        for (const { kind, x, y } of plan) {
          db.transaction(() => affected.push(...tamper(db, kind, x, y).map((s) => ({ ...s, kind }))))();
          byKind[kind]++;
          figures.tampers++;
        }
      } finally {
        db.close();
      }

      server = await startServerProcess({ home: first.home });
      const reader = clientFor(server);
      const failures: string[] = [];
      const problems: string[] = [];
      for (const secret of affected) {
        figures.affectedReads++;
        try {
          const answer = await reader.send(new GetSecretValueCommand({ SecretId: secret.name }));
          const value = answer.SecretString ?? Buffer.from(answer.SecretBinary ?? []).toString();
          figures.wrongValues++;
          const field = answer.SecretString !== undefined ? "SecretString" : "SecretBinary";
          const whose = value === secret.values.at(-1) ? "its own" : "a wrong";
          problems.push(`${secret.kind}: ${secret.name} answered ${whose} value as ${field}`);
        } catch (error) {
          const e = error as Error & { $metadata?: { requestId?: string } };
          if (e.name === "DecryptionFailure") {
            figures.failedClosed++;
            failures.push(e.$metadata?.requestId ?? "");
            for (const s of [...affected, ...untouched]) {
              for (const value of s.values)
                assert.equal(e.message.includes(value), false, "error names a value");
            }
          } else {
            figures.otherErrors++;
            problems.push(`${secret.kind}: ${secret.name} failed with ${e.name}: ${e.message}`);
          }
        }
      }
      assert.deepEqual(problems, [], `${problems.length} edits did not fail closed`);
      for (const secret of untouched) {
        const answer = await reader.send(new GetSecretValueCommand({ SecretId: secret.name }));
        const value = secret.binary ? Buffer.from(answer.SecretBinary ?? []).toString() : answer.SecretString;
        assert.equal(value, secret.values.at(-1));
        untouchedReads++;
      }
      const audited = await auditedDecryptionFailures(server);
      for (const requestId of failures) {
        assert.ok(audited.has(requestId), `failed read ${requestId} is not in the audit trail`);
        figures.audited++;
      }
      reader.destroy();
    }
    assert.equal(figures.failedClosed, figures.affectedReads);
    assert.equal(figures.audited, figures.failedClosed);
    reportFigure("tamper", { ...figures, untouchedReads, ...byKind });
  } finally {
    if (server) await server.stop();
    first.cleanup();
  }
});
