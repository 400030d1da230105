import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, test } from "node:test";
import type { SecretChange } from "../../domain/ports/secret-store.js";
import type { Stores } from "../../domain/ports/stores.js";
import type { SecretInvalidation } from "../../domain/secrets/invalidations.js";
import type { SecretRecord } from "../../domain/secrets/records.js";
import { requirePostgres } from "../../testing/postgres.js";
import { announceChanges } from "./change-feed.js";
import { redactedUrl } from "./connection.js";
import { isTransientPostgresFault } from "./faults.js";
import { openPostgresStores } from "./open-postgres-stores.js";
import { createTestDatabase, eventually, type TestDatabase } from "./test-database.test-helper.js";

const { skip } = requirePostgres();
const region = "us-east-1";

function secret(name: string): SecretRecord {
  return {
    arn: `arn:aws:secretsmanager:${region}:123456789012:secret:${name}-AbCdEf`,
    region,
    name,
    description: undefined,
    kmsKeyId: undefined,
    tags: [],
    createdAt: 1,
    lastChangedAt: 1,
    lastAccessedAt: undefined,
    deletedAt: undefined,
    deletionDate: undefined,
    resourcePolicy: undefined,
    revision: 1,
    seal: undefined,
  };
}

const create = (s: SecretRecord): SecretChange => ({
  secret: s,
  kind: "create",
  expectedRevision: 0,
  addVersions: [],
  restage: [],
  removeVersions: [],
});

/** A sink that records what it is told. */
function recorder() {
  const seen: SecretInvalidation[] = [];
  return {
    seen,
    invalidate: (invalidation: SecretInvalidation) => void seen.push(invalidation),
    secretsSeen: () => seen.flatMap((i) => (i.kind === "secret" ? [i.name] : [])),
    alls: () => seen.filter((i) => i.kind === "all").length,
  };
}

describe("change notification across nodes", { skip }, () => {
  let database: TestDatabase;
  let a: Stores;
  let b: Stores;
  before(async () => {
    database = await createTestDatabase();
    const fast = { fallbackPollMs: 100, reconnectDelayMs: { min: 20, max: 200 } };
    a = await openPostgresStores({ url: database.url, nodeId: "node-a", ...fast });
    b = await openPostgresStores({ url: database.url, nodeId: "node-b", ...fast });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  test("a commit on node A reaches B's sink, and not A's own", async () => {
    const atA = recorder();
    const atB = recorder();
    const stopA = a.watchOutsideChanges(atA);
    const stopB = b.watchOutsideChanges(atB);
    try {
      // The feeds listen once their connection is up: a first commit may precede that, so wait
      // for a notice to arrive rather than assume.
      let i = 0;
      await eventually(
        async () => {
          await a.secrets.commit(create(secret(`first-${i++}`)));
          await new Promise((resolve) => setImmediate(resolve));
          return atB.seen.length > 0;
        },
        5_000,
        "B's feed to hear A's commit",
      );
      await a.secrets.commit(create(secret("hello")));
      await eventually(() => atB.secretsSeen().includes("hello"), 5_000, "the notice of hello at B");
      const notice = atB.seen.find((s) => s.kind === "secret" && s.name === "hello");
      assert.deepEqual(notice, {
        kind: "secret",
        arn: secret("hello").arn,
        name: "hello",
        region,
      });
      // B's own write reaches A, and by then A's own notices would have too: none arrived.
      await b.secrets.commit(create(secret("from-b")));
      await eventually(() => atA.secretsSeen().includes("from-b"), 5_000, "the notice of from-b at A");
      assert.deepEqual(atA.secretsSeen(), ["from-b"]);
      // One `all`: the feed's, once it listened (for commits before that); none since.
      assert.equal(atA.alls(), 1);
      assert.ok(!atB.secretsSeen().includes("from-b"));
    } finally {
      stopA();
      stopB();
    }
  });

  test("catchUp: a commit acknowledged on A has reached B's sink when B's catch-up resolves, with no wait between", async () => {
    const atB = recorder();
    const stopB = b.watchOutsideChanges(atB);
    try {
      await eventually(async () => {
        await a.secrets.commit(create(secret(`probe-cu-${Math.random()}`)));
        await new Promise((resolve) => setImmediate(resolve));
        return atB.seen.length > 0;
      });
      for (let i = 0; i < 20; i++) {
        atB.seen.length = 0;
        await a.secrets.commit(create(secret(`caught-${i}`)));
        await b.catchUp?.();
        // Heard by name; or, where a notice came late (a loaded machine), everything was dropped:
        // either way nothing B holds is older than A's acknowledged commit.
        assert.ok(
          atB.secretsSeen().includes(`caught-${i}`) || atB.alls() > 0,
          `round ${i}: ${JSON.stringify(atB.seen)}`,
        );
      }
      // Concurrent callers share counter reads, and each still sees what committed before it asked.
      atB.seen.length = 0;
      const rounds = await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          await a.secrets.commit(create(secret(`together-${i}`)));
          await b.catchUp?.();
          return atB.secretsSeen().includes(`together-${i}`) || atB.alls() > 0;
        }),
      );
      assert.deepEqual(rounds, Array(10).fill(true));
    } finally {
      stopB();
    }
  });

  test("catchUp: an identity change on A makes B's identity caches forget before B's catch-up resolves", async () => {
    // A catch-up whose notices come late (a loaded machine) drops everything, identity caches
    // included, and says `all`: what an identity notice itself caused is the rest.
    let forgotten = 0;
    const atB = { ...recorder(), identityChanged: () => void forgotten++ };
    const byNotice = (sink: { alls(): number }, count: number) => count - sink.alls();
    const stopB = b.watchOutsideChanges(atB);
    try {
      await eventually(async () => {
        await a.secrets.commit(create(secret(`probe-id-${Math.random()}`)));
        await new Promise((resolve) => setImmediate(resolve));
        return atB.seen.length > 0;
      });
      forgotten = 0;
      atB.seen.length = 0;
      await a.identity.createPrincipal({
        arn: "arn:aws:iam::123456789012:user/feed-user",
        name: "feed-user",
        kind: "user",
        tags: [],
        createdAt: 1,
      });
      await b.catchUp?.();
      assert.equal(byNotice(atB, forgotten), 1);
      await a.identity.updatePrincipalTags("arn:aws:iam::123456789012:user/feed-user", []);
      await b.catchUp?.();
      assert.equal(byNotice(atB, forgotten), 2);
      // A's own changes are its own business: its caches were told by the code that made them.
      let forgottenAtA = 0;
      const atA = recorder();
      const stopA = a.watchOutsideChanges({ ...atA, identityChanged: () => void forgottenAtA++ });
      try {
        // Until its feed is connected, a catch-up drops everything: wait for it to hear B.
        await eventually(async () => {
          await b.secrets.commit(create(secret(`probe-id-a-${Math.random()}`)));
          await new Promise((resolve) => setImmediate(resolve));
          return atA.secretsSeen().length > 0;
        });
        await a.catchUp?.();
        forgottenAtA = 0;
        atA.seen.length = 0;
        await a.identity.deletePrincipal("arn:aws:iam::123456789012:user/feed-user");
        await a.catchUp?.();
        assert.equal(byNotice(atA, forgottenAtA), 0);
      } finally {
        stopA();
      }
    } finally {
      stopB();
    }
  });

  test("a change-feed event announced by A reaches B's sink (for B's GET /changes), never A's own", async () => {
    const events: unknown[] = [];
    const eventsAtA: unknown[] = [];
    const atB = { ...recorder(), changeEvent: (notice: unknown) => void events.push(notice) };
    const atA = { ...recorder(), changeEvent: (notice: unknown) => void eventsAtA.push(notice) };
    const stopB = b.watchOutsideChanges(atB);
    const stopA = a.watchOutsideChanges(atA);
    try {
      const notice = {
        arn: secret("streamed").arn,
        name: "streamed",
        region,
        versionId: "v-1",
        operation: "PutSecretValue" as const,
        eventTime: 1_700_000_000_000,
      };
      await eventually(
        () => {
          a.announceChangeEvent?.(notice);
          return events.length > 0;
        },
        5_000,
        "B to hear A's change-feed event",
      );
      assert.deepEqual(events[0], notice);
      assert.deepEqual(eventsAtA, []);
    } finally {
      stopA();
      stopB();
    }
  });

  test("catchUp while the feed's connection is gone drops everything at once (and never hangs)", async () => {
    const atB = recorder();
    const stopB = b.watchOutsideChanges(atB);
    try {
      await eventually(async () => {
        await a.secrets.commit(create(secret(`probe-down-${Math.random()}`)));
        await new Promise((resolve) => setImmediate(resolve));
        return atB.seen.length > 0;
      });
      // Only the feeds' connections (their last statement is LISTEN or the counter read).
      await database.kit.sql(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1
           AND (query LIKE 'LISTEN%' OR query LIKE 'SELECT seq FROM change_log%')`,
        [database.name],
      );
      await eventually(() => atB.alls() > 0, 5_000, "the feed to notice the loss");
      const before = atB.alls();
      await b.catchUp?.();
      // Either still reconnecting (then `all` again, as nothing heard meanwhile can be trusted) or
      // reconnected (which said `all` itself): in both cases more than before the loss.
      assert.ok(atB.alls() >= before);
    } finally {
      stopB();
    }
  });

  test("a notice that would not fit NOTIFY's payload says `all`", async () => {
    const atB = recorder();
    const stopB = b.watchOutsideChanges(atB);
    try {
      await eventually(async () => {
        await a.secrets.commit(create(secret(`probe-${Math.random()}`)));
        await new Promise((resolve) => setImmediate(resolve));
        return atB.seen.length > 0;
      });
      atB.seen.length = 0;
      // Names that long cannot pass the domain; the announcement is written for any size.
      const db = (a.secrets as unknown as { db: { transaction<T>(w: (c: never) => Promise<T>): Promise<T> } })
        .db;
      await db.transaction((client) =>
        announceChanges(client, "node-a", [{ arn: "arn:x", name: "n".repeat(9_000), region }]),
      );
      await eventually(() => atB.alls() > 0, 5_000, "the `all` notice");
      assert.ok(!atB.secretsSeen().some((n) => n?.startsWith("nnn")));
    } finally {
      stopB();
    }
  });

  test("a change without a notice is caught by the counter within a few polls", async () => {
    const atB = recorder();
    const stopB = b.watchOutsideChanges(atB);
    try {
      await eventually(async () => {
        await a.secrets.commit(create(secret(`probe2-${Math.random()}`)));
        await new Promise((resolve) => setImmediate(resolve));
        return atB.seen.length > 0;
      });
      atB.seen.length = 0;
      await database.kit.sql("UPDATE change_log SET seq = seq + 1", [], database.name);
      await eventually(() => atB.alls() > 0, 2_000, "the fallback's `all`");
    } finally {
      stopB();
    }
  });

  test("after every backend is terminated, the feed says `all`, reconnects and hears notices again; the pool works", async () => {
    const atB = recorder();
    const errors: unknown[] = [];
    const stopB = b.watchOutsideChanges(atB, (error) => errors.push(error));
    try {
      await eventually(async () => {
        await a.secrets.commit(create(secret(`probe3-${Math.random()}`)));
        await new Promise((resolve) => setImmediate(resolve));
        return atB.seen.length > 0;
      });
      // Both pools hold idle connections now; terminate them all, and the feeds' too.
      const killed = await database.kit.sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [database.name],
      );
      assert.ok(killed.length >= 3, `terminated ${killed.length} backends`);
      await eventually(() => atB.alls() > 0 && errors.length > 0, 5_000, "the feed to notice the loss");
      assert.ok(isTransientPostgresFault(errors[0]), String(errors[0]));
      // The pools recover: dead idle connections are replaced. A pool learns of a terminated idle
      // connection only when its socket reports the end, so on a loaded machine one call may still
      // draw it and fail with the transient fault (which the server answers as a retryable 500);
      // any other error, or no recovery, fails the test.
      const recovered = (call: () => Promise<boolean>, what: string) =>
        eventually(
          async () => {
            try {
              return await call();
            } catch (error) {
              if (isTransientPostgresFault(error)) return false;
              throw error;
            }
          },
          5_000,
          what,
        );
      await recovered(
        async () => (await a.secrets.findRecordByName(region, "nope")) === undefined,
        "A's pool to replace its terminated connections",
      );
      await recovered(async () => {
        await b.ping();
        return true;
      }, "B's pool to replace its terminated connections");
      await a.secrets.commit(create(secret("after-restart-0")));
      // The feed reconnects: a later notice arrives.
      let i = 1;
      await eventually(
        async () => {
          await a.secrets.commit(create(secret(`after-restart-${i++}`)));
          await new Promise((resolve) => setImmediate(resolve));
          return atB.secretsSeen().some((n) => n?.startsWith("after-restart-"));
        },
        10_000,
        "a notice after reconnecting",
      );
    } finally {
      stopB();
    }
  });
});

test("ping fails fast against a port nothing listens on", { skip }, async () => {
  // A port that was free a moment ago: connection refused.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  const port = typeof address === "object" && address ? address.port : 1;
  await new Promise((resolve) => probe.close(resolve));
  const url = `postgres://nobody:secret-password@127.0.0.1:${port}/none?sslmode=disable`;
  const started = Date.now();
  await assert.rejects(openPostgresStores({ url, connectTimeoutMs: 500 }), (error: Error) => {
    assert.match(error.message, /Cannot open the PostgreSQL database at postgres:\/\/nobody@127\.0\.0\.1/);
    assert.ok(!error.message.includes("secret-password"));
    assert.ok(isTransientPostgresFault(error));
    return true;
  });
  assert.ok(Date.now() - started < 500 + 1_000, `took ${Date.now() - started} ms`);
});

test("ping fails fast against a server that accepts connections but never answers", async () => {
  const sockets = new Set<import("node:net").Socket>();
  const silent = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const address = silent.address();
  const port = typeof address === "object" && address ? address.port : 1;
  try {
    const started = Date.now();
    await assert.rejects(
      openPostgresStores({
        url: `postgres://u:p@127.0.0.1:${port}/db?sslmode=disable`,
        connectTimeoutMs: 300,
      }),
      (error: Error) => isTransientPostgresFault(error),
    );
    assert.ok(Date.now() - started < 300 + 1_000, `took ${Date.now() - started} ms`);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

test("redactedUrl drops the password, in the user part or as a parameter", () => {
  assert.equal(
    redactedUrl("postgres://coffer:s3cret@db.example:5432/coffer?sslmode=require"),
    "postgres://coffer@db.example:5432/coffer?sslmode=require",
  );
  assert.equal(
    redactedUrl("postgres://db.example/coffer?password=s3cret&user=x"),
    "postgres://db.example/coffer?user=x",
  );
  assert.ok(!redactedUrl("not a url s3cret").includes("s3cret"));
});

test("isTransientPostgresFault: connection and resource faults, not data errors", () => {
  for (const code of ["57P01", "57P03", "08006", "08001", "53300", "57014", "40001", "40P01", "ECONNREFUSED"])
    assert.equal(isTransientPostgresFault(Object.assign(new Error("x"), { code })), true, code);
  assert.equal(isTransientPostgresFault(new Error("Connection terminated unexpectedly")), true);
  assert.equal(
    isTransientPostgresFault(
      new Error("wrapped", { cause: Object.assign(new Error("x"), { code: "57P01" }) }),
    ),
    true,
  );
  for (const code of ["23505", "42P01", "22021", "28P01"])
    assert.equal(isTransientPostgresFault(Object.assign(new Error("x"), { code })), false, code);
  assert.equal(isTransientPostgresFault(undefined), false);
});
