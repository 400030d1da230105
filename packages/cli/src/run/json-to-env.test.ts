import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "../errors.js";
import { jsonToEnv } from "./json-to-env.js";

describe("jsonToEnv", () => {
  it("spreads top-level keys, strings as they are and the rest as JSON", () => {
    assert.deepEqual(
      jsonToEnv(
        "alpha-vantage",
        { apiKey: "demo", port: 5432, tls: true, extra: { a: [1] }, none: null },
        "",
      ),
      { API_KEY: "demo", PORT: "5432", TLS: "true", EXTRA: '{"a":[1]}', NONE: "null" },
    );
  });

  it("puts the prefix before every name", () => {
    assert.deepEqual(jsonToEnv("x", { apiKey: "demo", "2fa": "123456" }, "ALPHA_"), {
      ALPHA_API_KEY: "demo",
      ALPHA_2FA: "123456",
    });
  });

  it("refuses non-objects, unusable keys and clashing keys, naming keys but never values", () => {
    for (const value of ["text", 1, null, ["a"]]) {
      assert.throws(() => jsonToEnv("x", value, ""), UsageError);
    }
    assert.throws(() => jsonToEnv("x", { "2fa": "SECRET-VALUE" }, ""), /key "2fa".*--prefix/);
    assert.throws(
      () => jsonToEnv("x", { apiKey: "SECRET-VALUE", api_key: "SECRET-VALUE" }, ""),
      (error: Error) =>
        /"apiKey" and "api_key" both become API_KEY/.test(error.message) && !/SECRET/.test(error.message),
    );
    assert.throws(() => jsonToEnv("x", { "...": "v" }, ""), /gives no valid variable name/);
  });
});
