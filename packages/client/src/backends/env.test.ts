import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { CofferClientError } from "../errors.js";
import { canary, rejectsWithoutLeak } from "../testing/canary.js";
import { EnvBackend, envCandidates, envNameFor } from "./env.js";

describe("env source", () => {
  const dir = mkdtempSync(join(tmpdir(), "coffer-env-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("maps secret names to variable names", () => {
    assert.equal(envNameFor("prod/db"), "PROD_DB");
    assert.equal(envNameFor("alpha-vantage"), "ALPHA_VANTAGE");
    assert.equal(envNameFor("api.key@v2"), "API_KEY_V2");
    assert.equal(envNameFor("1password"), "_1PASSWORD");
    assert.deepEqual(envCandidates("DB_PASSWORD"), ["DB_PASSWORD"]);
    assert.deepEqual(envCandidates("apiKey"), ["apiKey", "APIKEY"]);
    assert.deepEqual(envCandidates("prod/db"), ["PROD_DB"]);
  });

  it("always maps to a valid variable name (property)", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (id) => assert.match(envNameFor(id), /^[A-Z_][A-Z0-9_]*$/)),
    );
  });

  it("reads the variable, then the NAME_FILE file", async () => {
    const file = join(dir, "db-password");
    writeFileSync(file, "from-file\n");
    const env = new EnvBackend({ PROD_DB: '{"user":"u"}', API_KEY_FILE: file, apiKey: "exact" });
    assert.deepEqual(await env.get({ id: "prod/db" }), {
      id: "prod/db",
      source: "env",
      name: "PROD_DB",
      string: '{"user":"u"}',
    });
    assert.equal((await env.get({ id: "api-key" }))?.string, "from-file");
    assert.equal((await env.get({ id: "apiKey" }))?.string, "exact");
    assert.equal(await env.get({ id: "missing" }), undefined);
  });

  it("has only the current version", async () => {
    const env = new EnvBackend({ A: "1" });
    assert.equal(await env.get({ id: "A", versionId: "v1" }), undefined);
    assert.equal(await env.get({ id: "A", versionStage: "AWSPREVIOUS" }), undefined);
    assert.equal((await env.get({ id: "A", versionStage: "AWSCURRENT" }))?.string, "1");
  });

  it("refuses NAME and NAME_FILE together, and a NAME_FILE it cannot read, without showing values", async () => {
    const value = canary();
    const both = new EnvBackend({ A: value, A_FILE: "/nonexistent" });
    const error = await rejectsWithoutLeak(() => both.get({ id: "A" }), value);
    assert.ok(error instanceof CofferClientError);
    assert.match(error.message, /both A and A_FILE/);
    await assert.rejects(new EnvBackend({ B_FILE: join(dir, "nope") }).get({ id: "B" }), /B_FILE/);
  });
});
