import assert from "node:assert/strict";
import { test } from "node:test";
import { keysTtlMs } from "./keys-ttl.js";

test("keys' lifetime from Cache-Control: max-age within [5 min, 6 h]; otherwise 1 h", () => {
  const minute = 60_000;
  assert.equal(keysTtlMs(undefined), 60 * minute);
  assert.equal(keysTtlMs(""), 60 * minute);
  assert.equal(keysTtlMs("public, max-age=900, must-revalidate"), 15 * minute);
  assert.equal(keysTtlMs("Max-Age=900"), 15 * minute);
  assert.equal(keysTtlMs('max-age="900"'), 15 * minute);
  assert.equal(keysTtlMs("max-age=0"), 5 * minute);
  assert.equal(keysTtlMs("no-store"), 5 * minute);
  assert.equal(keysTtlMs("max-age=600, no-cache"), 5 * minute);
  assert.equal(keysTtlMs("max-age=999999999999"), 6 * 60 * minute);
  assert.equal(keysTtlMs("max-age=-5"), 60 * minute);
  assert.equal(keysTtlMs("max-age=abc"), 60 * minute);
  assert.equal(keysTtlMs("s-maxage=900"), 60 * minute);
});
