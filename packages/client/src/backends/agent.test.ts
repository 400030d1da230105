import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { AccessDeniedError, BackendUnavailableError } from "../errors.js";
import { startAgentServer } from "../testing/agent-server.js";
import { canary, rejectsWithoutLeak } from "../testing/canary.js";
import { AgentBackend } from "./agent.js";

describe("agent source", () => {
  const token = "agent-token-123";
  const value = canary();
  let agent: Awaited<ReturnType<typeof startAgentServer>>;
  before(async () => {
    agent = await startAgentServer(token, [
      { name: "prod/db", string: JSON.stringify({ password: value }), versionId: "v7" },
      { name: "blob", binary: new Uint8Array([1, 2, 255]) },
    ]);
  });
  after(() => agent.close());

  it("GETs /secretsmanager/get with the token and maps the GetSecretValue answer", async () => {
    const backend = new AgentBackend({ url: agent.url, token });
    const record = await backend.get({ id: "prod/db" });
    assert.equal(record?.string, JSON.stringify({ password: value }));
    assert.equal(record?.source, "agent");
    assert.equal(record?.versionId, "v7");
    assert.deepEqual(record?.versionStages, ["AWSCURRENT"]);
    assert.equal(record?.createdDate?.getTime(), 1_700_000_000_500);
    assert.equal(record?.arn, "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf");
    assert.deepEqual((await backend.get({ id: "blob" }))?.binary, new Uint8Array([1, 2, 255]));
    assert.equal(agent.requests.at(-1)?.token, token);
    assert.equal(agent.requests.at(-1)?.url, "/secretsmanager/get?secretId=blob");
  });

  it("passes versionId and versionStage", async () => {
    const backend = new AgentBackend({ url: `${agent.url}/`, token });
    assert.equal((await backend.get({ id: "prod/db", versionId: "v7" }))?.versionId, "v7");
    assert.equal(await backend.get({ id: "prod/db", versionId: "v1" }), undefined);
    await backend.get({ id: "prod/db", versionStage: "AWSCURRENT" });
    assert.equal(
      agent.requests.at(-1)?.url,
      "/secretsmanager/get?secretId=prod%2Fdb&versionStage=AWSCURRENT",
    );
  });

  it("reads the token from a file:// value", async () => {
    const dir = mkdtempSync(join(tmpdir(), "coffer-agent-"));
    try {
      const file = join(dir, "token");
      writeFileSync(file, `${token}\n`);
      const backend = new AgentBackend({ url: agent.url, token: pathToFileURL(file).href });
      assert.ok(await backend.get({ id: "prod/db" }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers not found with undefined, a refused token with AccessDeniedError, no agent with BackendUnavailableError", async () => {
    assert.equal(await new AgentBackend({ url: agent.url, token }).get({ id: "nope" }), undefined);
    await assert.rejects(new AgentBackend({ url: agent.url }).get({ id: "prod/db" }), AccessDeniedError);
    await assert.rejects(
      new AgentBackend({ url: agent.url, token: "wrong" }).get({ id: "prod/db" }),
      AccessDeniedError,
    );
    const error = await rejectsWithoutLeak(
      () => new AgentBackend({ url: "http://127.0.0.1:1", token }).get({ id: "prod/db" }),
      value,
      token,
    );
    assert.ok(error instanceof BackendUnavailableError);
  });
});
