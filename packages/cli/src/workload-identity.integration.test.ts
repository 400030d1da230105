import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import {
  requireTool,
  type ServerProcess,
  startServerProcess,
  testAccountId,
  testAdmin,
  testRegion,
} from "@coffer/server/testing";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { killStartedCoffers, runProgram, startCoffer } from "./testing/coffer-process.js";

/**
 * Issue 12's promise, end to end: a workload that holds no secret at all — only a signed, short-
 * lived OIDC token in a file, as a Kubernetes projected service-account token or a CI job's ID token
 * — reads its secret with unchanged clients: boto3, the aws CLI, the AWS SDK for JavaScript v3,
 * @coffer/client, `coffer run` and `coffer agent`. Each gets only AWS_ROLE_ARN,
 * AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ENDPOINT_URL_STS and the Secrets Manager endpoint; no access key
 * exists anywhere in its environment or files. The issuer here is made by the test (a key pair and
 * a JWKS file), set up with `coffer admin oidc-provider add` and `coffer admin role create`.
 */

const boto3 = requireTool("boto3");
const awsCli = requireTool("aws");
const issuer = "https://oidc.cluster.example";
const audience = "coffer";
const subject = "system:serviceaccount:payments:api";
const roleArn = `arn:aws:iam::${testAccountId}:role/payments-api`;
const CANARY = "wi-e2e-CANARY-7f3a";
const value = JSON.stringify({ password: CANARY });
const cliDir = join(dirname(fileURLToPath(import.meta.url)), "..");

let server: ServerProcess;
let scratch: string;
let workloadEnv: Record<string, string>;
let token: string;

/** `coffer …` as the operator runs it, with the admin's credentials; resolves with stdout. */
async function admin(args: string[]): Promise<string> {
  const process_ = startCoffer(args, { ...server.clientEnv, HOME: scratch });
  const { code } = await process_.exited;
  assert.equal(code, 0, `coffer ${args.join(" ")} failed: ${process_.stderr()}`);
  return process_.stdout();
}

/** Runs a program with exactly `env` (plus PATH); resolves with its stdout, rejects with its output. */
async function run(command: string, args: string[], env: Record<string, string>): Promise<string> {
  const result = await runProgram(command, args, { PATH: process.env.PATH ?? "", ...env }, { cwd: cliDir });
  if (result.code !== 0)
    throw new Error(`${command} exited ${result.code}:\n${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), "coffer-workload-identity-"));
  server = await startServerProcess();
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "cluster-key-1", alg: "RS256", use: "sig" };
  writeFileSync(join(scratch, "jwks.json"), JSON.stringify({ keys: [jwk] }));
  writeFileSync(
    join(scratch, "trust.json"),
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: `arn:aws:iam::${testAccountId}:oidc-provider/oidc.cluster.example` },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { "oidc.cluster.example:sub": subject, "oidc.cluster.example:aud": audience },
          },
        },
      ],
    }),
  );
  writeFileSync(
    join(scratch, "read-db.json"),
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }],
    }),
  );
  await admin([
    "admin",
    "oidc-provider",
    "add",
    "--issuer",
    issuer,
    "--audience",
    audience,
    "--jwks-file",
    join(scratch, "jwks.json"),
  ]);
  await admin(["admin", "role", "create", "payments-api", "--trust-policy", join(scratch, "trust.json")]);
  await admin([
    "admin",
    "role",
    "policy",
    "put",
    "payments-api",
    "read-db",
    "--file",
    join(scratch, "read-db.json"),
  ]);
  const sdk = new SecretsManagerClient({ endpoint: server.url, region: testRegion, credentials: testAdmin });
  await sdk.send(new CreateSecretCommand({ Name: "payments/db", SecretString: value }));
  sdk.destroy();

  token = await new SignJWT({})
    .setProtectedHeader({ alg: "RS256", kid: "cluster-key-1", typ: "JWT" })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime("10m")
    .sign(privateKey);
  writeFileSync(join(scratch, "token"), token, { mode: 0o600 });
  workloadEnv = {
    HOME: scratch,
    TMPDIR: tmpdir(),
    AWS_REGION: testRegion,
    AWS_DEFAULT_REGION: testRegion,
    AWS_ROLE_ARN: roleArn,
    AWS_WEB_IDENTITY_TOKEN_FILE: join(scratch, "token"),
    AWS_ENDPOINT_URL_STS: server.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: server.url,
    // Nothing else to find credentials in: no shared files, no instance metadata.
    AWS_CONFIG_FILE: join(scratch, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(scratch, "no-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
  };
  for (const name of Object.keys(workloadEnv))
    assert.ok(!/ACCESS_KEY|SECRET_ACCESS|SESSION_TOKEN/.test(name));
});

after(async () => {
  await killStartedCoffers();
  await server?.stop();
  server?.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("a workload with only a web identity token reads its secret", () => {
  it("with boto3", { skip: boto3.skip }, async () => {
    const script = `
import json, boto3
who = boto3.client("sts").get_caller_identity()
value = boto3.client("secretsmanager").get_secret_value(SecretId="payments/db")["SecretString"]
print(json.dumps({"arn": who["Arn"], "value": value}))`;
    const out = JSON.parse(await run(boto3.python, ["-c", script], workloadEnv));
    // No AWS_ROLE_SESSION_NAME: the SDK names the session itself.
    assert.match(
      out.arn,
      new RegExp(`^arn:aws:sts::${testAccountId}:assumed-role/payments-api/[\\w+=,.@-]{2,64}$`),
    );
    assert.equal(out.value, value);
  });

  it("with the aws CLI", { skip: awsCli.skip }, async () => {
    const out = await run(
      "aws",
      ["secretsmanager", "get-secret-value", "--secret-id", "payments/db", "--output", "json"],
      workloadEnv,
    );
    assert.equal(JSON.parse(out).SecretString, value);
  });

  it("with the AWS SDK for JavaScript v3 (its default credential chain)", async () => {
    const script = `
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
const client = new SecretsManagerClient({});
const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: "payments/db" }));
console.log(SecretString);`;
    const out = await run(process.execPath, ["--input-type=module", "-e", script], workloadEnv);
    assert.equal(out.trim(), value);
  });

  it("with @coffer/client in two lines", async () => {
    const script = `
import { secrets } from "@coffer/client";
const { password } = await secrets.getJson("payments/db");
console.log(password);`;
    const out = await run(process.execPath, ["--input-type=module", "-e", script], workloadEnv);
    assert.equal(out.trim(), CANARY);
  });

  it("with coffer run", async () => {
    const child = startCoffer(
      [
        "run",
        "--env",
        "DB_PASSWORD=payments/db#password",
        "--",
        process.execPath,
        "-e",
        "console.log(process.env.DB_PASSWORD.length)",
      ],
      workloadEnv,
    );
    const { code } = await child.exited;
    assert.equal(code, 0, child.stderr());
    assert.equal(child.stdout().trim(), String(CANARY.length));
  });

  it("with coffer agent", async () => {
    const agentToken = "wi-agent-token-0123456789";
    writeFileSync(join(scratch, "agent-token"), agentToken, { mode: 0o600 });
    const agent = startCoffer(
      ["agent", "--port", "0", "--token-file", join(scratch, "agent-token")],
      workloadEnv,
    );
    const url = (await agent.waitForStdout(/http:\/\/127\.0\.0\.1:\d+/)).trim();
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const outgoing = request(
        `${url}/secretsmanager/get?secretId=payments/db`,
        { headers: { "X-Aws-Parameters-Secrets-Token": agentToken }, agent: false },
        (response) => {
          let body = "";
          response.on("data", (chunk: Buffer) => {
            body += chunk.toString("utf8");
          });
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      outgoing.on("error", reject);
      outgoing.end();
    });
    assert.equal(answer.status, 200, answer.body);
    assert.equal(JSON.parse(answer.body).SecretString, value);
    agent.child.kill("SIGTERM");
    await agent.exited;
  });

  it("and the audit trail names the workload by its token's subject, never by the token", async () => {
    const trail = await admin(["audit", "query", "--json", "--limit", "1000"]);
    assert.ok(trail.includes('"WebIdentityUser"'), "the exchange is recorded as a WebIdentityUser");
    assert.ok(trail.includes(subject), "the token's subject is recorded");
    assert.ok(trail.includes('"webIdFederationData"'), "the session's reads carry their federation data");
    assert.ok(!trail.includes(CANARY), "no secret value in the trail");
    assert.ok(
      !trail.includes(token) && !trail.includes(token.split(".")[2] as string),
      "no token in the trail",
    );
  });
});
