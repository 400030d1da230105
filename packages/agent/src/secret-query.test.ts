import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePathStyle, parseQueryStyle } from "./secret-query.js";

const query = (text: string) => parseQueryStyle(new URLSearchParams(text));

describe("parseQueryStyle", () => {
  it("reads secretId, versionId, versionStage and refreshNow", () => {
    assert.deepEqual(query("secretId=prod%2Fdb&versionStage=AWSPREVIOUS&refreshNow=TRUE"), {
      ok: true,
      query: { secretId: "prod/db", versionStage: "AWSPREVIOUS", refreshNow: true },
    });
    assert.deepEqual(query("secretId=a&versionId=v1&refreshNow=0"), {
      ok: true,
      query: { secretId: "a", versionId: "v1", refreshNow: false },
    });
  });

  it("refuses what the AWS agent refuses, and repeated parameters", () => {
    assert.deepEqual(query(""), { ok: false, message: "missing parameter secretId" });
    assert.deepEqual(query("secretId="), { ok: false, message: "missing parameter secretId" });
    assert.deepEqual(query("secretId=a&abc=1"), { ok: false, message: "unknown parameter: abc" });
    assert.deepEqual(query("secretId=a&secretId=b"), {
      ok: false,
      message: "parameter secretId given more than once",
    });
    assert.equal(query("secretId=a&refreshNow=yes").ok, false);
    assert.equal(query("secretId=a&versionId=").ok, false);
    assert.equal(query(`secretId=${"x".repeat(2049)}`).ok, false);
  });
});

describe("parsePathStyle", () => {
  it("takes the id from the path, percent-decoded", () => {
    assert.deepEqual(parsePathStyle("prod%2Fdb", new URLSearchParams("versionStage=AWSCURRENT")), {
      ok: true,
      query: { secretId: "prod/db", versionStage: "AWSCURRENT", refreshNow: false },
    });
    assert.deepEqual(parsePathStyle("prod/db", new URLSearchParams()), {
      ok: true,
      query: { secretId: "prod/db", refreshNow: false },
    });
  });

  it("refuses an empty id, bad encoding, and secretId as a parameter", () => {
    assert.equal(parsePathStyle("", new URLSearchParams()).ok, false);
    assert.equal(parsePathStyle("%E0%A4%A", new URLSearchParams()).ok, false);
    assert.equal(parsePathStyle("a", new URLSearchParams("secretId=b")).ok, false);
  });
});
