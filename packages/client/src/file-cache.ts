import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import type { LastKnownGood, RememberedRecord } from "./cache/secret-cache.js";
import { CofferClientError } from "./errors.js";
import type { SecretRecord } from "./types.js";

const MAGIC = Buffer.from("COFFERC1", "ascii");
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAX_ENTRIES = 1_000;
/** Only values fetched over the network are worth keeping: env, files and dotenv are local anyway. */
const REMOTE_SOURCES = new Set(["coffer", "aws", "agent"]);

export interface FileCacheOptions {
  path: string;
  /** 32 bytes, or base64 of 32 bytes. Never written anywhere by this module. */
  key: Uint8Array | string;
  maxAgeMs: number;
}

interface StoredRecord {
  fetchedAt: number;
  id: string;
  source: string;
  name?: string;
  arn?: string;
  versionId?: string;
  versionStages?: string[];
  createdDate?: number;
  string?: string;
  binary?: string;
}

/**
 * The optional encrypted last-known-good cache on disk: every value fetched from a remote source
 * is kept in one file, AES-256-GCM under a key the application supplies (file layout: "COFFERC1",
 * 12-byte IV, 16-byte tag, ciphertext of a JSON document; the magic is the AAD). Written with mode
 * 0600 to a temporary file, fsynced, then renamed over the old one. Read only when a source is
 * unreachable and the memory cache has nothing, and only entries younger than `maxAgeMs`.
 * A file that does not decrypt (wrong key, tampering) is ignored and reported, never trusted.
 */
export class FileCache implements LastKnownGood {
  readonly path: string;
  readonly maxAgeMs: number;
  readonly #key: Buffer;
  readonly #onError: (error: Error) => void;
  #entries: Promise<Map<string, StoredRecord>> | undefined;
  #writing: Promise<void> | undefined;
  #dirty = false;
  #remembering: Promise<void> = Promise.resolve();

  constructor(options: FileCacheOptions, onError: (error: Error) => void = () => {}) {
    this.path = options.path;
    this.#key = fileCacheKey(options.key);
    if (typeof options.maxAgeMs !== "number" || !(options.maxAgeMs >= 0)) {
      throw new CofferClientError("fileCache.maxAgeMs must be a non-negative number of milliseconds.");
    }
    this.maxAgeMs = options.maxAgeMs;
    this.#onError = onError;
  }

  async lookup(key: string, now: number): Promise<(RememberedRecord & { usableUntil: number }) | undefined> {
    const stored = (await this.#load()).get(key);
    if (stored === undefined) return undefined;
    const usableUntil = stored.fetchedAt + this.maxAgeMs;
    if (now >= usableUntil) return undefined;
    return { record: toRecord(stored), fetchedAt: stored.fetchedAt, usableUntil };
  }

  remember(key: string, record: SecretRecord, fetchedAt: number): void {
    if (!REMOTE_SOURCES.has(record.source)) return;
    const stored = toStored(record, fetchedAt);
    this.#remembering = this.#remembering
      .then(() => this.#load())
      .then((entries) => {
        entries.delete(key);
        entries.set(key, stored);
        this.#scheduleWrite();
      });
  }

  forget(key: string): void {
    this.#remembering = this.#remembering
      .then(() => this.#load())
      .then((entries) => {
        if (entries.delete(key)) this.#scheduleWrite();
      });
  }

  /** Resolves when everything remembered so far is on disk. */
  async flush(): Promise<void> {
    await this.#remembering;
    while (this.#writing !== undefined) await this.#writing;
  }

  #load(): Promise<Map<string, StoredRecord>> {
    this.#entries ??= this.#read();
    return this.#entries;
  }

  async #read(): Promise<Map<string, StoredRecord>> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.path);
    } catch (error) {
      if ((error as { code?: unknown }).code !== "ENOENT") {
        this.#onError(
          new CofferClientError(`fileCache: cannot read ${this.path}; starting empty.`, { cause: error }),
        );
      }
      return new Map();
    }
    try {
      const document = JSON.parse(decrypt(this.#key, bytes).toString("utf8")) as {
        entries?: Record<string, StoredRecord>;
      };
      return new Map(Object.entries(document.entries ?? {}));
    } catch {
      this.#onError(
        new CofferClientError(
          `fileCache: ${this.path} does not decrypt with the configured key (wrong key or tampered); ignored.`,
        ),
      );
      return new Map();
    }
  }

  #scheduleWrite(): void {
    this.#dirty = true;
    if (this.#writing !== undefined) return;
    this.#writing = (async () => {
      try {
        while (this.#dirty) {
          this.#dirty = false;
          await this.#write(await this.#load());
        }
      } catch (error) {
        this.#onError(new CofferClientError(`fileCache: cannot write ${this.path}.`, { cause: error }));
      } finally {
        this.#writing = undefined;
      }
    })();
  }

  async #write(entries: Map<string, StoredRecord>): Promise<void> {
    const cutoff = Date.now() - this.maxAgeMs;
    for (const [key, stored] of entries) if (stored.fetchedAt < cutoff) entries.delete(key);
    while (entries.size > MAX_ENTRIES) {
      const oldest = entries.keys().next();
      if (oldest.done === true) break;
      entries.delete(oldest.value);
    }
    const sealed = encrypt(
      this.#key,
      Buffer.from(JSON.stringify({ v: 1, entries: Object.fromEntries(entries) }), "utf8"),
    );
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
    const handle = await open(temporary, "wx", 0o600);
    try {
      await handle.writeFile(sealed);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await handle.close();
    await rename(temporary, this.path);
  }
}

/** The AES-256 key from the option: 32 bytes, or base64 of 32 bytes. Errors never show the key. */
export function fileCacheKey(key: Uint8Array | string): Buffer {
  const bytes = typeof key === "string" ? Buffer.from(key, "base64") : Buffer.from(key);
  if (bytes.length !== 32) {
    throw new CofferClientError("fileCache.key must be 32 bytes, or those 32 bytes in base64.");
  }
  return bytes;
}

export function encrypt(key: Buffer, plaintext: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(MAGIC);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([MAGIC, iv, cipher.getAuthTag(), ciphertext]);
}

export function decrypt(key: Buffer, sealed: Buffer): Buffer {
  if (
    sealed.length < MAGIC.length + IV_BYTES + TAG_BYTES ||
    !sealed.subarray(0, MAGIC.length).equals(MAGIC)
  ) {
    throw new CofferClientError("not a Coffer file cache");
  }
  const iv = sealed.subarray(MAGIC.length, MAGIC.length + IV_BYTES);
  const tag = sealed.subarray(MAGIC.length + IV_BYTES, MAGIC.length + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(MAGIC);
  decipher.setAuthTag(tag);
  return Buffer.concat([
    decipher.update(sealed.subarray(MAGIC.length + IV_BYTES + TAG_BYTES)),
    decipher.final(),
  ]);
}

function toStored(record: SecretRecord, fetchedAt: number): StoredRecord {
  const stored: StoredRecord = { fetchedAt, id: record.id, source: record.source };
  if (record.name !== undefined) stored.name = record.name;
  if (record.arn !== undefined) stored.arn = record.arn;
  if (record.versionId !== undefined) stored.versionId = record.versionId;
  if (record.versionStages !== undefined) stored.versionStages = [...record.versionStages];
  if (record.createdDate !== undefined) stored.createdDate = record.createdDate.getTime();
  if (record.string !== undefined) stored.string = record.string;
  if (record.binary !== undefined) stored.binary = Buffer.from(record.binary).toString("base64");
  return stored;
}

function toRecord(stored: StoredRecord): SecretRecord {
  const record: SecretRecord = { id: stored.id, source: stored.source };
  if (stored.name !== undefined) record.name = stored.name;
  if (stored.arn !== undefined) record.arn = stored.arn;
  if (stored.versionId !== undefined) record.versionId = stored.versionId;
  if (stored.versionStages !== undefined) record.versionStages = stored.versionStages;
  if (stored.createdDate !== undefined) record.createdDate = new Date(stored.createdDate);
  if (stored.string !== undefined) record.string = stored.string;
  if (stored.binary !== undefined) record.binary = new Uint8Array(Buffer.from(stored.binary, "base64"));
  return record;
}
