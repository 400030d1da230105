import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { ConfigError, loadConfig } from "./config.js";
import { parseListenAddress } from "./metrics-listen.js";

describe("COFFER_METRICS_LISTEN", () => {
  test("is off unless set", () => {
    assert.equal(loadConfig({}).metricsListen, undefined);
    assert.equal(loadConfig({ COFFER_METRICS_LISTEN: "" }).metricsListen, undefined);
  });

  test("takes host:port, [ipv6]:port, or a bare port on the loopback address", () => {
    assert.deepEqual(parseListenAddress("127.0.0.1:9464"), { host: "127.0.0.1", port: 9464 });
    assert.deepEqual(parseListenAddress("0.0.0.0:0"), { host: "0.0.0.0", port: 0 });
    assert.deepEqual(parseListenAddress("[::1]:9464"), { host: "::1", port: 9464 });
    assert.deepEqual(parseListenAddress("localhost:9464"), { host: "localhost", port: 9464 });
    assert.deepEqual(parseListenAddress("9464"), { host: "127.0.0.1", port: 9464 });
    assert.deepEqual(loadConfig({ COFFER_METRICS_LISTEN: "127.0.0.1:9464" }).metricsListen, {
      host: "127.0.0.1",
      port: 9464,
    });
  });

  test("refuses what cannot be bound, saying what it wants", () => {
    for (const bad of [
      ":9464",
      "127.0.0.1",
      "127.0.0.1:",
      "127.0.0.1:65536",
      "::1:9464",
      "host:port",
      "a b:1",
      "http://x:1",
    ]) {
      assert.throws(
        () => loadConfig({ COFFER_METRICS_LISTEN: bad }),
        (error: unknown) =>
          error instanceof ConfigError && /COFFER_METRICS_LISTEN must be host:port/.test(error.message),
        bad,
      );
    }
  });

  test("any host name and port it accepts round-trips", () => {
    fc.assert(
      fc.property(fc.domain(), fc.integer({ min: 0, max: 65535 }), (host, port) => {
        assert.deepEqual(parseListenAddress(`${host}:${port}`), { host, port });
      }),
    );
  });
});
