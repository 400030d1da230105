import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type ServerProcess, startServerProcess } from "@coffer/server/testing";
import { runCoffer } from "./testing/coffer-process.js";

const GITHUB = "token.actions.githubusercontent.com";
const githubArn = `arn:aws:iam::123456789012:oidc-provider/${GITHUB}`;
let server: ServerProcess;
let scratch: string;

function coffer(args: string[]) {
  return runCoffer(args, {
    PATH: process.env.PATH ?? "",
    HOME: scratch,
    COFFER_HOME: server.home,
    ...server.clientEnv,
  });
}

function file(name: string, content: unknown): string {
  const path = join(scratch, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

const trust = (condition: object) => ({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "GitHub",
      Effect: "Allow",
      Principal: { Federated: githubArn },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: condition,
    },
  ],
});

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), "coffer-roles-cli-"));
  server = await startServerProcess();
});
after(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await server?.stop();
  server?.cleanup();
});

describe("coffer admin role and oidc-provider against a live server", () => {
  test("an administrator adds GitHub as a provider, then a role it may assume, with a policy", async () => {
    const added = await coffer([
      "admin",
      "oidc-provider",
      "add",
      "--issuer",
      `https://${GITHUB}`,
      "--audience",
      "sts.amazonaws.com",
    ]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(
      added.stderr,
      /^Added OIDC provider https:\/\/token\.actions\.githubusercontent\.com \(arn:/,
    );
    assert.equal(added.stdout, `ARN:  ${githubArn}\n`);

    const trustFile = file(
      "trust.json",
      trust({ StringEquals: { [`${GITHUB}:sub`]: "repo:me/app:ref:refs/heads/main" } }),
    );
    const created = await coffer([
      "admin",
      "role",
      "create",
      "app",
      "--trust-policy",
      trustFile,
      "--max-session-duration",
      "7200",
      "--description",
      "the app in CI",
      "--tag",
      "team=ops",
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /^Created role app \(arn:aws:iam::123456789012:role\/app\)\./);

    const readFile = file("read.json", {
      Version: "2012-10-17",
      Statement: [{ Sid: "Read", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }],
    });
    const put = await coffer(["admin", "role", "policy", "put", "app", "read", "--file", readFile]);
    assert.deepEqual([put.code, put.stderr], [0, "Attached policy read to role app.\n"]);
    assert.equal((await coffer(["admin", "role", "policy", "list", "app"])).stdout, "read\n");
    assert.match((await coffer(["admin", "role", "policy", "get", "app", "read"])).stdout, /"Sid": "Read"/);

    const shown = await coffer(["admin", "role", "get", "app"]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^Max session: +7200 s \(2 h\)$/m);
    assert.match(shown.stdout, /^Policies: +read$/m);
    assert.match(shown.stdout, /^Trust policy:\n\{/m);
    assert.match(shown.stdout, /repo:me\/app:ref:refs\/heads\/main/);
    const json = JSON.parse((await coffer(["admin", "role", "get", "app", "--json"])).stdout) as Record<
      string,
      unknown
    >;
    assert.deepEqual([json.RoleName, json.MaxSessionDuration, json.PolicyNames], ["app", 7200, ["read"]]);

    const listed = await coffer(["admin", "role", "list"]);
    assert.match(listed.stdout, /^app +arn:aws:iam::123456789012:role\/app +\S+ +7200 s +the app in CI$/m);
    const providers = await coffer(["admin", "oidc-provider", "list", "--json"]);
    assert.deepEqual(
      (JSON.parse(providers.stdout) as Array<{ Arn: string; KeySource: string }>).map((p) => [
        p.Arn,
        p.KeySource,
      ]),
      [[githubArn, "Discovery"]],
    );
    const provider = await coffer(["admin", "oidc-provider", "get", `https://${GITHUB}/`]);
    assert.match(provider.stdout, /^Audiences: +sts\.amazonaws\.com$/m);
  });

  test("who-can says a role's sessions can read, and lint flags a trust policy open to every repository", async () => {
    assert.equal((await coffer(["put", "roles/db", "password=x", "--quiet"])).code, 0);
    const whoCan = await coffer(["access", "who-can", "roles/db"]);
    assert.equal(whoCan.code, 0, whoCan.stderr);
    assert.match(
      whoCan.stdout,
      /^role app \(its sessions\) +arn:aws:iam::123456789012:role\/app +identity policy +read +Read$/m,
    );
    assert.match(whoCan.stdout, /^user admin +arn:aws:iam::123456789012:user\/admin /m);
    const json = JSON.parse((await coffer(["access", "who-can", "roles/db", "--json"])).stdout) as {
      Principals: Array<{ Principal: string; Kind: string }>;
    };
    assert.equal(json.Principals.find((p) => p.Principal.endsWith(":role/app"))?.Kind, "role");

    const open = file("open.json", trust({ StringLike: { [`${GITHUB}:sub`]: "repo:*" } }));
    const updated = await coffer([
      "admin",
      "role",
      "update",
      "app",
      "--trust-policy",
      open,
      "--max-session-duration",
      "3600",
    ]);
    assert.deepEqual(
      [updated.code, updated.stderr],
      [0, "Updated role app: its trust policy, its longest session to 3600 s (1 h).\n"],
    );
    const lint = await coffer(["policy", "lint", "--json"]);
    const findings = JSON.parse(lint.stdout) as Array<{
      Code: string;
      Principal: string;
      PolicyName: string;
    }>;
    assert.ok(
      findings.some(
        (f) =>
          f.Code === "OPEN_WEB_IDENTITY_TRUST" &&
          f.Principal.endsWith(":role/app") &&
          f.PolicyName === "(trust policy)",
      ),
      lint.stdout,
    );
  });

  test("refusals: a missing file, a malformed trust policy, an out-of-range duration, an unknown issuer", async () => {
    const missing = join(scratch, "missing.json");
    const noFile = await coffer(["admin", "role", "create", "x", "--trust-policy", missing]);
    assert.deepEqual(
      [noFile.code, noFile.stderr],
      [1, `error: cannot read the trust policy file ${missing}: no such file\n`],
    );
    const noJwks = await coffer([
      "admin",
      "oidc-provider",
      "add",
      "--issuer",
      "https://k8s.example",
      "--audience",
      "coffer",
      "--jwks-file",
      missing,
    ]);
    assert.deepEqual(
      [noJwks.code, noJwks.stderr],
      [1, `error: cannot read the JWKS file ${missing}: no such file\n`],
    );

    const withResource = file("resource.json", {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: githubArn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Resource: "*",
        },
      ],
    });
    const malformed = await coffer(["admin", "role", "create", "bad", "--trust-policy", withResource]);
    assert.equal(malformed.code, 5);
    assert.match(
      malformed.stderr,
      /^error: MalformedPolicyDocumentException: The policy document is malformed\. Statement\[0\]\.Resource: A trust policy applies to the role/,
    );

    const tooShort = await coffer(["admin", "role", "update", "app", "--max-session-duration", "60"]);
    assert.equal(tooShort.code, 1);
    assert.match(tooShort.stderr, /--max-session-duration takes 3600 to 43200 seconds/);

    const unknown = await coffer(["admin", "oidc-provider", "remove", "https://gitlab.com"]);
    assert.deepEqual(
      [unknown.code, unknown.stderr],
      [2, "error: no OIDC provider has the issuer https://gitlab.com; see coffer admin oidc-provider list\n"],
    );
  });

  test("update and remove a provider, and delete the role", async () => {
    // One real signing key: the server refuses keys its verifier could not use.
    const key = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" });
    const jwks = file("jwks.json", { keys: [{ ...key, kid: "k1", use: "sig", alg: "RS256" }] });
    const updated = await coffer([
      "admin",
      "oidc-provider",
      "update",
      GITHUB,
      "--audience",
      "coffer",
      "--jwks-file",
      jwks,
    ]);
    assert.deepEqual(
      [updated.code, updated.stderr],
      [0, `Updated OIDC provider ${githubArn}: audiences coffer; where its keys come from.\n`],
    );
    assert.match(
      (await coffer(["admin", "oidc-provider", "get", githubArn])).stdout,
      /^Keys: +stored JWKS document \(1 key\)$/m,
    );
    const removed = await coffer(["admin", "oidc-provider", "remove", githubArn]);
    assert.equal(removed.code, 0, removed.stderr);
    const deleted = await coffer(["admin", "role", "delete", "app"]);
    assert.deepEqual(
      [deleted.code, deleted.stderr],
      [0, "Deleted role app with its policies; its sessions stopped working.\n"],
    );
    const gone = await coffer(["admin", "role", "get", "app"]);
    assert.equal(gone.code, 2);
  });
});
