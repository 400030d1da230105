import { randomBytes, randomInt } from "node:crypto";
import type { Envelope } from "../crypto/envelope.js";
import type { AccessKeyRecord, SettingsStore } from "../storage/port.js";

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  principal: string;
}

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const negativeCacheMs = 5_000;

export function generateAccessKey(principal: string): AccessKey {
  let id = "AKIA";
  for (let i = 0; i < 16; i++) id += idAlphabet[randomInt(idAlphabet.length)];
  const secretAccessKey = randomBytes(30).toString("base64").replace(/\+/g, "A").replace(/\//g, "z");
  return { accessKeyId: id, secretAccessKey, principal };
}

/** Access key secrets are sealed under the master key, bound to their key id. */
export const accessKeyContext = (accessKeyId: string) => `access-key\n${accessKeyId}`;

/**
 * Looks up access keys for SigV4, keeping decrypted secrets in memory so the hot path does no I/O.
 * Unknown ids are remembered briefly so a client with a wrong key cannot make every request hit storage.
 */
export class AccessKeyRegistry {
  private readonly known = new Map<string, { secret: string; principal: string }>();
  private readonly unknownUntil = new Map<string, number>();

  constructor(
    private readonly store: SettingsStore,
    private readonly envelope: Envelope,
    private readonly now: () => number = Date.now,
  ) {}

  async lookup(accessKeyId: string): Promise<{ secret: string; principal: string } | undefined> {
    const cached = this.known.get(accessKeyId);
    if (cached) return cached;
    if ((this.unknownUntil.get(accessKeyId) ?? 0) > this.now()) return undefined;
    const record = await this.store.getAccessKey(accessKeyId);
    if (record?.status !== "active") {
      if (this.unknownUntil.size > 10_000) this.unknownUntil.clear();
      this.unknownUntil.set(accessKeyId, this.now() + negativeCacheMs);
      return undefined;
    }
    const entry = {
      secret: this.envelope.open(record.sealedSecret, accessKeyContext(accessKeyId)).toString("utf8"),
      principal: record.principal,
    };
    this.known.set(accessKeyId, entry);
    return entry;
  }

  async save(key: AccessKey): Promise<void> {
    const sealed = this.envelope.seal(
      Buffer.from(key.secretAccessKey, "utf8"),
      accessKeyContext(key.accessKeyId),
    );
    const record: AccessKeyRecord = {
      accessKeyId: key.accessKeyId,
      principal: key.principal,
      sealedSecret: { kind: "string", ...sealed },
      status: "active",
      createdAt: this.now(),
    };
    await this.store.putAccessKey(record);
    this.known.delete(key.accessKeyId);
    this.unknownUntil.delete(key.accessKeyId);
  }
}
