import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { adminCall, createUserWithPolicy } from "../testing/admin-call.js";
import { type ClusterNode, type CofferCluster, startCofferCluster } from "../testing/coffer-cluster.js";
import { requirePostgres } from "../testing/postgres.js";

/**
 * Issue 11: three real Coffer processes on loopback ports share one real PostgreSQL database and
 * are driven through the AWS SDK for JavaScript v3, one endpoint per node. What a client of any node
 * must be able to rely on: races between nodes end as AWS's do, a change made on one node is what
 * every node answers next, background work runs on one node and moves when it dies, and the
 * database's faults give fast, retryable errors rather than hangs or lost writes.
 */

const { skip } = requirePostgres();

type SdkError = Error & { $metadata?: { httpStatusCode?: number }; $fault?: string; code?: string };

type Outcome<T> = { ok: true; value: T; ms: number } | { ok: false; error: SdkError; ms: number };

async function outcome<T>(work: Promise<T>): Promise<Outcome<T>> {
  const started = Date.now();
  try {
    const value = await work;
    return { ok: true, value, ms: Date.now() - started };
  } catch (error) {
    return { ok: false, error: error as SdkError, ms: Date.now() - started };
  }
}

const describeError = (error: SdkError) =>
  `${error.name} (HTTP ${error.$metadata?.httpStatusCode ?? "none"}): ${error.message}`;

/** Polls `condition` until it holds or `ms` pass; no fixed sleeps. */
async function eventually<T>(condition: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await condition();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const getValue = (client: SecretsManagerClient, secretId: string, versionId?: string) =>
  client.send(
    new GetSecretValueCommand({ SecretId: secretId, ...(versionId ? { VersionId: versionId } : {}) }),
  );

const putValue = (client: SecretsManagerClient, secretId: string, value: string, token?: string) =>
  client.send(
    new PutSecretValueCommand({
      SecretId: secretId,
      SecretString: value,
      ...(token ? { ClientRequestToken: token } : {}),
    }),
  );

async function versionsOf(client: SecretsManagerClient, secretId: string) {
  const listed = await client.send(
    new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: true, MaxResults: 100 }),
  );
  assert.equal(listed.NextToken, undefined, "one page holds every version");
  return listed.Versions ?? [];
}

/** The node id holding the "background-work" lease now (app/start-server.ts), as the table says. */
async function backgroundHolder(cluster: CofferCluster): Promise<string | undefined> {
  const rows = await cluster.kit.sql(
    "SELECT holder FROM leases WHERE name = 'background-work' AND expires_at > $1",
    [Date.now()],
    cluster.database,
  );
  return rows[0]?.holder as string | undefined;
}

/** Node ids are `host/pid/uuid` (app/open-coffer.ts). */
const nodeByHolder = (cluster: CofferCluster, holder: string) =>
  cluster.nodes.find((n) => holder.split("/")[1] === String(n.pid));

const httpStatus = async (node: ClusterNode, path: string) => {
  const started = Date.now();
  const response = await fetch(`${node.server.url}${path}`, { signal: AbortSignal.timeout(15_000) });
  await response.arrayBuffer();
  return { status: response.status, ms: Date.now() - started };
};

describe("three Coffer nodes on one PostgreSQL database, through the AWS SDK", { skip }, () => {
  let cluster: CofferCluster;
  const node = (i: number): ClusterNode => {
    const found = cluster.live()[i];
    assert.ok(found, `live node ${i}`);
    return found;
  };

  before(async () => {
    cluster = await startCofferCluster(3);
  });
  after(async () => {
    await cluster?.close();
  });

  test("creating one name on every node at once: exactly one wins, the others get ResourceExistsException", async () => {
    for (let round = 0; round < 6; round++) {
      const name = `race/create-${round}`;
      const results = await Promise.all(
        cluster
          .live()
          .map((n) =>
            outcome(
              n.client.send(new CreateSecretCommand({ Name: name, SecretString: `from-node-${n.index}` })),
            ),
          ),
      );
      const winners = results.filter((r) => r.ok);
      assert.equal(winners.length, 1, `round ${round}: ${winners.length} creates succeeded`);
      for (const r of results) {
        if (!r.ok) assert.equal(r.error.name, "ResourceExistsException", describeError(r.error));
      }
      const winner = results.findIndex((r) => r.ok);
      for (const n of cluster.live()) {
        assert.equal((await getValue(n.client, name)).SecretString, `from-node-${winner}`);
      }
    }
  });

  test("one ClientRequestToken on every node at once, same value: one version, every call succeeds with it", async () => {
    const name = "race/token-same";
    await node(0).client.send(new CreateSecretCommand({ Name: name, SecretString: "initial" }));
    for (let round = 0; round < 5; round++) {
      const token = randomUUID();
      const results = await Promise.all(
        cluster.live().map((n) => outcome(putValue(n.client, name, `value-${round}`, token))),
      );
      for (const r of results) {
        assert.ok(r.ok, `round ${round}: ${r.ok ? "" : describeError(r.error)}`);
        assert.equal(r.value.VersionId, token);
      }
      const versions = await versionsOf(node(round % 3).client, name);
      assert.equal(versions.filter((v) => v.VersionId === token).length, 1);
      assert.equal(versions.length, round + 2, "the initial version and one per round");
      for (const n of cluster.live()) {
        assert.equal((await getValue(n.client, name, token)).SecretString, `value-${round}`);
      }
    }
  });

  test("one ClientRequestToken on every node at once, different values: one wins, the others get ResourceExistsException", async () => {
    const name = "race/token-different";
    await node(0).client.send(new CreateSecretCommand({ Name: name, SecretString: "initial" }));
    for (let round = 0; round < 5; round++) {
      const token = randomUUID();
      const results = await Promise.all(
        cluster.live().map((n) => outcome(putValue(n.client, name, `node-${n.index}-round-${round}`, token))),
      );
      assert.equal(results.filter((r) => r.ok).length, 1, `round ${round}`);
      for (const r of results) {
        if (!r.ok) assert.equal(r.error.name, "ResourceExistsException", describeError(r.error));
      }
      const winner = results.findIndex((r) => r.ok);
      for (const n of cluster.live()) {
        assert.equal((await getValue(n.client, name, token)).SecretString, `node-${winner}-round-${round}`);
      }
    }
  });

  test("AWSCURRENT moved concurrently from every node: readers on every node always see exactly one", async (t) => {
    const name = "race/labels";
    await node(0).client.send(new CreateSecretCommand({ Name: name, SecretString: "v0" }));
    for (let i = 1; i < 5; i++) await putValue(node(i % 3).client, name, `v${i}`);
    const versionIds = (await versionsOf(node(0).client, name)).map((v) => v.VersionId as string);
    assert.equal(versionIds.length, 5);

    const violations: string[] = [];
    let reads = 0;
    let moving = true;
    const countLabel = (stagesByVersion: Array<string[] | undefined>, label: string) =>
      stagesByVersion.filter((stages) => stages?.includes(label)).length;
    const reader = async (n: ClusterNode) => {
      while (moving) {
        const listed = await versionsOf(n.client, name);
        const described = await n.client.send(new DescribeSecretCommand({ SecretId: name }));
        reads++;
        const fromList = countLabel(
          listed.map((v) => v.VersionStages),
          "AWSCURRENT",
        );
        const fromDescribe = countLabel(Object.values(described.VersionIdsToStages ?? {}), "AWSCURRENT");
        if (fromList !== 1 || fromDescribe !== 1)
          violations.push(
            `node ${n.index}: ${fromList} in ListSecretVersionIds, ${fromDescribe} in DescribeSecret`,
          );
        if (countLabel(Object.values(described.VersionIdsToStages ?? {}), "AWSPREVIOUS") > 1)
          violations.push(`node ${n.index}: two AWSPREVIOUS`);
      }
    };
    const refused: string[] = [];
    let moved = 0;
    const mover = async (n: ClusterNode, seed: number) => {
      for (let i = 0; i < 12; i++) {
        const stages =
          (await n.client.send(new DescribeSecretCommand({ SecretId: name }))).VersionIdsToStages ?? {};
        const current = Object.keys(stages).find((id) => stages[id]?.includes("AWSCURRENT"));
        const others = versionIds.filter((id) => id !== current);
        const target = others[(seed + i) % others.length];
        const result = await outcome(
          n.client.send(
            new UpdateSecretVersionStageCommand({
              SecretId: name,
              VersionStage: "AWSCURRENT",
              MoveToVersionId: target,
              RemoveFromVersionId: current,
            }),
          ),
        );
        if (result.ok) moved++;
        // A mover that read the label's holder just before another node moved it names the wrong
        // RemoveFromVersionId, which AWS refuses: that is a client error, never a server fault.
        else if (result.error.$metadata?.httpStatusCode === 400) refused.push(result.error.name);
        else throw new Error(`node ${n.index}: ${describeError(result.error)}`);
      }
    };
    const readers = cluster.live().map((n) => reader(n));
    try {
      await Promise.all(cluster.live().map((n, i) => mover(n, i)));
    } finally {
      moving = false;
      await Promise.all(readers);
    }
    t.diagnostic(
      `${moved} moves, ${refused.length} refused (${[...new Set(refused)].join(", ")}), ${reads} reads`,
    );
    assert.ok(moved >= 3, `only ${moved} moves succeeded`);
    assert.deepEqual(violations, []);
    const holders = await Promise.all(
      cluster.live().map(async (n) => {
        const stages =
          (await n.client.send(new DescribeSecretCommand({ SecretId: name }))).VersionIdsToStages ?? {};
        return Object.keys(stages).filter((id) => stages[id]?.includes("AWSCURRENT"));
      }),
    );
    assert.equal(holders[0]?.length, 1);
    for (const h of holders) assert.deepEqual(h, holders[0], "every node names the same AWSCURRENT");
  });

  test("a value put on one node is what every other node answers next, even with the old value cached", async () => {
    const name = "fresh/value";
    await node(0).client.send(new CreateSecretCommand({ Name: name, SecretString: "initial" }));
    const stale: string[] = [];
    for (let round = 0; round < 6; round++) {
      const writer = node(round % 3);
      const readers = cluster.live().filter((n) => n !== writer);
      const old = `old-${round}`;
      await putValue(writer.client, name, old);
      // Every reader holds the old value in its read model now (two reads: the second is a hit).
      for (const r of readers) {
        assert.equal((await getValue(r.client, name)).SecretString, old);
        assert.equal((await getValue(r.client, name)).SecretString, old);
      }
      const put = await putValue(writer.client, name, `new-${round}`);
      // The very next read on each other node, no retry.
      for (const r of readers) {
        const read = await getValue(r.client, name);
        if (read.SecretString !== `new-${round}` || read.VersionId !== put.VersionId)
          stale.push(
            `round ${round}: node ${r.index} answered ${read.SecretString} after node ${writer.index}'s put`,
          );
      }
    }
    assert.deepEqual(stale, []);
  });

  test("an access key disabled on one node is refused by every node on its next request", {}, async () => {
    const keys = await createUserWithPolicy(node(0).server.url, "multi-node-reader", {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }],
    });
    const clients = cluster.live().map((n) => ({ n, client: cluster.clientFor(n, keys) }));
    // Every node has looked the key up (and holds it) before it is disabled.
    for (const { client } of clients)
      assert.equal((await getValue(client, "fresh/value")).SecretString, "new-5");
    await adminCall(node(1).server.url, "UpdateAccessKey", {
      AccessKeyId: keys.accessKeyId,
      Status: "Inactive",
    });
    const accepted: string[] = [];
    for (const { n, client } of clients) {
      const r = await outcome(getValue(client, "fresh/value"));
      if (r.ok) accepted.push(`node ${n.index} still accepted the disabled key`);
      else
        assert.equal(
          r.error.name,
          "UnrecognizedClientException",
          `node ${n.index}: ${describeError(r.error)}`,
        );
    }
    assert.deepEqual(accepted, []);
  });

  test("background work runs on exactly one node", async () => {
    const holder = await eventually(() => backgroundHolder(cluster), 15_000, "a holder of background-work");
    const holding = nodeByHolder(cluster, holder);
    assert.ok(holding, `the holder ${holder} is one of the nodes`);
    const rows = await cluster.kit.sql(
      "SELECT holder FROM leases WHERE name = 'background-work'",
      [],
      cluster.database,
    );
    assert.equal(rows.length, 1);
    // The node's own view agrees: only it said so in its log.
    const claimants = cluster
      .live()
      .filter((n) => n.server.output().includes("this node runs the background work"))
      .map((n) => n.index);
    assert.deepEqual(claimants, [holding.index]);
  });

  test("mixed load over the nodes, kill -9 of the background-work holder: every acknowledged write is readable, no token made two versions, another node takes the lease", async (t) => {
    const secrets = Array.from({ length: 12 }, (_, i) => `load/secret-${i}`);
    for (const [i, name] of secrets.entries())
      await node(i % 3).client.send(new CreateSecretCommand({ Name: name, SecretString: "initial" }));
    const nodes = cluster.live();
    const victimHolder = await eventually(
      () => backgroundHolder(cluster),
      15_000,
      "a background-work holder",
    );
    const victim = nodeByHolder(cluster, victimHolder);
    assert.ok(victim);

    /** Tries each node in turn on connection errors and 5xx (what a client with several endpoints does). */
    const failures = { connection: 0, server: 0 };
    async function onAnyNode<T>(
      start: number,
      call: (client: SecretsManagerClient) => Promise<T>,
    ): Promise<T> {
      let last: SdkError | undefined;
      for (let attempt = 0; attempt < 3 * nodes.length; attempt++) {
        const n = nodes[(start + attempt) % nodes.length] as ClusterNode;
        try {
          return await call(n.client);
        } catch (error) {
          const status = (error as SdkError).$metadata?.httpStatusCode;
          if (status !== undefined && status < 500) throw error;
          if (status === undefined) failures.connection++;
          else failures.server++;
          last = error as SdkError;
        }
      }
      throw last;
    }

    type Write = { secret: string; token: string; value: string; versionId: string };
    const acknowledged: Write[] = [];
    const tokensSent = new Map<string, Set<string>>(secrets.map((s) => [s, new Set()]));
    const unacknowledged: string[] = [];
    let reads = 0;
    let running = true;
    // Below 100 versions a secret keeps every one (domain/secrets/stages.ts maxVersionsKept).
    const maxWritesPerSecret = 90;
    const worker = async (w: number) => {
      for (let i = 0; running; i++) {
        const secret = secrets[(w * 7 + i) % secrets.length] as string;
        const sent = tokensSent.get(secret) as Set<string>;
        if (i % 2 === 0 && sent.size < maxWritesPerSecret) {
          const token = randomUUID();
          const value = `${secret}#${token}`;
          sent.add(token);
          let put: { VersionId?: string | undefined } | undefined;
          try {
            put = await onAnyNode(w + i, (c) => putValue(c, secret, value, token));
          } catch (error) {
            // Only faults may go unacknowledged (onAnyNode throws a 4xx at once): that is a wrong answer.
            const status = (error as SdkError).$metadata?.httpStatusCode;
            if (status !== undefined && status < 500) throw error;
            unacknowledged.push(describeError(error as SdkError));
            continue;
          }
          assert.equal(put.VersionId, token);
          acknowledged.push({ secret, token, value, versionId: token });
        } else {
          const read = await onAnyNode(w + i, (c) => getValue(c, secret));
          assert.ok(read.SecretString === "initial" || read.SecretString?.startsWith(`${secret}#`));
          reads++;
        }
      }
    };
    const workers = Array.from({ length: 6 }, (_, w) => worker(w));
    let takeoverMs = 0;
    let newHolder: ClusterNode | undefined;
    try {
      await eventually(
        async () => (acknowledged.length >= 40 ? true : undefined),
        20_000,
        "40 acknowledged writes",
      );
      const killedAt = Date.now();
      await cluster.kill(victim);
      const writesAtKill = acknowledged.length;
      const taken = await eventually(
        async () => {
          const h = await backgroundHolder(cluster);
          return h !== undefined && h !== victimHolder ? h : undefined;
        },
        20_000,
        "another node to take background-work",
      );
      takeoverMs = Date.now() - killedAt;
      newHolder = nodeByHolder(cluster, taken);
      // The load goes on after the takeover too.
      await eventually(
        async () => (acknowledged.length >= writesAtKill + 40 ? true : undefined),
        20_000,
        "40 more acknowledged writes after the kill",
      );
    } finally {
      running = false;
      await Promise.all(workers);
    }
    t.diagnostic(
      `${acknowledged.length} acknowledged writes, ${unacknowledged.length} unacknowledged, ${reads} reads; ` +
        `failovers: ${failures.connection} connection errors, ${failures.server} 5xx; lease taken over ${takeoverMs} ms after the kill`,
    );
    assert.ok(newHolder && !newHolder.dead, "the new holder is a live node");
    assert.ok(takeoverMs < 15_000, `takeover took ${takeoverMs} ms (lease TTL 10 s, renewed every 3.3 s)`);
    assert.ok(newHolder.server.output().includes("this node runs the background work"));

    const survivors = cluster.live();
    const missing: string[] = [];
    for (const [i, w] of acknowledged.entries()) {
      const n = survivors[i % survivors.length] as ClusterNode;
      const r = await outcome(getValue(n.client, w.secret, w.versionId));
      if (!r.ok || r.value.SecretString !== w.value)
        missing.push(
          `${w.secret} ${w.versionId} on node ${n.index}: ${r.ok ? "another value" : describeError(r.error)}`,
        );
    }
    assert.deepEqual(missing, [], "every acknowledged write is readable");
    for (const secret of secrets) {
      const ids = (await versionsOf((survivors[0] as ClusterNode).client, secret)).map(
        (v) => v.VersionId as string,
      );
      assert.equal(new Set(ids).size, ids.length, `${secret}: a version id listed twice`);
      const sent = tokensSent.get(secret) as Set<string>;
      const strays = ids.filter((id) => !sent.has(id));
      assert.equal(
        strays.length,
        1,
        `${secret}: versions besides the initial one that no token asked for: ${strays.join(", ")}`,
      );
    }
    const duplicates = await cluster.kit.sql(
      "SELECT secret_id, version_id FROM secret_versions GROUP BY secret_id, version_id HAVING count(*) > 1",
      [],
      cluster.database,
    );
    assert.deepEqual(duplicates, []);
  });

  test("a replacement node joins the running cluster and serves what the others wrote", async () => {
    const joined = await cluster.addNode();
    assert.equal((await getValue(joined.client, "fresh/value")).SecretString, "new-5");
    assert.equal(cluster.live().length, 3);
  });

  test("pg_terminate_backend on every node's connections: the nodes serve their next requests without a restart", async (t) => {
    const name = "faults/terminated";
    await node(0).client.send(new CreateSecretCommand({ Name: name, SecretString: "before" }));
    for (const n of cluster.live()) await getValue(n.client, name);
    // The nodes' connections only, by application_name: the stores' pool and LISTEN connection
    // ("coffer", storage/postgres/connection.ts) and the audit trail's pool ("coffer-audit").
    const rows = await cluster.kit.sql(
      "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name IN ('coffer', 'coffer-audit')",
      [cluster.database],
    );
    const pids = rows.map((r) => Number(r.pid));
    await cluster.kit.sql("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", [pids]);
    assert.ok(pids.length >= cluster.live().length, `terminated ${pids.length} connections`);
    // The backends exit asynchronously: wait until none of them is left.
    await eventually(
      async () => {
        const rows = await cluster.kit.sql("SELECT pid FROM pg_stat_activity WHERE pid = ANY($1)", [pids]);
        return rows.length === 0 ? true : undefined;
      },
      5_000,
      "the terminated backends to exit",
    );
    t.diagnostic(`terminated ${pids.length} backends`);
    const problems: string[] = [];
    for (const [i, writer] of cluster.live().entries()) {
      const put = await outcome(putValue(writer.client, name, `after-${i}`));
      if (!put.ok) {
        problems.push(`node ${writer.index} PutSecretValue: ${describeError(put.error)}`);
        continue;
      }
      for (const reader of cluster.live()) {
        const read = await outcome(getValue(reader.client, name));
        if (!read.ok) problems.push(`node ${reader.index} GetSecretValue: ${describeError(read.error)}`);
        else if (read.value.SecretString !== `after-${i}`)
          problems.push(
            `node ${reader.index} answered ${read.value.SecretString} after node ${writer.index}'s put`,
          );
      }
    }
    assert.deepEqual(problems, []);
  });

  // The database unreachable: first refused (down), then accepting connections but never answering
  // (a partition, a hung server), then back. Each phase records every answer before asserting, so a
  // failure shows the whole picture.
  const warm = "faults/cached";
  const cold = "faults/cold";
  const cachedRead = "GetSecretValue of a value the node cached before the outage";
  type Answer = {
    node: number;
    what: string;
    ok: boolean;
    name: string;
    status: number | undefined;
    fault: string | undefined;
    ms: number;
  };

  /** Every call on every node at once (a hanging one then costs the phase its own time, not the sum). */
  async function outageAnswers(t: { diagnostic(message: string): void }, phase: string): Promise<Answer[]> {
    const calls = cluster.live().flatMap((n) => {
      const sdk: Array<[string, () => Promise<unknown>]> = [
        [cachedRead, () => getValue(n.client, warm)],
        ["GetSecretValue of a value never read on the node", () => getValue(n.client, cold)],
        ["PutSecretValue", () => putValue(n.client, warm, "during-outage")],
      ];
      return [
        ...sdk.map(async ([what, call]): Promise<Answer> => {
          const r = await outcome(call());
          return r.ok
            ? { node: n.index, what, ok: true, name: "ok", status: 200, fault: undefined, ms: r.ms }
            : {
                node: n.index,
                what,
                ok: false,
                name: r.error.name,
                status: r.error.$metadata?.httpStatusCode,
                fault: r.error.$fault,
                ms: r.ms,
              };
        }),
        ...["/health", "/ready"].map(async (path): Promise<Answer> => {
          const r = await httpStatus(n, path);
          return {
            node: n.index,
            what: path,
            ok: r.status === 200,
            name: path,
            status: r.status,
            fault: undefined,
            ms: r.ms,
          };
        }),
      ];
    });
    const answers = await Promise.all(calls);
    for (const a of answers)
      t.diagnostic(`${phase}, node ${a.node}, ${a.what}: ${a.name} HTTP ${a.status ?? "none"} in ${a.ms} ms`);
    return answers;
  }

  function assertOutageAnswers(answers: Answer[]) {
    for (const a of answers) {
      const where = `node ${a.node}, ${a.what}`;
      assert.ok(a.ms < 5_000, `${where}: answered after ${a.ms} ms`);
      if (a.what === "/health") assert.equal(a.status, 200, where);
      else if (a.what === "/ready") assert.equal(a.status, 503, where);
    }
    const faults = answers.filter((a) => a.what.includes("never read") || a.what === "PutSecretValue");
    for (const a of faults) {
      const where = `node ${a.node}, ${a.what}`;
      assert.ok(!a.ok, `${where}: succeeded with the database unreachable`);
      assert.equal(a.fault, "server", `${where}: ${a.name} is not a (retryable) server fault`);
    }
    // A value cached before the outage is not served either (docs/multi-node.md, "When the
    // database is down"): the node cannot know what other nodes changed meanwhile. It fails as
    // everything else does, with the retryable InternalServiceError.
    for (const a of answers.filter((a) => a.what === cachedRead)) {
      assert.deepEqual(
        { ok: a.ok, name: a.name, status: a.status },
        { ok: false, name: "InternalServiceError", status: 500 },
        `node ${a.node}, ${a.what}`,
      );
    }
    for (const a of faults) {
      assert.deepEqual(
        { name: a.name, status: a.status },
        { name: "InternalServiceError", status: 500 },
        `node ${a.node}, ${a.what}`,
      );
    }
  }

  test("the database down (connections refused): requests fail fast with a retryable InternalServiceError, /ready 503, /health 200", {}, async (t) => {
    await node(0).client.send(new CreateSecretCommand({ Name: warm, SecretString: "cached-before-outage" }));
    await node(0).client.send(new CreateSecretCommand({ Name: cold, SecretString: "never-read" }));
    for (const n of cluster.live()) await getValue(n.client, warm);
    await cluster.relay.setMode("refuse");
    assertOutageAnswers(await outageAnswers(t, "down"));
  });

  test("the database silent (connections accepted, never answered): requests fail fast with a retryable InternalServiceError, /ready 503, /health 200", {}, async (t) => {
    await cluster.relay.setMode("silent");
    assertOutageAnswers(await outageAnswers(t, "silent"));
  });

  test("the database back: every node serves again, reads and writes, without a restart", async (t) => {
    await cluster.relay.setMode("relay");
    const backAt = Date.now();
    for (const n of cluster.live()) {
      await eventually(
        async () => ((await outcome(getValue(n.client, cold))).ok ? true : undefined),
        15_000,
        `node ${n.index} to serve again`,
      );
      assert.equal((await httpStatus(n, "/ready")).status, 200);
      const put = await putValue(n.client, warm, `after-outage-${n.index}`);
      assert.equal((await getValue(n.client, warm)).VersionId, put.VersionId);
    }
    t.diagnostic(`every node served again within ${Date.now() - backAt} ms of the database coming back`);
  });
});
