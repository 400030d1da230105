import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createSecretsForTest } from "./client.js";
import { parseConfig } from "./config.js";
import { BackendUnavailableError, CofferClientError } from "./errors.js";
import { decrypt, encrypt, FileCache, fileCacheKey } from "./file-cache.js";
import { canary, renderError } from "./testing/canary.js";
import { FakeBackend } from "./testing/fake-backend.js";
import type { ErrorContext } from "./types.js";

describe("encrypted file cache", () => {
  const dir = mkdtempSync(join(tmpdir(), "coffer-filecache-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const key = randomBytes(32);

  it("round-trips records through an AES-256-GCM file with mode 0600, atomically written", async () => {
    const path = join(dir, "a", "cache.bin");
    const value = canary();
    const cache = new FileCache({ path, key, maxAgeMs: 60_000 });
    const now = Date.now();
    cache.remember(
      "k1",
      {
        id: "db",
        source: "coffer",
        name: "db",
        arn: "arn:x",
        versionId: "v1",
        versionStages: ["AWSCURRENT"],
        createdDate: new Date(5),
        string: value,
      },
      now,
    );
    cache.remember("k2", { id: "bin", source: "aws", binary: new Uint8Array([1, 2, 3]) }, now);
    cache.remember("k3", { id: "env", source: "env", string: "local" }, now);
    await cache.flush();
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(join(dir, "a")), ["cache.bin"], "no temporary file left behind");
    const bytes = readFileSync(path);
    assert.ok(!bytes.includes(Buffer.from(value)), "the value is not in the file in clear");
    assert.ok(!bytes.includes(key) && !bytes.includes(Buffer.from(key.toString("base64"))), "nor is the key");

    const reopened = new FileCache({ path, key: key.toString("base64"), maxAgeMs: 60_000 });
    const found = await reopened.lookup("k1", now + 10);
    assert.equal(found?.record.string, value);
    assert.equal(found?.record.createdDate?.getTime(), 5);
    assert.deepEqual(found?.record.versionStages, ["AWSCURRENT"]);
    assert.equal(found?.usableUntil, now + 60_000);
    assert.deepEqual((await reopened.lookup("k2", now))?.record.binary, new Uint8Array([1, 2, 3]));
    assert.equal(await reopened.lookup("k3", now), undefined, "local sources are not kept");
    assert.equal(await reopened.lookup("k1", now + 60_000), undefined, "older than maxAgeMs");
    reopened.forget("k1");
    await reopened.flush();
    assert.equal(
      await new FileCache({ path, key, maxAgeMs: 60_000 }).lookup("k1", now),
      undefined,
      "forgotten",
    );
    assert.ok(await new FileCache({ path, key, maxAgeMs: 60_000 }).lookup("k2", now));
  });

  it("ignores, and reports, a file that does not decrypt (wrong key, tampering)", async () => {
    const path = join(dir, "b.bin");
    const cache = new FileCache({ path, key, maxAgeMs: 60_000 });
    cache.remember("k", { id: "x", source: "coffer", string: "v" }, Date.now());
    await cache.flush();
    const reports: Error[] = [];
    const wrongKey = randomBytes(32);
    assert.equal(
      await new FileCache({ path, key: wrongKey, maxAgeMs: 60_000 }, (e) => reports.push(e)).lookup(
        "k",
        Date.now(),
      ),
      undefined,
    );
    const bytes = readFileSync(path);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
    writeFileSync(path, bytes);
    assert.equal(
      await new FileCache({ path, key, maxAgeMs: 60_000 }, (e) => reports.push(e)).lookup("k", Date.now()),
      undefined,
    );
    assert.equal(reports.length, 2);
    for (const report of reports) {
      assert.match(report.message, /does not decrypt/);
      assert.ok(!renderError(report).includes(wrongKey.toString("base64")));
    }
  });

  it("checks the key without ever printing it", () => {
    const short = randomBytes(16).toString("base64");
    const error = (() => {
      try {
        fileCacheKey(short);
      } catch (e) {
        return e;
      }
    })();
    assert.ok(error instanceof CofferClientError);
    assert.ok(!renderError(error).includes(short));
    assert.equal(fileCacheKey(new Uint8Array(32)).length, 32);
  });

  it("encrypts with a fresh IV each time and authenticates the header", () => {
    const a = encrypt(key, Buffer.from("same"));
    const b = encrypt(key, Buffer.from("same"));
    assert.notDeepEqual(a, b);
    assert.equal(decrypt(key, a).toString(), "same");
    const badHeader = Buffer.from(a);
    badHeader[0] = 0;
    assert.throws(() => decrypt(key, badHeader));
  });

  it("serves the last good value at start while the backend is unreachable, within maxAgeMs only", async () => {
    const path = join(dir, "client.bin");
    const value = canary();
    const options = {
      fileCache: { path, key, maxAgeMs: 60_000 },
      changeFeed: false,
      config: parseConfig({}),
    };
    const up = new FakeBackend("coffer", { "prod/db": JSON.stringify({ password: value }) });
    const first = createSecretsForTest({ ...options, sources: [up] });
    assert.equal(await first.get("prod/db#password"), value);
    await first.close();

    // A new process, the backend down: the file answers, and says so through onError.
    const down = new FakeBackend("coffer");
    down.down = true;
    const errors: Array<[Error, ErrorContext]> = [];
    const second = createSecretsForTest({
      ...options,
      sources: [down],
      onError: (e, c) => errors.push([e, c]),
    });
    assert.equal(await second.get("prod/db#password"), value);
    assert.deepEqual(errors[0]?.[1], { id: "prod/db", source: "coffer", servedStale: true });
    await assert.rejects(second.get("other"), BackendUnavailableError);
    await second.close();

    // Reachable: the backend wins over the file.
    const changed = new FakeBackend("coffer", { "prod/db": '{"password":"new"}' });
    const third = createSecretsForTest({ ...options, sources: [changed] });
    assert.equal(await third.get("prod/db#password"), "new");
    await third.close();

    // Too old: fail.
    const late = createSecretsForTest({ ...options, sources: [down], now: () => Date.now() + 120_000 });
    await assert.rejects(late.get("prod/db#password"), BackendUnavailableError);
    await late.close();
  });
});
