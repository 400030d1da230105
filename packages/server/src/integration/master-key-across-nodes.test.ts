import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { rotateMasterKey } from "../app/rotate-master-key.js";
import { createTestDatabase, type TestDatabase } from "../storage/postgres/test-database.test-helper.js";
import { requirePostgres } from "../testing/postgres.js";
import { type ServerProcess, startServerProcess, testAdmin, testRegion } from "../testing/server-process.js";

/**
 * The master-key rotation of docs/multi-node.md ("Master keys"), step by step, with two real nodes
 * on one PostgreSQL database and no moment at which a node cannot read what another wrote:
 * 1. every node accepts the new key (still wrapping under the old one), one restart at a time;
 * 2. every node wraps under the new key (accepting the old one), one restart at a time;
 * 3. `coffer keys rotate` re-wraps everything under the new key and names the old one unneeded;
 * 4. every node drops the old key.
 */

const { skip } = requirePostgres();

let database: TestDatabase;
let cliHome: string;
const running: ServerProcess[] = [];

const oldKey = randomBytes(32).toString("base64");
const newKey = randomBytes(32).toString("base64");

async function startNode(keys: { active: string; previous?: string }): Promise<ServerProcess> {
  const node = await startServerProcess({
    env: {
      COFFER_STORE: database.url,
      COFFER_MASTER_KEY: keys.active,
      ...(keys.previous !== undefined ? { COFFER_MASTER_KEYS_PREVIOUS: keys.previous } : {}),
    },
  });
  running.push(node);
  return node;
}

async function stopNode(node: ServerProcess): Promise<void> {
  running.splice(running.indexOf(node), 1);
  await node.stop();
  node.cleanup();
}

/** Replaces `node` by one started with `keys`: a rolling restart's one step. */
async function restart(node: ServerProcess, keys: { active: string; previous?: string }) {
  await stopNode(node);
  return startNode(keys);
}

/** Runs `work` with an SDK client for `node`, closed after. */
async function withClient<T>(node: ServerProcess, work: (client: SecretsManagerClient) => Promise<T>) {
  const client = new SecretsManagerClient({
    endpoint: node.url,
    region: testRegion,
    credentials: testAdmin,
    maxAttempts: 1,
  });
  try {
    return await work(client);
  } finally {
    client.destroy();
  }
}

const read = (node: ServerProcess, secretId: string) =>
  withClient(
    node,
    async (client) => (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString,
  );

const write = (node: ServerProcess, name: string, value: string, create = false) =>
  withClient(node, async (client) => {
    if (create) await client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    else await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
  });

/** Every node reads every secret as expected. */
async function everyNodeReads(nodes: ServerProcess[], expected: Record<string, string>, when: string) {
  for (const [i, node] of nodes.entries())
    for (const [name, value] of Object.entries(expected))
      assert.equal(await read(node, name), value, `${when}: node ${i} reading ${name}`);
}

before(async () => {
  if (skip) return;
  database = await createTestDatabase();
  cliHome = mkdtempSync(join(tmpdir(), "coffer-keys-rotate-"));
});
after(async () => {
  for (const node of [...running]) await stopNode(node);
  if (cliHome) rmSync(cliHome, { recursive: true, force: true });
  await database?.drop();
});

test("a master key rotated across two running nodes, as docs/multi-node.md says, never leaves a secret unreadable", {
  skip,
}, async () => {
  let a = await startNode({ active: oldKey });
  let b = await startNode({ active: oldKey });
  await write(a, "keys/one", "sealed-under-the-old-key", true);
  const expected: Record<string, string> = { "keys/one": "sealed-under-the-old-key" };

  // 1. Every node accepts the new key, still wrapping under the old one.
  a = await restart(a, { active: oldKey, previous: newKey });
  await everyNodeReads([a, b], expected, "step 1, A restarted");
  b = await restart(b, { active: oldKey, previous: newKey });

  // 2. Every node wraps under the new key. Midway, the node still on the old key reads what the
  //    one on the new key wrote (it accepts the new key since step 1), and the other way round.
  a = await restart(a, { active: newKey, previous: oldKey });
  await write(a, "keys/two", "sealed-under-the-new-key", true);
  expected["keys/two"] = "sealed-under-the-new-key";
  await write(b, "keys/one", "sealed-under-the-old-key-again");
  expected["keys/one"] = "sealed-under-the-old-key-again";
  await everyNodeReads([a, b], expected, "step 2, midway");
  b = await restart(b, { active: newKey, previous: oldKey });

  // 3. One run of `coffer keys rotate`, beside the running nodes.
  const lines: string[] = [];
  const rotated = await rotateMasterKey(
    {
      COFFER_HOME: cliHome,
      COFFER_STORE: database.url,
      COFFER_MASTER_KEY: newKey,
      COFFER_MASTER_KEYS_PREVIOUS: oldKey,
    },
    (line) => lines.push(line),
  );
  assert.ok(rotated.rewrapped >= 2, `re-wrapped ${rotated.rewrapped}: ${lines.join(" | ")}`);
  assert.equal(rotated.retired.length, 1, lines.join(" | "));
  assert.ok(
    lines.some((line) => /remove it from COFFER_MASTER_KEYS_PREVIOUS/.test(line)),
    lines.join(" | "),
  );
  assert.ok(
    lines.some((line) => /2 running node\(s\) wrap under/.test(line)),
    lines.join(" | "),
  );
  await everyNodeReads([a, b], expected, "step 3");

  // 4. The old key is gone from every node; everything still reads, and writes go on.
  a = await restart(a, { active: newKey });
  b = await restart(b, { active: newKey });
  await everyNodeReads([a, b], expected, "step 4");
  await write(b, "keys/two", "after-the-rotation");
  expected["keys/two"] = "after-the-rotation";
  await everyNodeReads([a, b], expected, "step 4, after a write");
});
