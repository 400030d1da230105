import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { UsageError } from "../errors.js";
import { readAgentToken } from "./agent-token.js";

describe("readAgentToken", () => {
  const dir = mkdtempSync(join(tmpdir(), "coffer-token-"));
  const file = join(dir, "token");
  writeFileSync(file, "from-file-TOKEN\n", { mode: 0o600 });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("prefers --token-file, then COFFER_AGENT_TOKEN, then AWS_TOKEN", async () => {
    const env = { COFFER_AGENT_TOKEN: "coffer-TOKEN", AWS_TOKEN: "aws-TOKEN" };
    assert.equal(await readAgentToken(file, env), "from-file-TOKEN");
    assert.equal(await readAgentToken(undefined, env), "coffer-TOKEN");
    assert.equal(await readAgentToken(undefined, { AWS_TOKEN: "aws-TOKEN" }), "aws-TOKEN");
  });

  it("reads a file:// value from the file, as the AWS agent does", async () => {
    assert.equal(await readAgentToken(undefined, { AWS_TOKEN: `file://${file}` }), "from-file-TOKEN");
  });

  it("refuses to go without a token, and never quotes one", async () => {
    await assert.rejects(readAgentToken(undefined, {}), UsageError);
    await assert.rejects(readAgentToken(undefined, { AWS_TOKEN: "  " }), UsageError);
    const empty = join(dir, "empty");
    writeFileSync(empty, "\n");
    await assert.rejects(readAgentToken(empty, {}), /is empty/);
    await assert.rejects(readAgentToken(join(dir, "nope"), {}), /ENOENT/);
  });
});
