import assert from "node:assert/strict";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import type { Stores } from "../../domain/ports/stores.js";
import { requirePostgres } from "../../testing/postgres.js";
import { isTransientPostgresFault } from "./faults.js";
import { openPostgresStores } from "./open-postgres-stores.js";
import { createTestDatabase, eventually, type TestDatabase } from "./test-database.test-helper.js";

// The database going away under a running node, played by a TCP relay in front of the real
// server: requests and ping fail fast (bounded by connectTimeoutMs) with a transient fault, and
// work again once the database is back.

const { skip } = requirePostgres();
const connectTimeoutMs = 400;

/** Relays 127.0.0.1:<port> to PostgreSQL; `down` closes it, `silent` accepts but never answers. */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: number) {}

  async up(mode: "relay" | "silent" = "relay"): Promise<void> {
    const server = createServer((client) => {
      this.sockets.add(client);
      client.on("close", () => this.sockets.delete(client));
      client.on("error", () => {});
      if (mode === "silent") return;
      const upstream = createConnection(this.target, "127.0.0.1");
      this.sockets.add(upstream);
      upstream.on("close", () => this.sockets.delete(upstream));
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    const address = server.address();
    this.port = typeof address === "object" && address ? address.port : 0;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

async function timed(work: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = Date.now();
  try {
    await work;
    return { ms: Date.now() - started, error: undefined };
  } catch (error) {
    return { ms: Date.now() - started, error };
  }
}

describe("the database going away under a running node", { skip }, () => {
  let database: TestDatabase;
  let relay: Relay;
  let stores: Stores;
  before(async () => {
    database = await createTestDatabase();
    relay = new Relay(database.kit.admin.port);
    await relay.up();
    const url = database.url.replace(`:${database.kit.admin.port}/`, `:${relay.port}/`);
    stores = await openPostgresStores({ url, connectTimeoutMs, statementTimeoutMs: 1_000 });
  });
  after(async () => {
    await relay?.down();
    await stores?.close();
    await database?.drop();
  });

  test("down: ping and requests fail fast with a transient fault; back: they work again", async () => {
    await stores.ping();
    await relay.down();
    const requests: Array<() => Promise<unknown>> = [
      () => stores.ping(),
      () => stores.secrets.findByName("us-east-1", "x"),
      () => stores.leases.holder("l", 1),
      () => stores.settings.initSetting("k", "v"),
    ];
    for (const request of requests) {
      const { ms, error } = await timed(request());
      assert.ok(error instanceof Error, "it failed");
      assert.ok(ms < connectTimeoutMs + 1_000, `failed after ${ms} ms`);
      assert.ok(
        isTransientPostgresFault(error) || /did not answer/.test((error as Error).message),
        String(error),
      );
    }
    await relay.up();
    await stores.ping();
    assert.equal(await stores.secrets.findByName("us-east-1", "x"), undefined);
  });

  test("a database that accepts connections but never answers: ping gives up after connectTimeoutMs", async () => {
    await relay.down();
    await relay.up("silent");
    try {
      const { ms, error } = await timed(stores.ping());
      assert.ok(error instanceof Error);
      assert.ok(ms >= connectTimeoutMs - 50 && ms < connectTimeoutMs + 1_000, `failed after ${ms} ms`);
      const request = await timed(stores.secrets.findByName("us-east-1", "x"));
      assert.ok(isTransientPostgresFault(request.error), String(request.error));
      assert.ok(request.ms < connectTimeoutMs + 1_000, `failed after ${request.ms} ms`);
    } finally {
      await relay.down();
      await relay.up();
    }
    // For a second after the last time-out every call fails at once (unresponsive.ts); then the
    // next one tries the server again and finds it back.
    const back = Date.now();
    await eventually(
      () =>
        stores.ping().then(
          () => true,
          () => false,
        ),
      5_000,
      "ping to work again",
    );
    assert.ok(Date.now() - back < 2_500, `back after ${Date.now() - back} ms`);
  });
});
