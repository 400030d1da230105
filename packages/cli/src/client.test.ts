import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { endpointFromEnvironment, SecretsManagerBackend } from "@coffer/client";
import { type Connection, connect } from "./client.js";
import { chooseSources } from "./run/choose-sources.js";

// These tests run the real SDK resolution against a controlled environment: process.env is what the
// SDK reads, so each test sets it up and the original is restored afterwards.
describe("connect (endpoint and region resolution through the AWS SDK)", () => {
  let dir: string;
  let savedEnv: NodeJS.ProcessEnv;
  let fileCount = 0;
  const opened: Connection[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "coffer-client-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    savedEnv = { ...process.env };
    for (const name of Object.keys(process.env)) {
      if (name.startsWith("AWS_") || name.startsWith("COFFER_")) delete process.env[name];
    }
    await useConfigFile("");
  });
  afterEach(() => {
    for (const connection of opened.splice(0)) connection.close();
    process.env = savedEnv;
  });

  /** Each test gets fresh file names because the SDK caches shared config files by path. */
  async function useConfigFile(config: string): Promise<void> {
    fileCount += 1;
    process.env.AWS_CONFIG_FILE = join(dir, `config-${fileCount}`);
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, `credentials-${fileCount}`);
    await writeFile(process.env.AWS_CONFIG_FILE, config);
    await writeFile(process.env.AWS_SHARED_CREDENTIALS_FILE, "");
  }

  async function resolved(options: Parameters<typeof connect>[0] = {}) {
    const connection = await connect(options);
    opened.push(connection);
    assert.ok(connection.client instanceof SecretsManagerClient);
    const config = connection.client.config;
    const endpoint = await config.endpoint?.();
    return {
      endpoint: connection.endpoint,
      clientEndpoint: endpoint ? `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}` : undefined,
      region: await config.region(),
      maxAttempts: await config.maxAttempts(),
    };
  }

  it("defaults to a local Coffer and us-east-1 when nothing is configured", async () => {
    assert.deepEqual(await resolved(), {
      endpoint: "http://127.0.0.1:7373",
      clientEndpoint: "http://127.0.0.1:7373",
      region: "us-east-1",
      maxAttempts: 2,
    });
  });

  it("uses the flags first", async () => {
    process.env.AWS_ENDPOINT_URL = "http://aws-env:1";
    process.env.AWS_REGION = "eu-west-1";
    const result = await resolved({ endpointUrl: "http://flag:2", region: "ap-south-1" });
    assert.equal(result.endpoint, "http://flag:2");
    assert.equal(result.region, "ap-south-1");
  });

  it("takes COFFER_ENDPOINT, then AWS_ENDPOINT_URL_SECRETS_MANAGER, then AWS_ENDPOINT_URL", async () => {
    process.env.AWS_ENDPOINT_URL = "http://aws-env:1";
    assert.equal((await resolved()).endpoint, "http://aws-env:1");
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = "http://sm-env:2";
    assert.equal((await resolved()).endpoint, "http://sm-env:2");
    process.env.COFFER_ENDPOINT = "http://coffer-env:3";
    assert.equal((await resolved()).endpoint, "http://coffer-env:3");
  });

  it("honours AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", async () => {
    process.env.AWS_ENDPOINT_URL = "http://aws-env:1";
    process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS = "true";
    assert.equal((await resolved()).endpoint, "http://127.0.0.1:7373");
  });

  it("reads AWS_DEFAULT_REGION, which the JavaScript SDK alone would not", async () => {
    process.env.AWS_DEFAULT_REGION = "eu-central-1";
    assert.equal((await resolved()).region, "eu-central-1");
  });

  it("reads region and endpoint_url from the profile named by --profile", async () => {
    await useConfigFile(
      "[default]\nregion = eu-west-1\n\n[profile dev]\nregion = ap-south-1\nendpoint_url = http://dev-profile:4\n",
    );
    const dev = await resolved({ profile: "dev" });
    assert.equal(dev.endpoint, "http://dev-profile:4");
    assert.equal(dev.region, "ap-south-1");
  });

  it("reads the default profile's region when no profile is chosen", async () => {
    await useConfigFile("[default]\nregion = eu-west-1\n");
    assert.equal((await resolved()).region, "eu-west-1");
  });

  it("gives coffer get, coffer run / agent and the client library the same endpoint, whatever is set", async () => {
    const settings: Array<[Record<string, string>, string, string]> = [
      [{}, "", "http://127.0.0.1:7373"],
      [{}, "endpoint_url = http://profile:4\n", "http://profile:4"],
      [{ AWS_ENDPOINT_URL: "http://aws:3" }, "endpoint_url = http://profile:4\n", "http://aws:3"],
      [
        { AWS_ENDPOINT_URL: "http://aws:3", AWS_ENDPOINT_URL_SECRETS_MANAGER: "http://sm:2" },
        "",
        "http://sm:2",
      ],
      [
        {
          COFFER_ENDPOINT: "http://coffer:1",
          AWS_ENDPOINT_URL_SECRETS_MANAGER: "http://sm:2",
          AWS_ENDPOINT_URL: "http://aws:3",
        },
        "endpoint_url = http://profile:4\n",
        "http://coffer:1",
      ],
      [
        { AWS_ENDPOINT_URL_SECRETS_MANAGER: "http://sm:2", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" },
        "endpoint_url = http://profile:4\n",
        "http://127.0.0.1:7373",
      ],
    ];
    for (const [env, profile, expected] of settings) {
      for (const name of Object.keys(process.env)) {
        if (name.startsWith("AWS_ENDPOINT") || name.startsWith("AWS_IGNORE") || name === "COFFER_ENDPOINT")
          delete process.env[name];
      }
      await useConfigFile(`[default]\n${profile}`);
      Object.assign(process.env, env);
      const label = JSON.stringify({ env, profile });

      const cli = (await resolved()).endpoint;
      const [runSource] = await chooseSources(undefined, {}, process.env);
      const backend = new SecretsManagerBackend({
        kind: "coffer",
        endpoint: endpointFromEnvironment(undefined, process.env)?.url,
      });
      const fromClient = await backend.client.config.endpoint?.();
      backend.close();

      assert.equal(cli, expected, `coffer get: ${label}`);
      assert.deepEqual(
        typeof runSource === "object" && "endpoint" in runSource ? runSource.endpoint : undefined,
        expected,
        `coffer run: ${label}`,
      );
      assert.equal(
        fromClient && `${fromClient.protocol}//${fromClient.hostname}:${fromClient.port ?? 80}`,
        expected.replace(/^(http:\/\/[^:/]+)$/, "$1:80"),
        `@coffer/client: ${label}`,
      );
    }
  });
});
