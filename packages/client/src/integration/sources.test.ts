import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createSecrets, SecretNotFoundError } from "../index.js";
import { startAgentServer } from "../testing/agent-server.js";
import { assertNoCanary, canary } from "../testing/canary.js";
import { createSecret, runModule, startLiveCoffer } from "../testing/live.js";

/**
 * Every source against a real one, configured the way an application would be: COFFER_SOURCE and
 * friends in a fresh process using the default `secrets` client, or `createSecrets` in code.
 */
describe("sources against real sources", () => {
  const dir = mkdtempSync(join(tmpdir(), "coffer-sources-"));
  const apiKey = canary("apiKey");
  const dbPassword = canary("db");
  const agentToken = canary("token");
  let agent: Awaited<ReturnType<typeof startAgentServer>>;

  before(async () => {
    // Docker secrets: one file per secret.
    mkdirSync(join(dir, "run-secrets"));
    writeFileSync(join(dir, "run-secrets", "alpha-vantage"), `${JSON.stringify({ apiKey })}\n`);
    // A Kubernetes secret volume: keys are symlinks through ..data.
    const volume = join(dir, "k8s", "db");
    mkdirSync(join(volume, "..2024_05_01_10_00_00.123"), { recursive: true });
    writeFileSync(join(volume, "..2024_05_01_10_00_00.123", "password"), dbPassword);
    writeFileSync(join(volume, "..2024_05_01_10_00_00.123", "username"), "app");
    symlinkSync("..2024_05_01_10_00_00.123", join(volume, "..data"));
    symlinkSync("..data/password", join(volume, "password"));
    symlinkSync("..data/username", join(volume, "username"));
    // A .env file and a _FILE target.
    writeFileSync(join(dir, ".env"), `ALPHA_VANTAGE='${JSON.stringify({ apiKey })}'\n`);
    writeFileSync(join(dir, "db-password.txt"), `${dbPassword}\n`);
    agent = await startAgentServer(agentToken, [
      { name: "alpha-vantage", string: JSON.stringify({ apiKey }) },
    ]);
  });
  after(async () => {
    await agent.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const twoLines = `import { secrets } from "@coffer/client";
    const { apiKey } = await secrets.getJson("alpha-vantage");
    console.log(apiKey === ${JSON.stringify(apiKey)} ? "match" : "mismatch");`;

  async function expectMatch(env: Record<string, string>) {
    const result = await runModule(twoLines, env);
    assert.equal(result.timedOut, false);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), "match");
    assertNoCanary(result.stderr, apiKey, agentToken);
  }

  it("env: ALPHA_VANTAGE in the environment (COFFER_SOURCE=env)", async () => {
    await expectMatch({ COFFER_SOURCE: "env", ALPHA_VANTAGE: JSON.stringify({ apiKey }) });
  });

  it("env: the Docker _FILE convention", async () => {
    const result = await runModule(
      `import { secrets } from "@coffer/client";
       console.log(await secrets.get("prod/db-password") === ${JSON.stringify(dbPassword)} ? "match" : "mismatch");`,
      { COFFER_SOURCE: "env", PROD_DB_PASSWORD_FILE: join(dir, "db-password.txt") },
    );
    assert.equal(result.stdout.trim(), "match", result.stderr);
  });

  it("files: Docker secrets (COFFER_SOURCE=files:<dir>)", async () => {
    await expectMatch({ COFFER_SOURCE: `files:${join(dir, "run-secrets")}` });
  });

  it("files: a Kubernetes secret volume, as a folder and key by key", async () => {
    const secrets = createSecrets({ sources: [{ kind: "files", dir: join(dir, "k8s") }] });
    assert.deepEqual(await secrets.getJson("db"), { password: dbPassword, username: "app" });
    assert.equal(await secrets.get("db#password"), dbPassword);
    assert.equal(await secrets.get("db/username"), "app");
    const mounted = createSecrets({ sources: [{ kind: "files", dir: join(dir, "k8s", "db") }] });
    assert.equal(await mounted.get("password"), dbPassword);
    await assert.rejects(mounted.get("..data/password"), /invalid secret name/);
    await assert.rejects(mounted.get("../db/password"), /invalid secret name/);
    await secrets.close();
    await mounted.close();
  });

  it("dotenv: a .env file (COFFER_SOURCE=dotenv:<path>)", async () => {
    await expectMatch({ COFFER_SOURCE: `dotenv:${join(dir, ".env")}` });
  });

  it("agent: the agent protocol over HTTP with the token (COFFER_SOURCE=agent:<url>)", async () => {
    await expectMatch({ COFFER_SOURCE: `agent:${agent.url}`, COFFER_AGENT_TOKEN: agentToken });
    assert.equal(agent.requests.at(-1)?.token, agentToken);
    await expectMatch({ COFFER_SOURCE: `agent:${agent.url}`, AWS_TOKEN: agentToken });
  });

  it("chain: env, files, then a live Coffer, in the order given", async () => {
    const server = await startLiveCoffer();
    try {
      await createSecret(server.admin, "only-in-coffer", "from-coffer");
      await createSecret(server.admin, "alpha-vantage", '{"apiKey":"coffer-loses"}');
      const result = await runModule(
        `import { secrets } from "@coffer/client";
         const out = await secrets.resolve({ A: "alpha-vantage#apiKey", B: "only-in-coffer", C: "from-env" });
         const { SecretNotFoundError } = await import("@coffer/client");
         const missing = await secrets.get("nowhere").catch((e) => e instanceof SecretNotFoundError ? e.sources.join(">") : "?");
         console.log(JSON.stringify({ ...out, A: out.A === ${JSON.stringify(apiKey)}, missing }));`,
        {
          ...server.clientEnv,
          COFFER_SOURCE: `env,files:${join(dir, "run-secrets")},coffer`,
          FROM_ENV: "env-value",
        },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), {
        A: true,
        B: "from-coffer",
        C: "env-value",
        missing: "env>files>coffer",
      });
    } finally {
      await server.stop();
      server.cleanup();
    }
  });

  it("a missing secret names the sources asked", async () => {
    const secrets = createSecrets({
      sources: [
        { kind: "files", dir: join(dir, "run-secrets") },
        { kind: "env", env: {} },
      ],
    });
    const error = await secrets.get("absent").catch((e: unknown) => e);
    assert.ok(error instanceof SecretNotFoundError);
    assert.deepEqual(error.sources, ["files", "env"]);
  });
});
