import assert from "node:assert/strict";
import { test } from "node:test";
import { ServiceUnavailableException } from "../../errors/catalog.js";
import { isTransientStorageFault, withStorageFaults } from "./storage-faults.js";

const sqliteError = (code: string) => Object.assign(new Error(code), { code });

test("full disk, I/O, read-only and busy faults are transient; corruption and constraint errors are not", () => {
  for (const code of [
    "SQLITE_FULL",
    "SQLITE_IOERR",
    "SQLITE_IOERR_WRITE",
    "SQLITE_READONLY",
    "SQLITE_BUSY",
  ]) {
    assert.equal(isTransientStorageFault(sqliteError(code)), true, code);
  }
  for (const code of ["SQLITE_CORRUPT", "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_ERROR", "SQLITE_FULLX"]) {
    assert.equal(isTransientStorageFault(sqliteError(code)), false, code);
  }
  assert.equal(isTransientStorageFault(new Error("plain")), false);
});

test("a wrapped store reports transient faults, sync or async, as a retryable 503 and leaves others alone", async () => {
  const store = {
    identity: { lookup: async () => Promise.reject(sqliteError("SQLITE_IOERR_READ")) },
    touch: async () => Promise.reject(sqliteError("SQLITE_FULL")),
    count: () => {
      throw sqliteError("SQLITE_BUSY");
    },
    broken: async () => Promise.reject(sqliteError("SQLITE_CORRUPT")),
    ok: async (value: number) => value + 1,
  };
  const wrapped = withStorageFaults(store, ["identity"]);
  await assert.rejects(wrapped.touch(), ServiceUnavailableException);
  assert.throws(() => wrapped.count(), ServiceUnavailableException);
  await assert.rejects(wrapped.identity.lookup(), ServiceUnavailableException);
  await assert.rejects(wrapped.broken(), { code: "SQLITE_CORRUPT" });
  assert.equal(await wrapped.ok(1), 2);
  assert.equal(wrapped.touch, wrapped.touch, "one wrapper per method");
});
