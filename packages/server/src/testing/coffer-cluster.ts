import { randomBytes } from "node:crypto";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type PostgresKit, postgresKit } from "./postgres.js";
import { type ServerProcess, startServerProcess, testAdmin, testRegion } from "./server-process.js";
import { TcpRelay } from "./tcp-relay.js";

type Credentials = { accessKeyId: string; secretAccessKey: string };

/** One Coffer server process of a cluster, with an SDK client pointed at it alone. */
export interface ClusterNode {
  /** 0, 1, 2, … in the order the nodes were started (a replacement gets the next number). */
  index: number;
  server: ServerProcess;
  /** The test admin's client; one attempt per call, so a test sees exactly what the node answered. */
  client: SecretsManagerClient;
  /** The server's pid: the middle part of its node id as it holds leases (`host/pid/uuid`). */
  pid: number;
  dead: boolean;
}

/**
 * Several real Coffer processes on one fresh database of the machine's PostgreSQL, all reaching
 * it through one TCP relay (so a test can make the database go silent or down under them), all
 * with the same master key, as docs ask of nodes sharing a store.
 */
export interface CofferCluster {
  kit: PostgresKit;
  database: string;
  relay: TcpRelay;
  nodes: ClusterNode[];
  live(): ClusterNode[];
  /** Starts one more node on the same database (a replacement, or a node joining). */
  addNode(): Promise<ClusterNode>;
  /** SIGKILL, as a crash: the node's connections to the database are left for PostgreSQL to notice. */
  kill(node: ClusterNode): Promise<void>;
  /** A client for one node with other credentials (one attempt per call). */
  clientFor(node: ClusterNode, credentials?: Credentials): SecretsManagerClient;
  /** Stops every node (SIGKILL after a deadline), removes their folders, drops the database and role. */
  close(): Promise<void>;
}

/** Per-call limits of the test clients: a node that hangs fails the call rather than the test run. */
const requestHandler = { connectionTimeout: 2_000, requestTimeout: 15_000 };

export async function startCofferCluster(size: number): Promise<CofferCluster> {
  const kit = await postgresKit();
  const database = kit.name("coffer_cluster");
  const relay = new TcpRelay(kit.admin.port);
  const nodes: ClusterNode[] = [];
  const clients: SecretsManagerClient[] = [];
  const masterKey = randomBytes(32).toString("base64");
  let storeUrl = "";

  const clientAt = (url: string, credentials: Credentials = testAdmin) => {
    const client = new SecretsManagerClient({
      endpoint: url,
      region: testRegion,
      credentials,
      maxAttempts: 1,
      requestHandler,
    });
    clients.push(client);
    return client;
  };
  const addNode = async () => {
    const server = await startServerProcess({
      env: { COFFER_STORE: storeUrl, COFFER_MASTER_KEY: masterKey },
    });
    const node: ClusterNode = {
      index: nodes.length,
      server,
      pid: server.pid(),
      dead: false,
      client: clientAt(server.url),
    };
    nodes.push(node);
    return node;
  };
  const close = async () => {
    for (const client of clients) client.destroy();
    // Nodes shut down cleanly only with their database reachable.
    if (relay.currentMode() !== "relay") await relay.setMode("relay").catch(() => {});
    await Promise.all(
      nodes.map(async (node) => {
        const stopped = await Promise.race([
          node.server.stop().then(() => true),
          new Promise<false>((resolve) => setTimeout(resolve, 10_000, false).unref()),
        ]);
        if (!stopped) await node.server.kill();
        node.server.cleanup();
      }),
    );
    await relay.close();
    try {
      await kit.sql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    } finally {
      await kit.close();
    }
  };

  try {
    await kit.sql(`CREATE DATABASE ${database}`);
    await relay.setMode("relay");
    const { user, password } = kit.admin;
    storeUrl = `postgres://${user}:${password}@127.0.0.1:${relay.port}/${database}?sslmode=disable`;
    // All at once, as an orchestrator starts them: the first start's migrations race.
    const started = await Promise.allSettled(Array.from({ length: size }, () => addNode()));
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
  } catch (error) {
    await close();
    throw error;
  }
  return {
    kit,
    database,
    relay,
    nodes,
    live: () => nodes.filter((n) => !n.dead),
    addNode,
    kill: async (node) => {
      node.dead = true;
      await node.server.kill();
    },
    clientFor: (node, credentials) => clientAt(node.server.url, credentials),
    close,
  };
}
