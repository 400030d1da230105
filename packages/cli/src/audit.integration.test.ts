import assert from "node:assert/strict";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { DEFAULT_CONNECT_TIMEOUT_SECONDS, DEFAULT_READ_TIMEOUT_SECONDS } from "@coffer/client";
import { type ServerProcess, startServerProcess, testRegion, testStoreEngine } from "@coffer/server/testing";
import { createAdminCaller } from "./admin/admin-client.js";
import { runCoffer, startCoffer } from "./testing/coffer-process.js";

const canary = "CANARY-audit-api-9c4e7b";
let server: ServerProcess;
let scratch: string;
let auditor: Record<string, string>;
let outsider: Record<string, string>;

function coffer(args: string[], env: Record<string, string> = {}) {
  return runCoffer(args, { PATH: process.env.PATH ?? "", HOME: scratch, ...server.clientEnv, ...env });
}

function credentialsFrom(exports: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of exports.matchAll(/export (\w+)=(\S+)/g)) env[match[1] as string] = match[2] as string;
  return env;
}

async function userWithPolicy(name: string, statement: object): Promise<Record<string, string>> {
  assert.equal((await coffer(["admin", "user", "create", name])).code, 0);
  const file = join(scratch, `${name}.json`);
  writeFileSync(file, JSON.stringify({ Version: "2012-10-17", Statement: [statement] }));
  const put = await coffer(["admin", "policy", "put", name, "p", "--file", file]);
  assert.equal(put.code, 0, put.stderr);
  const key = await coffer(["admin", "key", "create", name]);
  assert.equal(key.code, 0, key.stderr);
  return credentialsFrom(key.stdout);
}

const lines = (text: string) => text.split("\n").filter(Boolean);

before(async () => {
  server = await startServerProcess();
  scratch = mkdtempSync(join(tmpdir(), "coffer-audit-cli-"));
  assert.equal((await coffer(["put", "audit/canary", `password=${canary}`, "--quiet"])).code, 0);
  auditor = await userWithPolicy("auditor", {
    Effect: "Allow",
    Action: ["coffer:QueryAuditEvents", "coffer:TailAuditEvents", "coffer:VerifyAuditTrail"],
    Resource: "*",
  });
  outsider = await userWithPolicy("outsider", {
    Effect: "Allow",
    Action: "secretsmanager:DescribeSecret",
    Resource: "*",
  });
});
after(async () => {
  await server.stop();
  server.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

describe("coffer audit through the API", () => {
  test("a user without the coffer:*Audit* actions is denied every audit read, and each denial is audited", async () => {
    for (const args of [
      ["audit", "query"],
      ["audit", "tail"],
      ["audit", "export"],
      ["audit", "verify"],
    ]) {
      const denied = await coffer(args, outsider);
      assert.equal(denied.code, 3, `${args.join(" ")}: ${denied.stderr}`);
      assert.match(denied.stderr, /AccessDeniedException: .*user\/outsider is not authorized/);
    }
    const trail = await coffer([
      "audit",
      "query",
      "--principal",
      "arn:aws:iam::123456789012:user/outsider",
      "--outcome",
      "denied",
      "--json",
    ]);
    const names = lines(trail.stdout).map((line) => (JSON.parse(line) as { eventName: string }).eventName);
    for (const name of ["QueryAuditEvents", "TailAuditEvents", "VerifyAuditTrail"]) {
      assert.ok(names.includes(name), `${name} denial missing from ${names.join()}`);
    }
  });

  test("a user granted only the audit actions reads the trail, and nothing else", async () => {
    const query = await coffer(["audit", "query", "--action", "CreateUser", "--json"], auditor);
    assert.equal(query.code, 0, query.stderr);
    const created = lines(query.stdout).map(
      (line) => JSON.parse(line) as { additionalEventData?: { auditPhase?: string } },
    );
    // Each change is there twice: its write-ahead intent, then its outcome (docs/adr/0005).
    assert.equal(
      created.filter((event) => event.additionalEventData?.auditPhase !== "intent").length,
      2,
      "the two users created in before()",
    );
    assert.equal(created.length, 4);
    const verify = await coffer(["audit", "verify"], auditor);
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /^audit trail intact: \d+ events; head \d+:[0-9a-f]{64}$/m);
    const tail = await coffer(["audit", "tail", "--last", "5"], auditor);
    assert.equal(tail.code, 0, tail.stderr);
    assert.equal(lines(tail.stdout).length, 5);
    assert.equal((await coffer(["get", "audit/canary"], auditor)).code, 3);
    assert.equal((await coffer(["admin", "user", "list"], auditor)).code, 3);
    const own = await coffer([
      "audit",
      "query",
      "--principal",
      "arn:aws:iam::123456789012:user/auditor",
      "--action",
      "QueryAuditEvents",
      "--outcome",
      "success",
      "--json",
    ]);
    assert.ok(lines(own.stdout).length >= 1, "the auditor's own reads are audited");
    // Used coffer: grants count as used: no UNUSED_GRANT or BROADER_THAN_USE for the auditor.
    const lint = await coffer(["policy", "lint", "--json"]);
    const findings = JSON.parse(lint.stdout) as Array<{ Code: string; Principal: string }>;
    assert.deepEqual(
      findings.filter((f) => f.Principal.endsWith("/auditor")),
      [],
      lint.stdout,
    );
  });

  test("a denied read shows the secret it asked for in the table", async () => {
    assert.equal((await coffer(["get", "audit/canary"], outsider)).code, 3);
    const table = await coffer(["audit", "query", "--secret", "audit/canary", "--outcome", "denied"]);
    assert.equal(table.code, 0, table.stderr);
    const row = lines(table.stdout).find((line) => line.includes("GetSecretValue"));
    assert.ok(row, table.stdout);
    assert.match(row, /\saudit\/canary\s+AccessDeniedException\s/);
  });

  test("the API and the data folder print the same", async () => {
    const until = new Date().toISOString();
    for (const args of [
      ["audit", "query", "--until", until, "--limit", "1000"],
      ["audit", "query", "--until", until, "--json", "--secret", "audit/canary"],
      ["audit", "export", "--until", until, "--chain"],
      ["audit", "export", "--until", until, "--outcome", "denied"],
    ]) {
      const remote = await coffer(args);
      // On PostgreSQL (COFFER_TEST_STORE=postgres) the trail is the database's: COFFER_STORE says where.
      const local = await coffer([...args, "--data-dir", server.home], server.storeEnv);
      assert.equal(remote.code, 0, remote.stderr);
      assert.equal(local.code, 0, local.stderr);
      assert.ok(remote.stdout.length > 0);
      assert.equal(local.stdout, remote.stdout, args.join(" "));
    }
  });

  test("tail --follow shows new events as they come, never its own polls, and does not flood the trail", async () => {
    const since = new Date().toISOString();
    const tail = startCoffer(["audit", "tail", "--follow", "--last", "0"], {
      PATH: process.env.PATH ?? "",
      HOME: scratch,
      ...server.clientEnv,
    });
    try {
      await tail.waitForStderr(/Following new events/);
      for (let i = 1; i <= 3; i++) {
        assert.equal((await coffer(["describe", "audit/canary"])).code, 0);
        await tail.waitForStdout(new RegExp(`(DescribeSecret[^\\n]*\\n[^]*){${i}}`));
      }
    } finally {
      tail.child.kill("SIGINT");
    }
    const { code } = await tail.exited;
    assert.equal(code, 0, tail.stderr());
    assert.doesNotMatch(tail.stdout(), /TailAuditEvents/);
    const polls = await coffer(["audit", "query", "--action", "TailAuditEvents", "--since", since, "--json"]);
    // One poll per answer (3 events, each may come alone) plus the first catch-up and the last wait.
    assert.ok(lines(polls.stdout).length <= 8, `${lines(polls.stdout).length} polls for 3 events`);
  });

  test("no audit answer ever carries a secret value", async () => {
    assert.equal((await coffer(["put", "audit/canary", `password=${canary}-2`, "--quiet"])).code, 0);
    const admin = adminAsServerAdmin(server);
    const answers = [
      await admin("QueryAuditEvents", { MaxResults: 1000, IncludeChain: true }),
      await admin("QueryAuditEvents", { SecretId: "audit/canary", SortOrder: "asc" }),
      await admin("TailAuditEvents", { Last: 1000, MaxResults: 1000 }),
      await admin("VerifyAuditTrail", {}),
    ];
    const seen = JSON.stringify(answers);
    assert.ok(seen.includes("PutSecretValue") || seen.includes("CreateSecret"), "the writes are there");
    assert.ok(!seen.includes(canary), "a secret value reached an audit answer");
    for (const args of [
      ["audit", "export", "--chain"],
      ["audit", "tail", "--last", "1000", "--json"],
    ]) {
      const printed = await coffer(args);
      assert.equal(printed.code, 0, printed.stderr);
      assert.ok(!printed.stdout.includes(canary), args.join(" "));
    }
  });

  test("bad pagination tokens and waits are client errors", async () => {
    const admin = adminAsServerAdmin(server);
    await assert.rejects(admin("QueryAuditEvents", { NextToken: "bm90LWEtdG9rZW4" }), {
      name: "InvalidNextTokenException",
    });
    await assert.rejects(admin("TailAuditEvents", { WaitTimeSeconds: 3600 }), {
      name: "ValidationException",
    });
    await assert.rejects(admin("VerifyAuditTrail", { AnchorSeq: 1 }), { name: "InvalidParameterException" });
  });
});

describe("coffer audit --data-dir", () => {
  test("a folder without a trail is refused, and nothing is created", async () => {
    const home = mkdtempSync(join(tmpdir(), "coffer-audit-home-"));
    const empty = join(home, "empty");
    mkdirSync(empty);
    const missing = join(home, "missing");
    try {
      for (const command of [["verify"], ["query"], ["tail"], ["export"], ["tail", "--follow"]]) {
        const none = await runCoffer(["audit", ...command, "--data-dir", missing], {
          PATH: process.env.PATH ?? "",
          HOME: home,
        });
        assert.equal(none.code, 1, none.stderr);
        assert.match(none.stderr, /there is no folder .*missing/);
        const bare = await runCoffer(["audit", ...command, "--data-dir", empty], {
          PATH: process.env.PATH ?? "",
          HOME: home,
        });
        assert.equal(bare.code, 1, bare.stderr);
        assert.match(bare.stderr, /holds no audit trail \(no audit\.log\)/);
        const defaulted = await runCoffer(["audit", ...command, "--data-dir"], {
          PATH: process.env.PATH ?? "",
          HOME: home,
        });
        assert.equal(defaulted.code, 1, defaulted.stderr);
        assert.match(defaulted.stderr, /\.coffer/);
      }
      assert.equal(existsSync(missing), false);
      assert.deepEqual(readdirSync(empty), []);
      assert.deepEqual(readdirSync(home).sort(), ["empty"], "no ~/.coffer was created");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test("verify and tail of a copied trail write nothing; only a query adds the derived index", {
    skip:
      testStoreEngine() === "postgres"
        ? "copies a data folder's journal (the embedded engine's trail)"
        : false,
  }, async () => {
    const copy = mkdtempSync(join(tmpdir(), "coffer-audit-copy-"));
    try {
      for (const file of ["audit.log", "audit.log.head"])
        copyFileSync(join(server.home, file), join(copy, file));
      const env = { PATH: process.env.PATH ?? "", HOME: copy };
      const verify = await runCoffer(["audit", "verify", "--data-dir", copy], env);
      assert.equal(verify.code, 0, verify.stderr);
      const tail = await runCoffer(["audit", "tail", "--last", "3", "--data-dir", copy], env);
      assert.equal(tail.code, 0, tail.stderr);
      assert.equal(lines(tail.stdout).length, 3);
      assert.deepEqual(readdirSync(copy).sort(), ["audit.log", "audit.log.head"]);
      const query = await runCoffer(["audit", "query", "--data-dir", copy], env);
      assert.equal(query.code, 0, query.stderr);
      assert.ok(readdirSync(copy).includes("audit.db"));
      // Without its head file the trail fails verification, and its events can still be read.
      rmSync(join(copy, "audit.log.head"));
      rmSync(join(copy, "audit.db"));
      const headless = await runCoffer(["audit", "verify", "--data-dir", copy], env);
      assert.equal(headless.code, 6, headless.stderr);
      assert.match(headless.stderr, /head is missing/);
      const rows = await runCoffer(
        ["audit", "query", "--action", "CreateUser", "--outcome", "success", "--data-dir", copy],
        env,
      );
      assert.equal(rows.code, 0, rows.stderr);
      assert.equal(lines(rows.stdout).length, 3, rows.stdout);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  test("tail --follow of the data folder sees what the running server writes", async () => {
    const tail = startCoffer(["audit", "tail", "--follow", "--last", "0", "--data-dir", server.home], {
      PATH: process.env.PATH ?? "",
      HOME: scratch,
      ...server.storeEnv,
    });
    try {
      await tail.waitForStderr(/Following new events/);
      assert.equal((await coffer(["describe", "audit/canary"])).code, 0);
      await tail.waitForStdout(/DescribeSecret/);
    } finally {
      tail.child.kill("SIGINT");
    }
    const { code } = await tail.exited;
    assert.equal(code, 0, tail.stderr());
  });

  test("--data-dir and --endpoint-url together are a usage error", async () => {
    const both = await coffer(["--endpoint-url", server.url, "audit", "verify", "--data-dir", server.home]);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /--data-dir or --endpoint-url, not both/);
  });
});

/** The admin API, called directly (not through the CLI) with the server's admin key. */
function adminAsServerAdmin(server: ServerProcess) {
  return createAdminCaller({
    endpoint: server.url,
    region: testRegion,
    credentials: async () => ({
      accessKeyId: server.clientEnv.AWS_ACCESS_KEY_ID as string,
      secretAccessKey: server.clientEnv.AWS_SECRET_ACCESS_KEY as string,
    }),
    timeouts: { connectSeconds: DEFAULT_CONNECT_TIMEOUT_SECONDS, readSeconds: DEFAULT_READ_TIMEOUT_SECONDS },
  });
}
