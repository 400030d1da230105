import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig, parseBars } from "./config.js";

test("defaults", () => {
  const config = loadConfig({});
  assert.equal(config.secretId, "alpha-vantage");
  assert.equal(config.alphaVantageBaseUrl.href, "https://www.alphavantage.co/");
  assert.equal(config.timeoutMs, 10_000);
  assert.equal(config.bars, 10);
  assert.ok(Object.isFrozen(config));
});

test("overrides from the environment", () => {
  const config = loadConfig({
    SECRET_ID: " prod/alpha-vantage ",
    ALPHA_VANTAGE_BASE_URL: "http://127.0.0.1:8080/av",
    ALPHA_VANTAGE_TIMEOUT_MS: "2500",
    QUOTES_BARS: "25",
  });
  assert.equal(config.secretId, "prod/alpha-vantage");
  assert.equal(config.alphaVantageBaseUrl.href, "http://127.0.0.1:8080/av");
  assert.equal(config.timeoutMs, 2500);
  assert.equal(config.bars, 25);
  assert.equal(loadConfig({ SECRET_ID: "  " }).secretId, "alpha-vantage");
});

test("unusable settings name the variable and never echo the value", () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ ALPHA_VANTAGE_BASE_URL: "not a url SECRET" }, /ALPHA_VANTAGE_BASE_URL is not a URL/],
    [{ ALPHA_VANTAGE_BASE_URL: "ftp://example.com/SECRET" }, /ALPHA_VANTAGE_BASE_URL must be an http/],
    [
      { ALPHA_VANTAGE_BASE_URL: "https://www.alphavantage.co/?apikey=SECRET" },
      /must not carry credentials or a query/,
    ],
    [{ ALPHA_VANTAGE_BASE_URL: "https://user:SECRET@example.com" }, /must not carry credentials or a query/],
    [{ ALPHA_VANTAGE_TIMEOUT_MS: "0" }, /ALPHA_VANTAGE_TIMEOUT_MS must be a whole number from 1 to 900000/],
    [{ ALPHA_VANTAGE_TIMEOUT_MS: "1.5" }, /ALPHA_VANTAGE_TIMEOUT_MS must be a whole number/],
    [{ QUOTES_BARS: "101" }, /QUOTES_BARS must be a whole number from 1 to 100/],
  ];
  for (const [env, message] of cases) {
    assert.throws(
      () => loadConfig(env),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, message);
        assert.equal(error.message.includes("SECRET"), false);
        return true;
      },
    );
  }
});

test("parseBars: absent, valid, out of range", () => {
  assert.equal(parseBars("bars", undefined), undefined);
  assert.equal(parseBars("bars", " "), undefined);
  assert.equal(parseBars("bars", "5"), 5);
  assert.equal(parseBars("bars", 100), 100);
  assert.throws(() => parseBars("--bars", "0"), /--bars must be a whole number from 1 to 100/);
  assert.throws(() => parseBars("bars", 3.5), ConfigError);
  assert.throws(() => parseBars("bars", "-1"), ConfigError);
});
