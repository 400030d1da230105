import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { createSecrets, type SecretsClient } from "@coffer/client";
import { type ServerProcess, startServerProcess, testAdmin, testRegion } from "@coffer/server/testing";
import { type RunningAgent, startAgent } from "../start-agent.js";
import { requireTool } from "../testing/external-tool.js";
import { httpRequest } from "../testing/http-get.js";
import { runTool } from "../testing/run-tool.js";

const TOKEN = "integration-agent-token-4f1c";
const FIRST = JSON.stringify({ apiKey: "first-CANARY-7d2e" });
const SECOND = JSON.stringify({ apiKey: "second-CANARY-9a41" });
const BINARY = Uint8Array.from([0, 1, 2, 250, 255]);

/** Reads one secret through the agent with nothing but Python's standard library. */
const pythonReader = `
import json, os, sys, urllib.error, urllib.request
headers = {"X-Aws-Parameters-Secrets-Token": os.environ["AWS_TOKEN"]}
if len(sys.argv) > 2:
    headers["X-Forwarded-For"] = sys.argv[2]
request = urllib.request.Request(sys.argv[1], headers=headers)
try:
    with urllib.request.urlopen(request) as response:
        answer = json.load(response)
        print(json.dumps({"status": response.status, "SecretString": answer.get("SecretString"), "Name": answer["Name"]}))
except urllib.error.HTTPError as error:
    print(json.dumps({"status": error.code, "error": json.load(error).get("__type")}))
`;

let server: ServerProcess;
let sdk: SecretsManagerClient;
let secrets: SecretsClient;
let agent: RunningAgent;

before(async () => {
  server = await startServerProcess();
  sdk = new SecretsManagerClient({
    endpoint: server.url,
    region: testRegion,
    credentials: { accessKeyId: testAdmin.accessKeyId, secretAccessKey: testAdmin.secretAccessKey },
  });
  await sdk.send(new CreateSecretCommand({ Name: "alpha-vantage", SecretString: FIRST }));
  await sdk.send(new CreateSecretCommand({ Name: "tls/key", SecretBinary: BINARY }));
  secrets = createSecrets({
    sources: [{ kind: "coffer", endpoint: server.url, region: testRegion, client: sdk }],
    changeFeed: false,
  });
  agent = await startAgent({ secrets, token: TOKEN, port: 0 });
});

after(async () => {
  await agent?.close();
  await secrets?.close();
  sdk?.destroy();
  await server?.stop();
  server?.cleanup();
});

const getUrl = (id: string, extra = "") =>
  `${agent.url}/secretsmanager/get?secretId=${encodeURIComponent(id)}${extra}`;

describe("the agent in front of a real Coffer server", () => {
  it("answers GetSecretValue as the server does, binary in base64", async () => {
    const answer = await httpRequest(getUrl("alpha-vantage"), {
      headers: { "X-Aws-Parameters-Secrets-Token": TOKEN },
    });
    assert.equal(answer.status, 200);
    const body = JSON.parse(answer.body);
    assert.equal(body.Name, "alpha-vantage");
    assert.equal(body.SecretString, FIRST);
    assert.match(body.ARN, /^arn:aws:secretsmanager:us-east-1:123456789012:secret:alpha-vantage-/);
    assert.deepEqual(body.VersionStages, ["AWSCURRENT"]);
    assert.equal(typeof body.CreatedDate, "number");
    assert.ok(Math.abs(body.CreatedDate - Date.now() / 1000) < 600);

    const binary = JSON.parse(
      (await httpRequest(getUrl("tls/key"), { headers: { "X-Aws-Parameters-Secrets-Token": TOKEN } })).body,
    );
    assert.deepEqual(Buffer.from(binary.SecretBinary, "base64"), Buffer.from(BINARY));
  });

  it("answers 404 for a secret the server does not have", async () => {
    const answer = await httpRequest(getUrl("no/such"), {
      headers: { "X-Aws-Parameters-Secrets-Token": TOKEN },
    });
    assert.equal(answer.status, 404);
    assert.equal(JSON.parse(answer.body).__type, "ResourceNotFoundException");
  });

  it("serves the cached value until refreshNow=true, then the new version", async () => {
    await sdk.send(new PutSecretValueCommand({ SecretId: "alpha-vantage", SecretString: SECOND }));
    const headers = { "X-Aws-Parameters-Secrets-Token": TOKEN };
    const cached = JSON.parse((await httpRequest(getUrl("alpha-vantage"), { headers })).body);
    assert.equal(cached.SecretString, FIRST);
    const fresh = JSON.parse(
      (await httpRequest(getUrl("alpha-vantage", "&refreshNow=true"), { headers })).body,
    );
    assert.equal(fresh.SecretString, SECOND);
    const previous = JSON.parse(
      (await httpRequest(getUrl("alpha-vantage", "&versionStage=AWSPREVIOUS"), { headers })).body,
    );
    assert.equal(previous.SecretString, FIRST);
    assert.deepEqual(previous.VersionStages, ["AWSPREVIOUS"]);
  });

  it("refuses forwarded requests and bad tokens over real HTTP", async () => {
    const refused = await httpRequest(getUrl("alpha-vantage"), {
      headers: { "X-Aws-Parameters-Secrets-Token": TOKEN, "X-Forwarded-For": "203.0.113.7" },
    });
    assert.equal(refused.status, 400);
    assert.equal((await httpRequest(getUrl("alpha-vantage"))).status, 401);
    const wrong = await httpRequest(getUrl("alpha-vantage"), {
      headers: { "X-Aws-Parameters-Secrets-Token": "nope" },
    });
    assert.equal(wrong.status, 403);
    assert.doesNotMatch(refused.body + wrong.body, /CANARY/);
  });

  it("serves a Python program using only urllib", async (t) => {
    const skip = requireTool("python3");
    if (skip) return t.skip(skip);
    const env = { AWS_TOKEN: TOKEN };
    const read = await runTool("python3", ["-c", pythonReader, getUrl("alpha-vantage")], env);
    assert.equal(read.code, 0, read.stderr);
    assert.deepEqual(JSON.parse(read.stdout), { status: 200, SecretString: SECOND, Name: "alpha-vantage" });

    const forwarded = await runTool(
      "python3",
      ["-c", pythonReader, getUrl("alpha-vantage"), "203.0.113.7"],
      env,
    );
    assert.deepEqual(JSON.parse(forwarded.stdout), { status: 400, error: "InvalidRequestException" });
    const wrongToken = await runTool("python3", ["-c", pythonReader, getUrl("alpha-vantage")], {
      AWS_TOKEN: "bad",
    });
    assert.deepEqual(JSON.parse(wrongToken.stdout), { status: 403, error: "UnrecognizedClientException" });
  });

  it("serves curl", async (t) => {
    const skip = requireTool("curl");
    if (skip) return t.skip(skip);
    const tokenHeader = `X-Aws-Parameters-Secrets-Token: ${TOKEN}`;
    const read = await runTool("curl", ["-sf", "-H", tokenHeader, getUrl("alpha-vantage")]);
    assert.equal(read.code, 0, read.stderr);
    assert.equal(JSON.parse(read.stdout).SecretString, SECOND);

    const status = async (...args: string[]) =>
      (
        await runTool("curl", [
          "-s",
          "-o",
          "/dev/null",
          "-w",
          "%{http_code}",
          ...args,
          getUrl("alpha-vantage"),
        ])
      ).stdout;
    assert.equal(await status(), "401");
    assert.equal(await status("-H", "X-Aws-Parameters-Secrets-Token: wrong"), "403");
    assert.equal(await status("-H", tokenHeader, "-H", "X-Forwarded-For: 203.0.113.7"), "400");
    assert.equal((await runTool("curl", ["-sf", `${agent.url}/ping`])).stdout, "healthy");
  });
});
