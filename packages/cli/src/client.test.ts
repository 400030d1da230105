import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type Connection, connect } from "./client.js";

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

  it("uses the SDK's AWS_ENDPOINT_URL_SECRETS_MANAGER before AWS_ENDPOINT_URL and COFFER_ENDPOINT", async () => {
    process.env.COFFER_ENDPOINT = "http://coffer-env:3";
    process.env.AWS_ENDPOINT_URL = "http://aws-env:1";
    assert.equal((await resolved()).endpoint, "http://aws-env:1");
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = "http://sm-env:2";
    assert.equal((await resolved()).endpoint, "http://sm-env:2");
  });

  it("falls back to COFFER_ENDPOINT", async () => {
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
});
