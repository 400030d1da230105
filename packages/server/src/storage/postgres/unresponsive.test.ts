import assert from "node:assert/strict";
import { test } from "node:test";
import { isTransientPostgresFault } from "./faults.js";
import { admit, databaseKey, guarded, isTimeout, markUnresponsive, settle } from "./unresponsive.js";

const later = () => Date.now() + 1_000;

test("a server marked silent fails every call for a second, then lets one probe through at a time, retryably", () => {
  const key = databaseKey("postgres://u:p@db.test:5433/coffer_a");
  assert.equal(key, "db.test:5433/coffer_a");
  admit(key); // not marked: every call goes
  admit(key);
  markUnresponsive(key, 1_000);
  assert.throws(
    () => admit(key, 1_500),
    (error: Error) => {
      assert.ok(isTransientPostgresFault(error));
      assert.match(error.message, /has not answered since 1970-01-01T00:00:01.000Z/);
      return true;
    },
  );
  admit(key, 2_000); // the probe
  assert.throws(() => admit(key, 2_001), /has not answered/);
  // The probe times out: still marked (since when is kept), held again, then the next probe.
  settle(key, new Error("Query read timeout"));
  assert.throws(() => admit(key), /since 1970-01-01T00:00:01.000Z/);
  admit(key, later());
  assert.throws(() => admit(key, later()), /since 1970-01-01T00:00:01.000Z/);
  // The probe is answered: every call goes again. Other servers were never affected.
  settle(key);
  admit(key);
  admit(key);
  admit(databaseKey("postgres://u:p@db.test/other"));
});

test("only time-outs mark a server: results, SQL errors and refused connections clear it", async () => {
  const key = databaseKey("postgres://u:p@db.test/coffer_b");
  await assert.rejects(
    guarded(key, () => Promise.reject(new Error("timeout exceeded when trying to connect"))),
  );
  assert.throws(() => admit(key));
  admit(key, later());
  settle(key, Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }));
  admit(key);
  admit(key);
  await assert.rejects(guarded(key, () => Promise.reject(new Error("Query read timeout"))));
  admit(key, later());
  settle(key, Object.assign(new Error("dup"), { code: "23505" }));
  assert.equal(await guarded(key, async () => 7), 7);
  for (const message of [
    "timeout exceeded when trying to connect",
    "Query read timeout",
    "Connection terminated due to connection timeout",
  ])
    assert.equal(isTimeout(new Error(message)), true, message);
  for (const message of ["Connection terminated unexpectedly", "duplicate key value"])
    assert.equal(isTimeout(new Error(message)), false, message);
});
