import { timingSafeEqual } from "node:crypto";
import type { Envelope } from "../crypto/envelope.js";
import {
  type AccessKey,
  type AccessKeyKeeper,
  hashSessionToken,
} from "../domain/identity/access-key-material.js";
import type { EphemeralKeys } from "../domain/identity/rotation-credentials.js";
import type { AccessKeyRecord, IdentityStore, RoleSessionRecord } from "../domain/ports/identity-store.js";

/** What SigV4 and the session-token check need about one access key. */
export interface ActiveKey {
  secret: string;
  principal: string;
  expiresAt: number | undefined;
  sessionTokenHash: string | undefined;
  /** A role session's context (its role, session tags, how it was obtained); undefined for a user's key. */
  session?: RoleSessionRecord | undefined;
}

/** How long a looked-up key is trusted before storage is asked again (covers other server nodes). */
const recheckAfterMs = 1_000;
/** Last-used time and address are written at most this often per key, to keep writes off the hot path. */
const recordUseEveryMs = 60_000;

export function sessionTokenMatches(token: string | undefined, expectedHash: string): boolean {
  if (token === undefined) return false;
  return timingSafeEqual(Buffer.from(hashSessionToken(token), "hex"), Buffer.from(expectedHash, "hex"));
}

/** Access key secrets are sealed under the master key, bound to their key id. */
export const accessKeyContext = (accessKeyId: string) => `access-key\n${accessKeyId}`;

interface CachedKey {
  key: ActiveKey | undefined;
  checkedAt: number;
  sealed: Buffer | undefined;
}

/**
 * Looks up access keys for SigV4. Decrypted secrets stay in memory; the stored record is re-read
 * at most every second, so a key disabled or deleted anywhere stops working within a second, and
 * at once on this node (`forget`).
 */
export class AccessKeyRegistry implements AccessKeyKeeper {
  private readonly cache = new Map<string, CachedKey>();
  private readonly useRecordedAt = new Map<string, number>();

  constructor(
    private readonly store: IdentityStore,
    private readonly envelope: Envelope,
    private readonly now: () => number = Date.now,
    /** Keys held only in memory (rotation credentials), asked before storage and never cached. */
    private readonly ephemeral?: EphemeralKeys | undefined,
  ) {}

  /**
   * The key as last looked up, while that is recent enough to trust; `"unknown"` when storage must
   * be asked (then call {@link lookup}). Lets the hot path authenticate without an await.
   */
  recent(accessKeyId: string): ActiveKey | undefined | "unknown" {
    const ephemeral = this.ephemeral?.findKey(accessKeyId);
    if (ephemeral) return ephemeral;
    const cached = this.cache.get(accessKeyId);
    return cached && this.now() - cached.checkedAt < recheckAfterMs ? cached.key : "unknown";
  }

  async lookup(accessKeyId: string): Promise<ActiveKey | undefined> {
    const ephemeral = this.ephemeral?.findKey(accessKeyId);
    if (ephemeral) return ephemeral;
    const now = this.now();
    const cached = this.cache.get(accessKeyId);
    if (cached && now - cached.checkedAt < recheckAfterMs) return cached.key;
    const record = await this.store.getAccessKey(accessKeyId);
    const key = record?.status === "active" ? this.activeKeyOf(record, cached) : undefined;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(accessKeyId, { key, checkedAt: now, sealed: record?.sealedSecret.ciphertext });
    return key;
  }

  private activeKeyOf(record: AccessKeyRecord, cached: CachedKey | undefined): ActiveKey {
    const sameSecret = cached?.key && cached.sealed?.equals(record.sealedSecret.ciphertext);
    return {
      secret: sameSecret
        ? (cached.key as ActiveKey).secret
        : this.envelope.open(record.sealedSecret, accessKeyContext(record.accessKeyId)).toString("utf8"),
      principal: record.principal,
      expiresAt: record.expiresAt,
      sessionTokenHash: record.sessionTokenHash,
      session: record.session,
    };
  }

  /** Called after a key changes on this node, so the change applies to the very next request. */
  forget(accessKeyId: string): void {
    this.cache.delete(accessKeyId);
  }

  /** Called when another node changed keys (which, the notice does not say): every key is asked again. */
  forgetAll(): void {
    this.cache.clear();
  }

  async save(
    key: AccessKey,
    extra: Partial<Pick<AccessKeyRecord, "expiresAt" | "sessionTokenHash" | "session">> = {},
  ) {
    const sealed = this.envelope.seal(
      Buffer.from(key.secretAccessKey, "utf8"),
      accessKeyContext(key.accessKeyId),
    );
    await this.store.putAccessKey({
      accessKeyId: key.accessKeyId,
      principal: key.principal,
      sealedSecret: { kind: "string", ...sealed },
      status: "active",
      createdAt: this.now(),
      expiresAt: extra.expiresAt,
      sessionTokenHash: extra.sessionTokenHash,
      session: extra.session,
    });
    this.forget(key.accessKeyId);
  }

  /** Records last use at most once a minute per key; never fails a request. */
  recordUse(accessKeyId: string, sourceIp: string): void {
    if (this.ephemeral?.findKey(accessKeyId)) return; // not in storage: nothing to record there
    const now = this.now();
    if (now - (this.useRecordedAt.get(accessKeyId) ?? 0) < recordUseEveryMs) return;
    if (this.useRecordedAt.size > 10_000) this.useRecordedAt.clear();
    this.useRecordedAt.set(accessKeyId, now);
    this.store.recordAccessKeyUse(accessKeyId, now, sourceIp).catch(() => undefined);
  }
}
