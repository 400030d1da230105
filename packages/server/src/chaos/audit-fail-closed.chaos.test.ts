/**
 * Audit fail-closed under real faults: the journal made immutable (`chattr +i`) and the data
 * folder's disk filled (a small tmpfs). While the trail cannot be written: no value is served, no
 * change is made, every refusal is a retryable 503, the change feed is refused, and /ready says so
 * (/health, the process, stays 200). When the fault is removed the server recovers without a restart, its trail
 * verifies, records the outage, and every version that exists has its audit event.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { openAuditTrail } from "../app/audit-trail.js";
import type { AuditEvent } from "../audit/event.js";
import { auditJournalFileName } from "../storage/file/journaled-audit-store.js";
import { type ServerProcess, startServerProcess, testAdmin, testRegion } from "../testing/server-process.js";
import { chaosCount, reportFigure, rootlessSkipReason } from "./chaos-scale.js";

const skip = rootlessSkipReason();
const canary = "CANARY-audit-fail-closed-7f3a";
const requestsPerOutage = chaosCount({ short: 20, full: 140 });
const outages = chaosCount({ short: 1, full: 5 });

interface Tally {
  refused: number;
  otherStatus: Record<string, number>;
  valuesServed: number;
}

function sdk(server: ServerProcess) {
  return new SecretsManagerClient({
    endpoint: server.url,
    region: testRegion,
    credentials: testAdmin,
    maxAttempts: 1,
  });
}

async function health(server: ServerProcess, path = "/ready") {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Waits for /ready to answer `status` (the server notices recovery by itself, within ~1 s). */
async function healthBecomes(server: ServerProcess, status: number) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if ((await health(server)).status === status) return;
    if (Date.now() > deadline) throw new Error(`/ready never answered ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function changeFeedStatus(server: ServerProcess): Promise<number> {
  const { response, controller } = await openChangeFeed(server);
  controller.abort();
  return response.status;
}

async function openChangeFeed(server: ServerProcess) {
  const url = new URL(`${server.url}/changes`);
  const signer = new SignatureV4({
    service: "secretsmanager",
    region: testRegion,
    credentials: testAdmin,
    sha256: Hash.bind(null, "sha256"),
  });
  const signed = await signer.sign({
    method: "GET",
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: "/changes",
    headers: { host: url.host },
  });
  const controller = new AbortController();
  const response = await fetch(url, { headers: signed.headers, signal: controller.signal });
  return { response, controller };
}

/** Resolves when the stream ends (the server closed it); frames before that are read and dropped. */
async function streamEnds(response: Response): Promise<void> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done } = await reader.read();
    if (done) return;
  }
}

/** Reads and writes while the trail is failing; every answer must be a 503 carrying no value. */
async function hammer(server: ServerProcess, client: SecretsManagerClient, secret: string, tally: Tally) {
  for (let i = 0; i < requestsPerOutage; i++) {
    const write = i % 2 === 1;
    try {
      const answer = write
        ? await client.send(
            new PutSecretValueCommand({ SecretId: secret, SecretString: `${canary}-refused-${i}` }),
          )
        : await client.send(new GetSecretValueCommand({ SecretId: secret }));
      tally.otherStatus["200"] = (tally.otherStatus["200"] ?? 0) + 1;
      if (JSON.stringify(answer).includes(canary)) tally.valuesServed++;
    } catch (error) {
      const failure = error as Error & { $metadata?: { httpStatusCode?: number } };
      if (failure.name === "ServiceUnavailableException" && failure.$metadata?.httpStatusCode === 503) {
        tally.refused++;
      } else {
        const key = `${failure.$metadata?.httpStatusCode} ${failure.name}`;
        tally.otherStatus[key] = (tally.otherStatus[key] ?? 0) + 1;
      }
      if (failure.message.includes(canary)) tally.valuesServed++;
    }
  }
  const during = await health(server);
  assert.equal(during.status, 503);
  assert.equal((during.body.auditTrail as { status?: string } | undefined)?.status, "failing");
  // The process itself is alive: liveness stays 200 while readiness takes the node out of rotation.
  assert.equal((await health(server, "/health")).status, 200);
  assert.equal(await changeFeedStatus(server), 503);
  assert.ok(!server.output().includes(canary), "no value in the server's output");
}

/** After recovery: the trail verifies, records each outage, and every version has its events. */
async function checkTrail(home: string, expectedOutages: number) {
  const log = await openAuditTrail({ COFFER_HOME: home });
  try {
    const verified = await log.verify();
    assert.equal(verified.ok, true, JSON.stringify(verified));
    const events: AuditEvent[] = [];
    let after: number | undefined;
    do {
      const page = await log.query({ limit: 1000, order: "asc", ...(after ? { after } : {}) });
      events.push(...page.events.map((stored) => stored.event));
      after = page.nextAfter;
    } while (after !== undefined);
    const outageEvents = events.filter((event) => event.eventName === "AuditTrailOutage");
    assert.equal(outageEvents.length, expectedOutages);
    assert.ok(JSON.stringify(events).indexOf(canary) < 0, "no value in the trail");
    return { events, outageEvents };
  } finally {
    await log.close();
  }
}

async function versionsOf(client: SecretsManagerClient, secret: string): Promise<string[]> {
  const listed = await client.send(
    new ListSecretVersionIdsCommand({ SecretId: secret, IncludeDeprecated: true }),
  );
  return (listed.Versions ?? []).map((version) => version.VersionId as string);
}

function assertEveryVersionAudited(events: AuditEvent[], versions: string[]) {
  for (const version of versions) {
    const named = events.filter(
      (event) =>
        (event.eventName === "CreateSecret" || event.eventName === "PutSecretValue") &&
        event.requestParameters?.clientRequestToken === version,
    );
    assert.ok(named.length > 0, `version ${version} has its audit event`);
  }
}

describe("the audit trail fails closed and recovers by itself", { skip }, () => {
  const cleanups: Array<() => void | Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  test("an immutable journal (chattr +i): 503s, nothing served or changed, recovery without restart", async () => {
    const server = await startServerProcess();
    cleanups.push(() => server.cleanup());
    const journal = join(server.home, auditJournalFileName);
    cleanups.push(() => {
      execFileSync("chattr", ["-i", journal]);
    });
    const client = sdk(server);
    cleanups.push(async () => {
      client.destroy();
      await server.stop();
    });
    const secret = "chaos/immutable";
    await client.send(new CreateSecretCommand({ Name: secret, SecretString: `${canary}-v1` }));
    const tally: Tally = { refused: 0, otherStatus: {}, valuesServed: 0 };
    const started = performance.now();
    for (let outage = 0; outage < outages; outage++) {
      // A stream opened before the outage is cut off when the trail fails.
      const feed = await openChangeFeed(server);
      assert.equal(feed.response.status, 200);
      const ended = streamEnds(feed.response);
      execFileSync("chattr", ["+i", journal]);
      await hammer(server, client, secret, tally);
      await ended;
      execFileSync("chattr", ["-i", journal]);
      await healthBecomes(server, 200);
      // Served again, and the refused writes never happened.
      const read = await client.send(new GetSecretValueCommand({ SecretId: secret }));
      assert.equal(read.SecretString, `${canary}-v1`);
    }
    const recoveryMs = performance.now() - started;
    assert.deepEqual(tally.otherStatus, {});
    assert.equal(tally.valuesServed, 0);
    assert.equal(tally.refused, requestsPerOutage * outages);
    const versions = await versionsOf(client, secret);
    assert.equal(versions.length, 1, "no refused write was committed");
    const { events, outageEvents } = await checkTrail(server.home, outages);
    assertEveryVersionAudited(events, versions);
    assert.ok(outageEvents.every((event) => event.additionalEventData?.reason === "EPERM"));
    reportFigure("audit-immutable", {
      outages,
      refusedRequests: tally.refused,
      valuesServed: tally.valuesServed,
      refusedWritesCommitted: versions.length - 1,
      restarts: 0,
      ms: Math.round(recoveryMs),
    });
  });

  test("a full disk (small tmpfs): 503s, nothing served or changed, recovery once space returns", async () => {
    const mount = mkdtempSync(join(tmpdir(), "coffer-full-disk-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", mount]);
    cleanups.push(() => {
      execFileSync("umount", ["-l", mount]);
      rmSync(mount, { recursive: true, force: true });
    });
    const home = join(mount, "data");
    mkdirSync(home, { mode: 0o700 });
    const server = await startServerProcess({ home });
    const client = sdk(server);
    cleanups.push(async () => {
      client.destroy();
      await server.stop();
    });
    const secret = "chaos/full-disk";
    const first = await client.send(new CreateSecretCommand({ Name: secret, SecretString: `${canary}-v1` }));
    const tally: Tally = { refused: 0, otherStatus: {}, valuesServed: 0 };
    const filler = join(mount, "filler");
    const servedOnFullDisk: string[] = [];
    for (let outage = 0; outage < outages; outage++) {
      fillDisk(filler);
      await useUpSlack(client, secret, servedOnFullDisk);
      await hammer(server, client, secret, tally);
      rmSync(filler, { force: true });
      await healthBecomes(server, 200);
      const read = await client.send(new GetSecretValueCommand({ SecretId: secret }));
      assert.equal(read.SecretString, `${canary}-v1`);
      // Writes work again too.
      await client.send(
        new PutSecretValueCommand({ SecretId: secret, SecretString: `${canary}-after-${outage}` }),
      );
      await client.send(new PutSecretValueCommand({ SecretId: secret, SecretString: `${canary}-v1` }));
    }
    assert.deepEqual(
      tally.otherStatus,
      {},
      server
        .output()
        .split("\n")
        .filter((l) => /error|fault/i.test(l))
        .join("\n"),
    );
    assert.equal(tally.valuesServed, 0);
    assert.equal(tally.refused, requestsPerOutage * outages);
    const versions = await versionsOf(client, secret);
    assert.equal(versions.length, 1 + 2 * outages, "only the writes made after recovery exist");
    assert.ok(versions.includes(first.VersionId as string));
    const { events, outageEvents } = await checkTrail(home, outages);
    assertEveryVersionAudited(events, versions);
    const audited = new Set(events.map((event) => event.requestID));
    for (const requestId of servedOnFullDisk)
      assert.ok(audited.has(requestId), `${requestId} served unaudited`);
    assert.ok(outageEvents.every((event) => event.additionalEventData?.reason === "ENOSPC"));
    reportFigure("audit-full-disk", {
      outages,
      refusedRequests: tally.refused,
      valuesServed: tally.valuesServed,
      refusedWritesCommitted: versions.length - 1 - 2 * outages,
      servedFromBlockSlackAndAudited: servedOnFullDisk.length,
      restarts: 0,
    });
  });
});

/**
 * A "full" disk may still take a few audit lines: the journal's last block has room the file system
 * already gave it. Reads are served, each with its event written, until that slack is used up and
 * the trail fails; from then on `hammer` expects every request refused. Each read served here is
 * checked later to have its event in the trail: no answer without its event, full disk or not.
 */
async function useUpSlack(client: SecretsManagerClient, secret: string, served: string[]) {
  for (let i = 0; i < 200; i++) {
    try {
      const read = await client.send(new GetSecretValueCommand({ SecretId: secret }));
      served.push(read.$metadata.requestId as string);
    } catch (error) {
      if ((error as Error).name === "ServiceUnavailableException") return;
      throw error;
    }
  }
  assert.fail("the audit trail kept taking events on a full disk");
}

/** Writes `path` until the file system has no space left. */
function fillDisk(path: string) {
  const block = Buffer.alloc(256 * 1024);
  try {
    for (let i = 0; ; i++) writeFileSync(path, block, { flag: i === 0 ? "w" : "a" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  }
  // The last, partial block: fill the remainder byte-exactly.
  try {
    for (;;) writeFileSync(path, Buffer.alloc(512), { flag: "a" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  }
}
