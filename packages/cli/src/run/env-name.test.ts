import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isEnvName, toEnvName } from "./env-name.js";

describe("toEnvName", () => {
  it("upper-snake-cases JSON keys", () => {
    const cases: Array<[string, string | undefined]> = [
      ["apiKey", "API_KEY"],
      ["api_key", "API_KEY"],
      ["api-key", "API_KEY"],
      ["api.key", "API_KEY"],
      ["API_KEY", "API_KEY"],
      ["HTTPServer", "HTTP_SERVER"],
      ["OAuthToken", "O_AUTH_TOKEN"],
      ["key2", "KEY2"],
      ["db password", "DB_PASSWORD"],
      ["__x__", "X"],
      ["2fa", "2FA"],
      ["--", undefined],
      ["", undefined],
    ];
    for (const [key, expected] of cases) assert.equal(toEnvName(key), expected, key);
  });

  it("property: the result is made of upper-case letters, digits and single underscores", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (key) => {
        const name = toEnvName(key);
        if (name !== undefined) assert.match(name, /^[A-Z0-9]+(_[A-Z0-9]+)*$/);
      }),
    );
  });
});

describe("isEnvName", () => {
  it("accepts what a shell can export", () => {
    assert.equal(isEnvName("DB_PASSWORD"), true);
    assert.equal(isEnvName("_x1"), true);
    assert.equal(isEnvName("1X"), false);
    assert.equal(isEnvName("A-B"), false);
    assert.equal(isEnvName(""), false);
  });
});
