import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CliError, UsageError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import { MemoryOutput } from "../testing/memory-io.js";
import type { AdminCall } from "./admin-client.js";
import { runProviderAdd, runProviderGet, runProviderRemove, runProviderUpdate } from "./oidc-providers.js";
import { runRoleCreate, runRoleGet, runRoleUpdate } from "./roles.js";

const ACCOUNT = "123456789012";
const providerArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const trustPolicy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { Federated: providerArn }, Action: "sts:AssumeRoleWithWebIdentity" },
  ],
});
const role = {
  RoleName: "deploy",
  Arn: `arn:aws:iam::${ACCOUNT}:role/deploy`,
  RoleId: "AROAEXAMPLEEXAMPLE1",
  CreateDate: 1_796_083_200,
  AssumeRolePolicyDocument: trustPolicy,
  MaxSessionDuration: 7_200,
  Description: "deploys the app",
  Tags: [{ Key: "team", Value: "ops" }],
};

/** An admin API that answers each operation from a script (an Error is thrown) and records the calls. */
function scripted(answers: Record<string, object | Error> = {}) {
  const calls: Array<[string, Record<string, unknown>]> = [];
  const admin: AdminCall = async (operation, input) => {
    calls.push([operation, JSON.parse(JSON.stringify(input)) as Record<string, unknown>]);
    const answer = answers[operation];
    if (answer instanceof Error) throw answer;
    return (answer ?? {}) as Record<string, unknown>;
  };
  return { calls, context: { admin, stdout: new MemoryOutput(), stderr: new MemoryOutput() } };
}

let folder: string;
const file = (name: string, text: string) => {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
};
before(() => {
  folder = mkdtempSync(join(tmpdir(), "coffer-roles-cli-"));
});
after(() => rmSync(folder, { recursive: true, force: true }));

describe("coffer admin role", () => {
  it("create sends the trust policy file's text and the options, and says what to do next", async () => {
    const { calls, context } = scripted({ CreateRole: { Role: role } });
    await runRoleCreate(context, "deploy", {
      trustPolicy: file("trust.json", trustPolicy),
      maxSessionDuration: "7200",
      description: "deploys the app",
      tag: ["team=ops"],
    });
    assert.deepEqual(calls, [
      [
        "CreateRole",
        {
          RoleName: "deploy",
          AssumeRolePolicyDocument: trustPolicy,
          MaxSessionDuration: 7200,
          Description: "deploys the app",
          Tags: [{ Key: "team", Value: "ops" }],
        },
      ],
    ]);
    assert.match(context.stderr.text, /^Created role deploy \(arn:aws:iam::123456789012:role\/deploy\)\./);
    assert.match(context.stderr.text, /coffer admin role policy put deploy NAME --file policy\.json/);
  });

  it("create refuses a missing trust policy file or an out-of-range duration before calling", async () => {
    const { calls, context } = scripted();
    const missing = join(folder, "nope.json");
    await assert.rejects(
      runRoleCreate(context, "deploy", { trustPolicy: missing }),
      (error: Error) =>
        error instanceof UsageError &&
        error.message === `cannot read the trust policy file ${missing}: no such file`,
    );
    await assert.rejects(
      runRoleCreate(context, "deploy", { trustPolicy: folder }),
      /cannot read the trust policy file .*: it is a folder/,
    );
    await assert.rejects(
      runRoleCreate(context, "deploy", {
        trustPolicy: file("t.json", trustPolicy),
        maxSessionDuration: "900",
      }),
      /--max-session-duration takes 3600 to 43200 seconds \(1 to 12 hours\), not "900"/,
    );
    assert.deepEqual(calls, []);
  });

  it("get shows the trust policy, the longest session and the attached policies", async () => {
    const { context } = scripted({ GetRole: { Role: role }, ListRolePolicies: { PolicyNames: ["read-db"] } });
    await runRoleGet(context, "deploy", {});
    const text = context.stdout.text;
    assert.match(text, /^Role: +deploy$/m);
    assert.match(text, /^Max session: +7200 s \(2 h\)$/m);
    assert.match(text, /^Policies: +read-db$/m);
    assert.match(text, /^Trust policy:\n\{\n {2}"Version": "2012-10-17",/m);
    const json = scripted({ GetRole: { Role: role }, ListRolePolicies: { PolicyNames: [] } });
    await runRoleGet(json.context, "deploy", { json: true });
    assert.deepEqual(JSON.parse(json.context.stdout.text), { ...role, PolicyNames: [] });
  });

  it("update changes the trust policy first, and says what was done when a later call fails", async () => {
    const { calls, context } = scripted({
      UpdateRole: Object.assign(new Error("bad description"), { name: "ValidationException" }),
    });
    await assert.rejects(
      runRoleUpdate(context, "deploy", { trustPolicy: file("new.json", trustPolicy), description: "x" }),
      /bad description/,
    );
    assert.deepEqual(
      calls.map(([operation]) => operation),
      ["UpdateAssumeRolePolicy", "UpdateRole"],
    );
    assert.equal(context.stderr.text, "Updated role deploy: its trust policy; then:\n");
    await assert.rejects(runRoleUpdate(context, "deploy", {}), /nothing to update/);
  });
});

describe("coffer admin oidc-provider", () => {
  const listed = {
    OpenIDConnectProviderList: [{ Arn: providerArn, Url: "https://token.actions.githubusercontent.com" }],
  };

  it("add sends the JWKS file's text, and refuses two sources of keys", async () => {
    const { calls, context } = scripted({
      CreateOpenIDConnectProvider: { OpenIDConnectProviderArn: providerArn },
    });
    const jwks = JSON.stringify({ keys: [{ kty: "RSA", kid: "k1", n: "AQAB", e: "AQAB" }] });
    await runProviderAdd(context, {
      issuer: "https://token.actions.githubusercontent.com",
      audience: ["sts.amazonaws.com"],
      jwksFile: file("jwks.json", jwks),
    });
    assert.deepEqual(calls, [
      [
        "CreateOpenIDConnectProvider",
        {
          Url: "https://token.actions.githubusercontent.com",
          ClientIDList: ["sts.amazonaws.com"],
          JwksDocument: jwks,
        },
      ],
    ]);
    assert.match(context.stderr.text, /keys stored JWKS document \(1 key\)/);
    assert.match(context.stderr.text, /"token\.actions\.githubusercontent\.com:sub"/);
    await assert.rejects(
      runProviderAdd(context, {
        issuer: "https://x.example",
        audience: ["a"],
        jwksFile: "f",
        jwksUrl: "https://k",
      }),
      /give one source for the provider's keys/,
    );
    await assert.rejects(
      runProviderAdd(context, {
        issuer: "https://x.example",
        audience: ["a"],
        jwksFile: join(folder, "none"),
      }),
      /cannot read the JWKS file .*none: no such file/,
    );
  });

  it("get, update and remove take the issuer as well as the ARN", async () => {
    const { calls, context } = scripted({
      ListOpenIDConnectProviders: listed,
      GetOpenIDConnectProvider: {
        Url: "https://token.actions.githubusercontent.com",
        ClientIDList: ["sts.amazonaws.com"],
        CreateDate: 1_796_083_200,
        Tags: [],
        KeySource: "Discovery",
      },
    });
    await runProviderGet(context, "token.actions.githubusercontent.com/", {});
    assert.match(context.stdout.text, /^Keys: +fetched through the issuer's discovery document$/m);
    await runProviderUpdate(context, "https://token.actions.githubusercontent.com", { audience: ["coffer"] });
    await runProviderRemove(context, providerArn);
    assert.deepEqual(
      calls.map(([operation, input]) => `${operation} ${input.OpenIDConnectProviderArn ?? ""}`.trim()),
      [
        "ListOpenIDConnectProviders",
        `GetOpenIDConnectProvider ${providerArn}`,
        "ListOpenIDConnectProviders",
        `UpdateOpenIDConnectProvider ${providerArn}`,
        `DeleteOpenIDConnectProvider ${providerArn}`,
      ],
    );
    assert.match(
      context.stderr.text,
      /Removed OIDC provider .*sessions already issued run until they expire/,
    );
  });

  it("an issuer written exactly picks its provider; one that two providers are like asks for the ARN", async () => {
    const twins = {
      OpenIDConnectProviderList: [
        { Arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/tenant.example`, Url: "https://tenant.example" },
        { Arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/tenant.example/`, Url: "https://tenant.example/" },
      ],
    };
    const { calls, context } = scripted({ ListOpenIDConnectProviders: twins });
    await runProviderRemove(context, "https://tenant.example/");
    assert.deepEqual(calls.at(-1), [
      "DeleteOpenIDConnectProvider",
      { OpenIDConnectProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/tenant.example/` },
    ]);
    await assert.rejects(
      runProviderRemove(context, "tenant.example"),
      (error: Error) =>
        error instanceof UsageError && /several OIDC providers .*; give the ARN/.test(error.message),
    );
  });

  it("an issuer no provider has is not found (exit code 2)", async () => {
    const { context } = scripted({ ListOpenIDConnectProviders: listed });
    await assert.rejects(
      runProviderRemove(context, "https://gitlab.com"),
      (error: Error) =>
        error instanceof CliError &&
        error.exitCode === ExitCode.NotFound &&
        /no OIDC provider has the issuer https:\/\/gitlab\.com/.test(error.message),
    );
  });
});
