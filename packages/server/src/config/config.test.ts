import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { ConfigError, loadConfig } from "./config.js";
import { isLoopbackHost } from "./declared-key.js";

const declared = (id: string, secret: string, extra: Record<string, string> = {}) =>
  loadConfig({ COFFER_ADMIN_ACCESS_KEY_ID: id, COFFER_ADMIN_SECRET_ACCESS_KEY: secret, ...extra });

describe("declared admin keys", () => {
  test("accepts the short fixed pairs of local-emulator setups, as AWS SDKs do", () => {
    for (const [id, secret] of [
      ["test", "test"],
      ["FOOBARKEY", "FOOBARSECRET"],
      ["AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
      ["a", "b"],
    ] as const) {
      assert.deepEqual(declared(id, secret).admin, { accessKeyId: id, secretAccessKey: secret });
    }
  });

  test("refuses what SigV4 cannot carry: empty, whitespace, '/' or ',' in the key id", () => {
    for (const [id, secret] of [
      ["", "secret"],
      ["test", ""],
      ["te st", "test"],
      ["test", "te st"],
      [" test", "test"],
      ["test\n", "test"],
      ["AKIA/ABC", "test"],
      ["AKIA,ABC", "test"],
      ["x".repeat(129), "test"],
    ] as const) {
      assert.throws(
        () => declared(id, secret),
        ConfigError,
        `${JSON.stringify(id)} / ${JSON.stringify(secret)}`,
      );
    }
  });

  test("every printable key id without '/', ',' and spaces is accepted", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[!-~]{1,128}$/).filter((id) => !/[/,]/.test(id)),
        fc.stringMatching(/^[!-~]{1,64}$/),
        (id, secret) => {
          assert.equal(declared(id, secret).admin?.accessKeyId, id);
        },
      ),
    );
  });

  test("warns about a weak declared key only when other machines can connect", () => {
    assert.deepEqual(declared("test", "test").warnings, []);
    assert.deepEqual(declared("test", "test", { COFFER_HOST: "127.0.0.2" }).warnings, []);
    assert.deepEqual(declared("test", "test", { COFFER_HOST: "::1" }).warnings, []);
    assert.deepEqual(declared("test", "test", { COFFER_HOST: "localhost" }).warnings, []);
    const exposed = declared("test", "test", { COFFER_HOST: "0.0.0.0" }).warnings;
    assert.equal(exposed.length, 1);
    assert.match(exposed[0] ?? "", /COFFER_HOST=0\.0\.0\.0/);
    assert.doesNotMatch(exposed[0] ?? "", /\n/);
    assert.equal(declared("FOOBARKEY", "FOOBARSECRET", { COFFER_HOST: "::" }).warnings.length, 1);
    assert.equal(declared("AKIAOWN0000000000001", "short", { COFFER_HOST: "10.0.0.5" }).warnings.length, 1);
    assert.deepEqual(
      declared("AKIAOWN0000000000001", "a-long-random-secret-0123456789", { COFFER_HOST: "0.0.0.0" })
        .warnings,
      [],
    );
    assert.deepEqual(loadConfig({ COFFER_HOST: "0.0.0.0" }).warnings, []);
  });

  test("loopback is 127.0.0.0/8, ::1 and localhost", () => {
    for (const host of [
      "127.0.0.1",
      "127.255.0.9",
      "::1",
      "[::1]",
      "localhost",
      "LOCALHOST",
      "::ffff:127.0.0.1",
    ]) {
      assert.equal(isLoopbackHost(host), true, host);
    }
    for (const host of [
      "0.0.0.0",
      "::",
      "10.0.0.1",
      "128.0.0.1",
      "127.0.0.256",
      "example.com",
      "127.0.0.1.nip.io",
    ]) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });
});

describe("COFFER_STORE", () => {
  test("defaults to the SQLite file in the data folder", () => {
    for (const value of [undefined, "", "sqlite"]) {
      const env: Record<string, string> = { COFFER_HOME: "/srv/coffer" };
      if (value !== undefined) env.COFFER_STORE = value;
      assert.deepEqual(loadConfig(env).store, { engine: "sqlite", path: "/srv/coffer/coffer.db" });
    }
  });

  const key = Buffer.alloc(32, 7).toString("base64");

  test("takes a PostgreSQL URL in either spelling", () => {
    for (const url of ["postgres://coffer:pw@db:5432/coffer", "postgresql://db/coffer?sslmode=require"]) {
      assert.deepEqual(loadConfig({ COFFER_STORE: url, COFFER_MASTER_KEY: key }).store, {
        engine: "postgres",
        url,
        poolSize: 10,
        statementTimeoutMs: 5_000,
        connectTimeoutMs: 2_000,
      });
    }
  });

  test("PostgreSQL needs the master key every node shares, not a per-machine keyring file", () => {
    assert.throws(
      () => loadConfig({ COFFER_STORE: "postgres://db/coffer" }),
      (error: unknown) =>
        error instanceof ConfigError && /every node needs the same master key/.test(error.message),
    );
  });

  test("refuses anything else with a message that shows both forms, never echoing the value", () => {
    for (const value of ["mysql://root:hunter2@db/x", "/var/lib/coffer.db", "postgres://[bad"]) {
      assert.throws(
        () => loadConfig({ COFFER_STORE: value, COFFER_MASTER_KEY: key }),
        (error: unknown) =>
          error instanceof ConfigError &&
          /postgres:\/\/user:password@host/.test(error.message) &&
          !error.message.includes("hunter2"),
      );
    }
  });
});
