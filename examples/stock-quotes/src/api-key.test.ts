import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiKeyFieldError, requireApiKey } from "./api-key.js";

test("the apiKey field, trimmed", () => {
  assert.equal(requireApiKey("  ABC123  ", "alpha-vantage"), "ABC123");
});

test("anything else is an ApiKeyFieldError naming the secret and the fix", () => {
  for (const value of [undefined, null, "", "   ", 42, { nested: "CANARY" }, ["CANARY"]]) {
    assert.throws(
      () => requireApiKey(value, "prod/alpha-vantage"),
      (error: unknown) => {
        assert.ok(error instanceof ApiKeyFieldError);
        assert.equal(error.secretId, "prod/alpha-vantage");
        assert.match(
          error.message,
          /^secret "prod\/alpha-vantage" has no "apiKey" text field; store it with: coffer put/,
        );
        assert.equal(error.message.includes("CANARY"), false);
        return true;
      },
    );
  }
});
