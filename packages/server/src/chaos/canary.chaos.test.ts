/**
 * Canary values never leak. With debug logging, every operation and failure path (validation,
 * access denied, not found, wrong signature, framing, idempotency conflict, a failing audit trail,
 * the change feed) is driven with canary secret values; then the logs, the audit trail (the journal
 * files and `QueryAuditEvents`, what `coffer audit query` calls), every error body and every answer
 * that is not a value read, the change feed and every file in the data folder are scanned for each
 * canary in raw, JSON-escaped, hex and base64 (standard and URL-safe, any alignment) form.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { startServer } from "../app/start-server.js";
import { loadConfig } from "../config/config.js";
import { openChangeStream } from "../http/change-feed/sse-reader.test.helper.js";
import { createLogger } from "../log/logger.js";
import { adminCall, createUserWithPolicy } from "../testing/admin-call.js";
import {
  type ServerProcess,
  startServerProcess,
  testAccountId,
  testAdmin,
  testRegion,
} from "../testing/server-process.js";
import { chaosCount, reportFigure } from "./chaos-scale.js";

type Credentials = { accessKeyId: string; secretAccessKey: string };
interface Answer {
  status: number;
  body: string;
}

const rounds = chaosCount({ short: 1, full: 25 });

/** A string canary with characters JSON escapes, so its escaped form differs from the raw one. */
function stringCanary(): string {
  return `CANARY"${randomBytes(12).toString("hex")}\n\\${randomBytes(6).toString("hex")}`;
}

/** The byte strings that would betray `value` if found anywhere. */
function formsOf(value: Buffer): Buffer[] {
  const forms = [value, Buffer.from(value.toString("hex")), Buffer.from(value.toString("hex").toUpperCase())];
  const text = value.toString("utf8");
  forms.push(Buffer.from(JSON.stringify(text).slice(1, -1)));
  for (let offset = 0; offset < 3; offset++) {
    const shifted = Buffer.concat([Buffer.alloc(offset), value]).toString("base64");
    const core = shifted.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + value.length) * 8) / 6));
    forms.push(Buffer.from(core), Buffer.from(core.replace(/\+/g, "-").replace(/\//g, "_")));
  }
  return forms;
}

class Scanner {
  readonly forms: Buffer[] = [];
  scannedBytes = 0;
  scannedItems = 0;
  readonly found: string[] = [];
  add(value: string | Buffer): void {
    this.forms.push(...formsOf(typeof value === "string" ? Buffer.from(value) : value));
  }
  scan(where: string, content: string | Buffer): void {
    const bytes = typeof content === "string" ? Buffer.from(content) : content;
    this.scannedBytes += bytes.length;
    this.scannedItems++;
    for (const form of this.forms)
      if (bytes.includes(form)) this.found.push(`${where}: ${form.toString("latin1")}`);
  }
}

function signer(credentials: Credentials) {
  return new SignatureV4({
    service: "secretsmanager",
    region: testRegion,
    credentials,
    sha256: Hash.bind(null, "sha256"),
  });
}

/** A raw call: the body as sent and as answered, so both can be scanned byte for byte. */
async function call(
  url: string,
  target: string,
  body: string,
  options: { credentials?: Credentials; contentType?: string; tamper?: (body: string) => string } = {},
): Promise<Answer> {
  const { host, hostname, port } = new URL(url);
  const signed = await signer(options.credentials ?? testAdmin).sign({
    method: "POST",
    protocol: "http:",
    hostname,
    port: Number(port),
    path: "/",
    headers: {
      host,
      "content-type": options.contentType ?? "application/x-amz-json-1.1",
      "x-amz-target": target,
    },
    body,
  });
  const sent = options.tamper ? options.tamper(body) : body;
  const response = await fetch(url, { method: "POST", headers: signed.headers, body: sent });
  return { status: response.status, body: await response.text() };
}

/** Every path a value can travel, for one round of canaries; returns how many calls were made. */
async function drive(url: string, round: number, scanner: Scanner, outsider: Credentials): Promise<number> {
  const name = `canary/r${round}`;
  const [c1, c2, c3, c4] = [stringCanary(), stringCanary(), stringCanary(), stringCanary()];
  const binary = Buffer.concat([Buffer.from("CANARYBIN"), randomBytes(24)]);
  for (const value of [c1, c2, c3, c4, binary]) scanner.add(value);
  const sm = (op: string) => `secretsmanager.${op}`;
  const json = (input: object) => JSON.stringify(input);
  let calls = 0;
  const expect = async (answer: Promise<Answer>, ok: "value" | "success" | "failure", label: string) => {
    const { status, body } = await answer;
    calls++;
    assert.ok(status < 500, `${label}: ${status} ${body.slice(0, 200)}`);
    if (ok === "failure") assert.ok(status >= 400, `${label} should fail: ${status}`);
    else assert.equal(status, 200, `${label}: ${body.slice(0, 200)}`);
    // Only a value read may carry a value back; there the scan must find it (the scan works).
    if (ok !== "value") scanner.scan(`answer of ${label}`, body);
    else {
      const control = new Scanner();
      control.add(c3);
      control.scan(label, body);
      assert.ok(control.found.length > 0, `${label}: the canary read back was not recognized`);
    }
  };
  const token = `00000000-0000-4000-8000-${String(round).padStart(12, "0")}`;

  await expect(call(url, sm("CreateSecret"), json({ Name: name, SecretString: c1 })), "success", "create");
  await expect(
    call(url, sm("PutSecretValue"), json({ SecretId: name, SecretString: c2, ClientRequestToken: token })),
    "success",
    "put",
  );
  await expect(
    call(url, sm("PutSecretValue"), json({ SecretId: name, SecretBinary: binary.toString("base64") })),
    "success",
    "put binary",
  );
  await expect(
    call(url, sm("UpdateSecret"), json({ SecretId: name, SecretString: c3 })),
    "success",
    "update",
  );
  await expect(call(url, sm("GetSecretValue"), json({ SecretId: name })), "value", "get");
  await expect(call(url, sm("BatchGetSecretValue"), json({ SecretIdList: [name] })), "value", "batch get");
  for (const op of ["DescribeSecret", "ListSecretVersionIds", "GetResourcePolicy"]) {
    await expect(call(url, sm(op), json({ SecretId: name, IncludeDeprecated: true })), "success", op);
  }
  await expect(call(url, sm("ListSecrets"), json({})), "success", "list");
  // An unknown member is ignored, as AWS does; its value must not be echoed or kept either.
  await expect(
    call(url, sm("PutSecretValue"), json({ SecretId: name, SecretString: c3, Unknown: c4 })),
    "success",
    "unknown member",
  );
  // Validation errors, with the canary in the request.
  const invalid: Array<[string, object | string]> = [
    ["CreateSecret", { Name: "bad name!*", SecretString: c4 }],
    ["CreateSecret", { Name: `${name}-both`, SecretString: c4, SecretBinary: binary.toString("base64") }],
    ["PutSecretValue", { SecretId: name, SecretString: [c4] }],
    ["PutSecretValue", { SecretId: name, SecretString: `${c4}${"x".repeat(65_536)}` }],
    ["PutSecretValue", { SecretId: name, SecretString: c4, VersionStages: [] }],
    ["PutSecretValue", { SecretId: name, SecretBinary: `${c4}!` }],
    ["UpdateSecret", { SecretId: name, SecretString: c4, Description: 5 }],
    ["PutSecretValue", `{"SecretId":"${name}","SecretString":${JSON.stringify(c4)}`],
    // Same idempotency token, another value.
    ["PutSecretValue", { SecretId: name, SecretString: c4, ClientRequestToken: token }],
    // Not found.
    ["PutSecretValue", { SecretId: `${name}-missing`, SecretString: c4 }],
    ["UpdateSecret", { SecretId: `${name}-missing`, SecretString: c4 }],
  ];
  for (const [op, input] of invalid) {
    const body = typeof input === "string" ? input : json(input);
    await expect(
      call(url, sm(op), body),
      "failure",
      `invalid ${op} ${typeof input === "string" ? "raw" : Object.keys(input).join(",")} ${body.length}`,
    );
  }
  // Access denied.
  for (const [op, input] of [
    ["PutSecretValue", { SecretId: name, SecretString: c4 }],
    ["UpdateSecret", { SecretId: name, SecretString: c4 }],
    ["CreateSecret", { Name: `${name}-denied`, SecretString: c4 }],
  ] as const) {
    await expect(call(url, sm(op), json(input), { credentials: outsider }), "failure", `denied ${op}`);
  }
  // Wrong signature: another key, a changed body, an unknown key id.
  const put = json({ SecretId: name, SecretString: c4 });
  await expect(
    call(url, sm("PutSecretValue"), put, {
      credentials: {
        accessKeyId: testAdmin.accessKeyId,
        secretAccessKey: "wrong-secret-key-0000000000000000",
      },
    }),
    "failure",
    "wrong key",
  );
  await expect(
    call(url, sm("PutSecretValue"), put, { tamper: (body) => body.replace("CANARY", "CANARX") }),
    "failure",
    "changed body",
  );
  await expect(
    call(url, sm("PutSecretValue"), put, {
      credentials: { accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "x" },
    }),
    "failure",
    "unknown key",
  );
  // Framing: wrong content type, unknown operation.
  await expect(
    call(url, sm("PutSecretValue"), put, { contentType: "text/plain" }),
    "failure",
    "content type",
  );
  await expect(call(url, sm("PutSecretValueX"), put), "failure", "unknown operation");
  // Deleting and restoring, and a forced delete of a second secret.
  await expect(
    call(url, sm("DeleteSecret"), json({ SecretId: name, RecoveryWindowInDays: 7 })),
    "success",
    "delete",
  );
  await expect(call(url, sm("PutSecretValue"), put), "failure", "put while deleted");
  await expect(call(url, sm("RestoreSecret"), json({ SecretId: name })), "success", "restore");
  return calls;
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

async function auditEvents(url: string): Promise<string[]> {
  const pages: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await adminCall(url, "QueryAuditEvents", {
      MaxResults: 1000,
      ...(nextToken === undefined ? {} : { NextToken: nextToken }),
    });
    pages.push(JSON.stringify(page));
    nextToken = typeof page.NextToken === "string" ? page.NextToken : undefined;
  } while (nextToken !== undefined);
  return pages;
}

describe("canary values never leak", () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess({ env: { COFFER_LOG_LEVEL: "debug" } });
  });
  after(async () => {
    await server.stop();
    server.cleanup();
  });

  test("not in logs, audit trail, error bodies, change feed or data files, whatever the path", async () => {
    const scanner = new Scanner();
    const outsider = await createUserWithPolicy(server.url, "canary-outsider", {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "secretsmanager:DescribeSecret", Resource: "*" }],
    });
    const feed = await openChangeStream({
      baseUrl: server.url,
      region: testRegion,
      accessKeyId: testAdmin.accessKeyId,
      secretAccessKey: testAdmin.secretAccessKey,
    });
    let calls = 0;
    try {
      for (let round = 0; round < rounds; round++) calls += await drive(server.url, round, scanner, outsider);
      // The feed has seen the last change once its event for the restore arrives.
      const last = `canary/r${rounds - 1}`;
      while (!feed.reader.raw.includes("RestoreSecret") || !feed.reader.raw.includes(last)) {
        await feed.reader.next();
      }
    } finally {
      feed.close();
    }
    scanner.scan("change feed", feed.reader.raw);
    const pages = await auditEvents(server.url);
    for (const page of pages) scanner.scan("QueryAuditEvents", page);
    assert.match(pages.join(""), /PutSecretValue/);
    const files = filesUnder(server.home);
    for (const file of files) scanner.scan(file, readFileSync(file));
    assert.ok(
      files.some((file) => /audit/i.test(file)),
      `no audit journal among ${files.join(", ")}`,
    );
    const logs = server.output();
    assert.match(logs, /"level":"debug"/);
    scanner.scan("server stdout/stderr", logs);
    reportFigure("canary-leak", {
      rounds,
      calls,
      forms: scanner.forms.length,
      scannedItems: scanner.scannedItems,
      dataFiles: files.length,
      scannedBytes: scanner.scannedBytes,
      occurrences: scanner.found.length,
    });
    assert.deepEqual(scanner.found.slice(0, 10), []);
  });

  test("not in logs or answers when the audit trail fails (in-process server)", async () => {
    const home = mkdtempSync(join(tmpdir(), "coffer-canary-"));
    const logs: string[] = [];
    let auditFails = false;
    const running = await startServer(
      loadConfig({
        COFFER_HOME: home,
        COFFER_PORT: "0",
        COFFER_ACCOUNT_ID: testAccountId,
        COFFER_ADMIN_ACCESS_KEY_ID: testAdmin.accessKeyId,
        COFFER_ADMIN_SECRET_ACCESS_KEY: testAdmin.secretAccessKey,
      }),
      createLogger("debug", (line) => logs.push(line)),
      {
        audit: async () => {
          if (auditFails) throw new Error("disk full");
        },
      },
    ).catch((error: unknown) => {
      rmSync(home, { recursive: true, force: true });
      throw error;
    });
    const scanner = new Scanner();
    try {
      const [c1, c2] = [stringCanary(), stringCanary()];
      scanner.add(c1);
      scanner.add(c2);
      const created = await call(
        running.url,
        "secretsmanager.CreateSecret",
        JSON.stringify({ Name: "a", SecretString: c1 }),
      );
      assert.equal(created.status, 200);
      auditFails = true;
      for (const [op, input] of [
        ["GetSecretValue", { SecretId: "a" }],
        ["PutSecretValue", { SecretId: "a", SecretString: c2 }],
        ["CreateSecret", { Name: "b", SecretString: c2 }],
        ["PutSecretValue", { SecretId: "a", SecretString: [c2] }],
      ] as const) {
        const answer = await call(running.url, `secretsmanager.${op}`, JSON.stringify(input));
        assert.equal(answer.status, 503, `${op}: ${answer.body}`);
        assert.match(answer.body, /audit trail/);
        scanner.scan(`answer of ${op} with a failing audit`, answer.body);
      }
    } finally {
      await running.close();
    }
    try {
      assert.ok(logs.some((line) => line.includes('"server fault"') || line.includes("unexpected error")));
      scanner.scan("logs", logs.join(""));
      for (const file of filesUnder(home)) scanner.scan(file, readFileSync(file));
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
    reportFigure("canary-leak-audit-failure", {
      scannedItems: scanner.scannedItems,
      scannedBytes: scanner.scannedBytes,
      occurrences: scanner.found.length,
    });
    assert.deepEqual(scanner.found, []);
  });
});
