import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type ServerProcess, startServerProcess, testStoreEngine } from "@coffer/server/testing";
import { runCoffer } from "./testing/coffer-process.js";

const canary = "CANARY-admin-cli-41f2";
let server: ServerProcess;
let scratch: string;

function coffer(args: string[], env: Record<string, string> = {}) {
  return runCoffer(args, {
    PATH: process.env.PATH ?? "",
    HOME: scratch,
    COFFER_HOME: server.home,
    ...server.clientEnv,
    ...env,
  });
}

function credentialsFrom(exports: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of exports.matchAll(/export (\w+)=(\S+)/g)) env[match[1] as string] = match[2] as string;
  return env;
}

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), "coffer-admin-cli-"));
  server = await startServerProcess();
});
after(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await server?.stop();
  server?.cleanup();
});

describe("coffer admin, access, policy and audit against a live server", () => {
  let reader: Record<string, string>;

  test("an administrator creates a read-only user whose key reads one secret and nothing else", async () => {
    assert.equal((await coffer(["put", "team/one", `password=${canary}`, "--quiet"])).code, 0);
    assert.equal((await coffer(["put", "team/two", "password=other", "--quiet"])).code, 0);
    const created = await coffer(["admin", "user", "create", "reader", "--tag", "team=data"]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /^Created user reader \(arn:aws:iam::123456789012:user\/reader\)\./);
    const policyFile = join(scratch, "read-one.json");
    writeFileSync(
      policyFile,
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "ReadTeamOne",
            Effect: "Allow",
            Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            Resource: "arn:aws:secretsmanager:*:*:secret:team/one-*",
          },
        ],
      }),
    );
    const put = await coffer(["admin", "policy", "put", "reader", "read-one", "--file", policyFile]);
    assert.equal(put.code, 0, put.stderr);
    assert.equal(put.stderr, "Attached policy read-one to user reader.\n");
    const key = await coffer(["admin", "key", "create", "reader"]);
    assert.equal(key.code, 0, key.stderr);
    // The message on stderr, the key (data) on stdout.
    assert.match(key.stderr, /^Created access key AKIA\w+ for user reader\. Its secret is shown only now/);
    assert.match(key.stdout, /^export AWS_ACCESS_KEY_ID=AKIA\w+\nexport AWS_SECRET_ACCESS_KEY=\S+\n$/);
    reader = credentialsFrom(key.stdout);
    assert.match(reader.AWS_ACCESS_KEY_ID ?? "", /^AKIA/);

    const allowed = await coffer(["get", "team/one", "--field", "password"], reader);
    assert.equal(allowed.stdout.trim(), canary);
    const denied = await coffer(["get", "team/two"], reader);
    assert.equal(denied.code, 3, denied.stderr);
    assert.match(
      denied.stderr,
      /AccessDeniedException: User: arn:aws:iam::123456789012:user\/reader is not authorized/,
    );
    assert.equal((await coffer(["put", "team/one", "password=x", "--quiet"], reader)).code, 3);

    const keys = await coffer(["admin", "key", "list", "reader"]);
    assert.match(keys.stdout, new RegExp(reader.AWS_ACCESS_KEY_ID ?? "-"));
  });

  test("who-can lists every principal that can read a secret and through which statement", async () => {
    const answer = await coffer(["access", "who-can", "team/one", "--json"]);
    assert.equal(answer.code, 0, answer.stderr);
    const { Principals } = JSON.parse(answer.stdout) as {
      Principals: Array<{ Principal: string; PolicyName?: string; Sid?: string }>;
    };
    const byPrincipal = Object.fromEntries(Principals.map((p) => [p.Principal.split("/").pop(), p]));
    assert.equal(byPrincipal.reader?.Sid, "ReadTeamOne");
    assert.equal(byPrincipal.admin?.PolicyName, "AdministratorAccess");
    const other = JSON.parse((await coffer(["access", "who-can", "team/two", "--json"])).stdout) as {
      Principals: Array<{ Principal: string }>;
    };
    assert.ok(!other.Principals.some((p) => p.Principal.endsWith("/reader")));
  });

  test("every other mutating admin command says what it did on stderr", async () => {
    assert.equal((await coffer(["admin", "user", "create", "temp"])).code, 0);
    const tagged = await coffer(["admin", "user", "tag", "temp", "team=ops", "tier=1"]);
    assert.deepEqual(
      [tagged.code, tagged.stderr, tagged.stdout],
      [0, "Tagged user temp with team=ops, tier=1.\n", ""],
    );
    const policyFile = join(scratch, "temp.json");
    writeFileSync(
      policyFile,
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "secretsmanager:ListSecrets", Resource: "*" }],
      }),
    );
    assert.equal((await coffer(["admin", "policy", "put", "temp", "list", "--file", policyFile])).code, 0);
    const detached = await coffer(["admin", "policy", "delete", "temp", "list"]);
    assert.deepEqual([detached.code, detached.stderr], [0, "Deleted policy list of user temp.\n"]);
    const id = /AKIA\w+/.exec((await coffer(["admin", "key", "create", "temp"])).stdout)?.[0] ?? "";
    const disabled = await coffer(["admin", "key", "disable", id]);
    assert.match(disabled.stderr, new RegExp(`${id}.*inactive|[Dd]isabled.*${id}`));
    const deletedKey = await coffer(["admin", "key", "delete", id]);
    assert.match(deletedKey.stderr, new RegExp(`[Dd]eleted access key ${id}`));
    const deletedUser = await coffer(["admin", "user", "delete", "temp"]);
    assert.match(deletedUser.stderr, /^Deleted user temp/);
  });

  test("policy lint shows an unknown action as an error and another service's action as info", async () => {
    await coffer(["admin", "user", "create", "pasted"]);
    const typo = join(scratch, "typo.json");
    writeFileSync(
      typo,
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValu", Resource: "*" }],
      }),
    );
    const rejected = await coffer(["admin", "policy", "put", "pasted", "p", "--file", typo]);
    assert.equal(rejected.code, 5);
    assert.equal(
      rejected.stderr,
      'error: MalformedPolicyDocumentException: Statement.Action: "secretsmanager:GetSecretValu" is not a Secrets Manager action; did you mean "secretsmanager:GetSecretValue"?\n',
    );
    writeFileSync(
      typo,
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "kms:Decrypt"], Resource: "*" },
        ],
      }),
    );
    assert.equal((await coffer(["admin", "policy", "put", "pasted", "p", "--file", typo])).code, 0);
    const lint = await coffer(["policy", "lint"]);
    assert.match(lint.stdout, /info\s+OTHER_SERVICE_ACTION\s+arn:aws:iam::123456789012:user\/pasted/);
  });

  test("policy lint flags the super-user and grants nobody used", async () => {
    await coffer(["admin", "user", "create", "idle"]);
    const idlePolicy = join(scratch, "idle.json");
    writeFileSync(
      idlePolicy,
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "NeverUsed", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" },
        ],
      }),
    );
    await coffer(["admin", "policy", "put", "idle", "p", "--file", idlePolicy]);
    const lint = await coffer(["policy", "lint", "--json"]);
    assert.equal(lint.code, 0, lint.stderr);
    const findings = JSON.parse(lint.stdout) as Array<{ Code: string; Principal: string; Statement: string }>;
    assert.ok(findings.some((f) => f.Code === "SUPER_USER_GRANT" && f.Principal.endsWith("/admin")));
    assert.ok(
      findings.some(
        (f) => f.Code === "UNUSED_GRANT" && f.Principal.endsWith("/idle") && f.Statement === "NeverUsed",
      ),
    );
    assert.ok(!findings.some((f) => f.Code === "UNUSED_GRANT" && f.Principal.endsWith("/reader")));
    // The reader may also DescribeSecret but never did: its grant is broader than its use.
    assert.ok(
      findings.some(
        (f) =>
          f.Code === "BROADER_THAN_USE" && f.Principal.endsWith("/reader") && f.Statement === "ReadTeamOne",
      ),
    );
  });

  test("the audit trail shows who did what, denied and failed authentication included, and never a value", async () => {
    await coffer(["get", "team/one"], {
      ...reader,
      AWS_SECRET_ACCESS_KEY: "wrong-secret-key-for-reader-0000",
    });
    const query = await coffer([
      "audit",
      "query",
      "--principal",
      "arn:aws:iam::123456789012:user/reader",
      "--json",
    ]);
    assert.equal(query.code, 0, query.stderr);
    const events = query.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const summary = events.map((e) => `${e.eventName}:${e.errorCode ?? "OK"}`);
    assert.ok(summary.includes("GetSecretValue:OK"), summary.join());
    assert.ok(summary.includes("GetSecretValue:AccessDeniedException"), summary.join());
    const failedAuth = await coffer([
      "audit",
      "query",
      "--principal",
      reader.AWS_ACCESS_KEY_ID ?? "",
      "--outcome",
      "denied",
      "--json",
    ]);
    assert.match(failedAuth.stdout, /InvalidSignatureException/);
    const exported = await coffer(["audit", "export"]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.ok(exported.stdout.split("\n").filter(Boolean).length >= events.length);
    assert.ok(!exported.stdout.includes(canary), "a secret value reached the audit trail");
    const tail = await coffer(["audit", "tail", "--last", "3"]);
    assert.equal(tail.stdout.trim().split("\n").length, 3);
  });

  test("audit verify detects an edited, a deleted and a reordered event, and says where", {
    // The PostgreSQL chain's tamper tests: storage/contract/audit-store.contract.ts.
    skip:
      testStoreEngine() === "postgres"
        ? "edits a data folder's journal (the embedded engine's trail)"
        : false,
  }, async () => {
    const intact = await coffer(["audit", "verify"]);
    assert.equal(intact.code, 0, intact.stderr);
    assert.match(intact.stdout, /audit trail intact: \d+ events/);
    // With the server stopped, the trail is read from its files (offline, forensic use).
    await server.stop();
    const local = ["audit", "verify", "--data-dir", server.home];
    const path = join(server.home, "audit.log");
    const original = readFileSync(path, "utf8");
    const lines = original.split("\n").filter(Boolean);
    const rewrite = (edited: string[]) => writeFileSync(path, `${edited.join("\n")}\n`);

    const edited = [...lines];
    edited[2] = (edited[2] as string).replace("secretsmanager.amazonaws.com", "secretsmanager.example.org");
    rewrite(edited);
    const modified = await coffer(local);
    assert.equal(modified.code, 6, modified.stderr);
    assert.match(modified.stderr, /modified at event 3/);

    const swapped = [...lines];
    [swapped[4], swapped[5]] = [swapped[5] as string, swapped[4] as string];
    rewrite(swapped);
    const reordered = await coffer(local);
    assert.equal(reordered.code, 6);
    assert.match(reordered.stderr, /(reordered|inserted|deleted) at event 5/);

    rewrite(lines.filter((_, index) => index !== 6));
    const deleted = await coffer(local);
    assert.equal(deleted.code, 6);
    assert.match(deleted.stderr, /deleted at event 7/);

    rewrite(lines.slice(0, -2));
    const truncated = await coffer(local);
    assert.equal(truncated.code, 6);
    assert.match(truncated.stderr, /truncated/);

    writeFileSync(path, original);
    assert.equal((await coffer(local)).code, 0);
  });
});
