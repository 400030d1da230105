import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { DotenvBackend } from "./dotenv.js";

describe("dotenv source", () => {
  const dir = mkdtempSync(join(tmpdir(), "coffer-dotenv-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("parses with the dotenv parser and maps names like the env source", async () => {
    const path = join(dir, ".env");
    writeFileSync(
      path,
      [
        "# comment",
        'export PROD_DB=\'{"user":"u","password":"p"}\'',
        'MULTI="line1\nline2"',
        'ALPHA_VANTAGE={"apiKey":"demo"}',
        "lower=case",
      ].join("\n"),
    );
    const dotenv = new DotenvBackend(path);
    assert.equal((await dotenv.get({ id: "prod/db" }))?.string, '{"user":"u","password":"p"}');
    assert.equal((await dotenv.get({ id: "MULTI" }))?.string, "line1\nline2");
    assert.equal((await dotenv.get({ id: "alpha-vantage" }))?.string, '{"apiKey":"demo"}');
    assert.equal((await dotenv.get({ id: "lower" }))?.string, "case");
    assert.equal((await dotenv.get({ id: "lower" }))?.source, "dotenv");
    assert.equal(await dotenv.get({ id: "missing" }), undefined);
    assert.equal(process.env.PROD_DB, undefined, "nothing is written to process.env");
  });

  it("treats a missing file as 'not here'", async () => {
    assert.equal(await new DotenvBackend(join(dir, "none.env")).get({ id: "A" }), undefined);
  });
});
