import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tokenChecker } from "./token-check.js";

describe("tokenChecker", () => {
  const check = tokenChecker("s3cret-token");

  it("accepts the exact token", () => {
    assert.equal(check("s3cret-token"), "valid");
  });

  it("tells a missing token from a wrong one", () => {
    assert.equal(check(undefined), "missing");
    assert.equal(check(""), "missing");
    assert.equal(check("s3cret-toke"), "wrong");
    assert.equal(check("s3cret-token "), "wrong");
    assert.equal(check("S3CRET-TOKEN"), "wrong");
    assert.equal(check(["s3cret-token", "s3cret-token"]), "wrong");
  });
});
