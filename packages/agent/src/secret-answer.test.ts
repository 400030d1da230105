import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SecretRecord } from "@coffer/client";
import { secretAnswerOf } from "./secret-answer.js";
import { toGetSecretValueResponse } from "./secret-response.js";

describe("secretAnswerOf", () => {
  it("serializes a frozen record once, and a new record anew", () => {
    const record: SecretRecord = Object.freeze({ id: "a", source: "env", string: '{"é":"x"}' });
    const first = secretAnswerOf(record);
    assert.equal(first.body, JSON.stringify(toGetSecretValueResponse(record)));
    const length = Number(first.headers[first.headers.indexOf("content-length") + 1]);
    assert.equal(length, Buffer.byteLength(first.body));
    assert.ok(length > first.body.length, "the length counts bytes, not characters");
    assert.equal(secretAnswerOf(record), first);
    const next = Object.freeze({ ...record, string: "y" });
    assert.equal(JSON.parse(secretAnswerOf(next).body).SecretString, "y");
  });

  it("serializes a record that is not frozen on every read", () => {
    const record: { id: string; source: string; string: string } = { id: "a", source: "env", string: "v1" };
    assert.equal(JSON.parse(secretAnswerOf(record).body).SecretString, "v1");
    record.string = "v2";
    assert.equal(JSON.parse(secretAnswerOf(record).body).SecretString, "v2");
  });
});
