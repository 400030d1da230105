import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AccessKeyRegistry } from "../../auth/access-keys.js";
import type { Envelope } from "../../crypto/envelope.js";
import type { IdentityStore } from "../ports/identity-store.js";
import { hashSessionToken } from "./access-key-material.js";
import {
  type RotationCredentialAuditRecord,
  RotationCredentialVault,
  rotationPolicy,
} from "./rotation-credentials.js";

const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf";

function vault(options: { failAudit?: boolean; now?: () => number; maxLive?: number } = {}) {
  const records: RotationCredentialAuditRecord[] = [];
  const forgotten: string[] = [];
  const v = new RotationCredentialVault({
    accountId: "123456789012",
    now: options.now ?? Date.now,
    audit: async (record) => {
      if (options.failAudit) throw new Error("audit trail down");
      records.push(record);
    },
    principalChanged: (arn) => forgotten.push(arn),
    maxLive: options.maxLive,
  });
  return { v, records, forgotten };
}

describe("RotationCredentialVault", () => {
  test("issues a session key for one secret, expiring after ttlMs, recorded before it is usable", async () => {
    let now = 1_000_000;
    const { v, records } = vault({ now: () => now });
    const credentials = await v.issue({ secretArn, region: "us-east-1", ttlMs: 60_000 });
    assert.equal(credentials.expiresAt.getTime(), 1_060_000);
    const key = v.findKey(credentials.accessKeyId);
    assert.equal(key?.secret, credentials.secretAccessKey);
    assert.equal(key?.sessionTokenHash, hashSessionToken(credentials.sessionToken as string));
    assert.equal(key?.expiresAt, 1_060_000);
    assert.deepEqual(v.policiesOf(key?.principal as string), [
      { policyName: "rotation", document: rotationPolicy(secretArn) },
    ]);
    assert.deepEqual(
      records.map((r) => [r.action, r.accessKeyId, r.secretArn]),
      [["issue", credentials.accessKeyId, secretArn]],
    );
    assert.ok(!JSON.stringify(records).includes(credentials.secretAccessKey));
    now += 10;
    assert.ok(v.findKey(credentials.accessKeyId), "still held (authentication judges the expiry)");
  });

  test("fails closed: when the audit event cannot be written, nothing is issued", async () => {
    const { v } = vault({ failAudit: true });
    await assert.rejects(v.issue({ secretArn, region: "us-east-1", ttlMs: 60_000 }), /audit trail down/);
    assert.equal(v.size, 0);
  });

  test("revoke ends the key and the principal at once, drops cached authorization, and is audited once", async () => {
    const { v, records, forgotten } = vault();
    const credentials = await v.issue({ secretArn, region: "us-east-1", ttlMs: 60_000 });
    const principal = v.findKey(credentials.accessKeyId)?.principal as string;
    await v.revoke(credentials);
    await v.revoke(credentials);
    assert.equal(v.findKey(credentials.accessKeyId), undefined);
    assert.equal(v.policiesOf(principal), undefined);
    assert.deepEqual(forgotten, [principal]);
    assert.deepEqual(
      records.map((r) => r.action),
      ["issue", "revoke"],
    );
  });

  test("expired sessions are swept a minute after expiry", async () => {
    let now = 0;
    const { v } = vault({ now: () => now });
    const old = await v.issue({ secretArn, region: "us-east-1", ttlMs: 1_000 });
    now = 1_000 + 60_001;
    await v.issue({ secretArn, region: "us-east-1", ttlMs: 1_000 });
    assert.equal(v.findKey(old.accessKeyId), undefined);
    assert.equal(v.size, 1);
  });

  test("refuses bad lifetimes, wildcard resources, and more live sessions than the bound", async () => {
    const { v } = vault({ maxLive: 1 });
    await assert.rejects(v.issue({ secretArn, region: "us-east-1", ttlMs: 0 }), RangeError);
    await assert.rejects(v.issue({ secretArn, region: "us-east-1", ttlMs: 13 * 3_600_000 }), RangeError);
    await assert.rejects(
      v.issue({ secretArn: "arn:aws:secretsmanager:*", region: "us-east-1", ttlMs: 1_000 }),
      RangeError,
    );
    await v.issue({ secretArn, region: "us-east-1", ttlMs: 1_000 });
    await assert.rejects(v.issue({ secretArn, region: "us-east-1", ttlMs: 1_000 }), /too many/);
  });

  test("the access key registry answers rotation keys from memory, before storage, without an await", async () => {
    let now = 5_000;
    const { v } = vault({ now: () => now });
    const credentials = await v.issue({ secretArn, region: "us-east-1", ttlMs: 2_000 });
    const storage = new Proxy({} as IdentityStore, {
      get: (_target, name) => () => assert.fail(`storage asked: ${String(name)}`),
    });
    const registry = new AccessKeyRegistry(storage, {} as Envelope, () => now, v);
    const recent = registry.recent(credentials.accessKeyId);
    assert.ok(recent !== "unknown" && recent !== undefined);
    assert.equal(recent.expiresAt, 7_000);
    assert.equal((await registry.lookup(credentials.accessKeyId))?.secret, credentials.secretAccessKey);
    registry.recordUse(credentials.accessKeyId, "127.0.0.1");
    now = 9_000;
    await v.revoke(credentials);
    assert.equal(
      registry.recent(credentials.accessKeyId),
      "unknown",
      "after revoke, storage would be asked (and has no such key)",
    );
  });
});
