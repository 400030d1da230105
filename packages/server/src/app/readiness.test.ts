import assert from "node:assert/strict";
import { test } from "node:test";
import { createReadiness } from "./readiness.js";

const healthy = () => ({ ok: true }) as const;

test("ready when the store answers and the audit trail is writable", async () => {
  const ready = createReadiness({ ping: async () => {}, auditHealth: healthy });
  assert.deepEqual(await ready(), { ok: true });
});

test("a store that refuses is reported with its reason", async () => {
  const ready = createReadiness({
    ping: async () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
    },
    auditHealth: healthy,
  });
  assert.deepEqual(await ready(), {
    ok: false,
    details: { store: { status: "unreachable", reason: "connect ECONNREFUSED 127.0.0.1:5432" } },
  });
});

test("a store that hangs is reported within the timeout, not waited for", async () => {
  let release: (() => void) | undefined;
  const ready = createReadiness({
    ping: () => new Promise<void>((resolve) => (release = resolve)),
    auditHealth: healthy,
    timeoutMs: 20,
  });
  const report = await ready();
  release?.();
  assert.deepEqual(report, {
    ok: false,
    details: { store: { status: "unreachable", reason: "no answer within 20 ms" } },
  });
});

test("a failing audit trail makes the node unready; concurrent probes share one ping", async () => {
  let pings = 0;
  const ready = createReadiness({
    ping: async () => {
      pings++;
    },
    auditHealth: () => ({ ok: false, since: Date.UTC(2026, 0, 1), reason: "ENOSPC", refusedEvents: 3 }),
  });
  const reports = await Promise.all([ready(), ready(), ready()]);
  assert.equal(pings, 1);
  for (const report of reports) {
    assert.deepEqual(report, {
      ok: false,
      details: {
        auditTrail: {
          status: "failing",
          since: "2026-01-01T00:00:00.000Z",
          reason: "ENOSPC",
          refusedRequests: 3,
        },
      },
    });
  }
});
