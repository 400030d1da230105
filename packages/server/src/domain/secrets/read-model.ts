import { inspect } from "node:util";
import { parseSecretId } from "./arn.js";
import type { SecretInvalidation, SecretInvalidations } from "./invalidations.js";
import type { SecretRecord, StageMap } from "./records.js";
import type { SecretValue } from "./secret-value.js";

/**
 * The in-memory read model of the data plane (docs/adr/0008): what a GetSecretValue needs, held
 * so that a warm read does no store query and no decryption.
 *
 * - An entry holds a secret's record as its seal verified it (ARN, tags, resource policy, deletion
 *   state: what authorization and the deletion rules look at), its stage map, and the versions
 *   read so far, each as an immutable {@link ReadValue} (the opened value; the operations layer
 *   memoizes the wire answer per ReadValue). Nothing is verified here: the reader only hands over
 *   what it verified while loading from the store (ADR 0006).
 * - Entries are found by the SecretId exactly as a request gave it, per region; the first lookup
 *   of each spelling goes to the store, which decides what it names.
 * - Memory is bounded by entries and by (estimated) bytes; the least recently used entries go
 *   first (second-chance: a hit only sets a flag).
 * - Every invalidation drops what it names (or everything) at once, synchronously. A load that
 *   began before an invalidation of its secret is not kept: {@link begin} returns a generation,
 *   and {@link remember} refuses data read under an older generation that an invalidation since
 *   may concern.
 *
 * Callers still authorize every request against the cached record, and still apply the deletion
 * date against the clock: the model only saves the reads and the decryption.
 */

/** One value as GetSecretValue answers it. Frozen when it comes from the read model. */
export interface ReadValue {
  readonly arn: string;
  readonly name: string;
  readonly versionId: string;
  readonly stages: readonly string[];
  readonly createdAt: number;
  readonly value: SecretValue;
}

export interface ReadModelOptions {
  /** How many secrets to hold; 0 turns the model off. Default {@link defaultReadModelEntries}. */
  maxEntries?: number | undefined;
  /** An upper bound on the memory the held values take, estimated. Default {@link defaultReadModelBytes}. */
  maxBytes?: number | undefined;
}

export const defaultReadModelEntries = 10_000;
export const defaultReadModelBytes = 64 * 1024 * 1024;

/** What a reader needs from one cached version. */
export interface CachedVersion {
  readonly read: ReadValue;
  /** The day (epoch ms at 00:00 UTC) up to which the last-accessed dates are known to be recorded. */
  accessedDay: number;
}

export interface CachedSecret {
  readonly record: Readonly<SecretRecord>;
  /** Version by staging label, from the verified stage map. */
  readonly stageIndex: ReadonlyMap<string, string>;
  readonly versions: Map<string, CachedVersion>;
  /** Set on every hit; the eviction sweep gives a referenced entry a second chance. */
  referenced: boolean;
  /** False once dropped: a reader that awaited in between goes back to the store. */
  live: boolean;
  bytes: number;
  /** Where this entry is found: [region, secretId as given]. */
  readonly aliases: Array<[string, string]>;
}

/** Recent invalidations, to refuse a load that raced one. */
const historySize = 256;
/** Different spellings of one secret's id kept per entry; more are simply looked up in the store. */
const maxAliases = 8;
const entryOverheadBytes = 1024;
const versionOverheadBytes = 256;

export class SecretReadModel {
  readonly maxEntries: number;
  readonly maxBytes: number;
  private readonly byArn = new Map<string, CachedSecret>();
  /** region → secretId as given → entry. */
  private readonly aliases = new Map<string, Map<string, CachedSecret>>();
  /** `region\nresource` → ARN-form secretIds with that resource (they may resolve by name). */
  private readonly arnAliasesByResource = new Map<string, Set<string>>();
  private generation = 0;
  private readonly history: Array<SecretInvalidation | undefined> = new Array(historySize);
  private heldBytes = 0;
  /**
   * GetSecretValue reads answered from the model (hits) and from the store (misses), counted by
   * the reader; plain numbers, read by the metrics (docs/metrics.md).
   */
  readonly lookups = { hits: 0, misses: 0 };

  constructor(options: ReadModelOptions = {}) {
    this.maxEntries = options.maxEntries ?? defaultReadModelEntries;
    this.maxBytes = options.maxBytes ?? defaultReadModelBytes;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 0) {
      throw new RangeError(`maxEntries must be a non-negative integer, got ${this.maxEntries}`);
    }
    if (!Number.isInteger(this.maxBytes) || this.maxBytes < 0) {
      throw new RangeError(`maxBytes must be a non-negative integer, got ${this.maxBytes}`);
    }
  }

  /** Counts only: the model holds plaintext values, which must never reach a log line. */
  [inspect.custom](): string {
    return `SecretReadModel { entries: ${this.byArn.size}, bytes: ${this.heldBytes} }`;
  }

  toJSON(): { entries: number; bytes: number } {
    return { entries: this.byArn.size, bytes: this.heldBytes };
  }

  /** Follows a source of invalidations; returns the way to stop. */
  attach(invalidations: SecretInvalidations): () => void {
    return invalidations.subscribe((invalidation) => this.invalidate(invalidation));
  }

  get size(): number {
    return this.byArn.size;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  /** The entry a request's SecretId names, if held. Synchronous; marks the entry as used. */
  find(region: string, secretId: string): CachedSecret | undefined {
    const entry = this.aliases.get(region)?.get(secretId);
    if (entry !== undefined) entry.referenced = true;
    return entry;
  }

  /** Call before the first store read of a load; pass the result to {@link remember}. */
  begin(): number {
    return this.generation;
  }

  /**
   * Keeps what a load verified: the record and stage map from one snapshot, and the version it
   * opened. Dropped silently when an invalidation since `generation` may concern it, or when the
   * model is off.
   */
  remember(
    generation: number,
    lookup: { region: string; secretId: string },
    loaded: { record: SecretRecord; stages: StageMap; read: ReadValue; accessedDay: number },
  ): void {
    if (this.maxEntries === 0) return;
    if (!this.unchangedSince(generation, lookup, loaded.record)) return;
    const { record } = loaded;
    let entry = this.byArn.get(record.arn);
    if (
      entry !== undefined &&
      (entry.record.revision !== record.revision || !sameSeal(entry.record, record))
    ) {
      this.remove(entry);
      entry = undefined;
    }
    if (entry === undefined) {
      entry = {
        record: freezeRecord(record),
        stageIndex: new Map(loaded.stages.map((s) => [s.stage, s.versionId])),
        versions: new Map(),
        referenced: false,
        live: true,
        bytes:
          entryOverheadBytes +
          2 * (record.arn.length + record.name.length + (record.resourcePolicy?.length ?? 0)),
        aliases: [],
      };
      this.byArn.set(record.arn, entry);
      this.heldBytes += entry.bytes;
    }
    if (!entry.versions.has(loaded.read.versionId)) {
      // The plaintext is held up to three times: the value, the wire object and its JSON text.
      const bytes = versionOverheadBytes + 3 * loaded.read.value.bytes.length;
      entry.versions.set(loaded.read.versionId, {
        read: freezeRead(loaded.read),
        accessedDay: loaded.accessedDay,
      });
      entry.bytes += bytes;
      this.heldBytes += bytes;
    }
    this.addAlias(entry, lookup.region, lookup.secretId);
    this.evict(entry);
  }

  invalidate(invalidation: SecretInvalidation): void {
    this.generation++;
    this.history[this.generation % historySize] = invalidation;
    if (invalidation.kind === "all") {
      for (const entry of this.byArn.values()) entry.live = false;
      this.byArn.clear();
      this.aliases.clear();
      this.arnAliasesByResource.clear();
      this.heldBytes = 0;
      return;
    }
    const { arn, name, region } = invalidation;
    const entry = this.byArn.get(arn);
    if (entry !== undefined) this.remove(entry);
    if (region === undefined) return;
    // Lookups that may now name another secret: the name itself, and ARN spellings that resolve by
    // the resource (a partial ARN, or a full one of a secret whose name looks like `<name>-xxxxxx`).
    const inRegion = this.aliases.get(region);
    const byName = name === undefined ? undefined : inRegion?.get(name);
    if (byName !== undefined) this.remove(byName);
    const arnId = parseSecretId(arn);
    for (const resource of [name, arnId.kind === "arn" ? arnId.resource : undefined]) {
      if (resource === undefined) continue;
      const spellings = this.arnAliasesByResource.get(`${region}\n${resource}`);
      if (spellings === undefined) continue;
      for (const secretId of [...spellings]) {
        const held = this.aliases.get(region)?.get(secretId);
        if (held !== undefined) this.remove(held);
      }
    }
  }

  private unchangedSince(
    generation: number,
    lookup: { region: string; secretId: string },
    record: SecretRecord,
  ): boolean {
    if (generation === this.generation) return true;
    if (this.generation - generation >= historySize) return false;
    const id = parseSecretId(lookup.secretId);
    const resource = id.kind === "arn" ? id.resource : undefined;
    for (let g = generation + 1; g <= this.generation; g++) {
      const seen = this.history[g % historySize];
      if (seen === undefined || seen.kind === "all") return false;
      if (seen.arn === record.arn) return false;
      if (seen.region !== undefined && seen.region !== lookup.region) continue;
      if (seen.region === undefined) return false;
      const seenId = parseSecretId(seen.arn);
      const names = [seen.name, seenId.kind === "arn" ? seenId.resource : undefined];
      if (names.includes(record.name)) return false;
      if (lookup.secretId === seen.arn || names.includes(lookup.secretId)) return false;
      if (resource !== undefined && names.includes(resource)) return false;
    }
    return true;
  }

  private addAlias(entry: CachedSecret, region: string, secretId: string): void {
    let inRegion = this.aliases.get(region);
    if (inRegion === undefined) {
      inRegion = new Map();
      this.aliases.set(region, inRegion);
    }
    const existing = inRegion.get(secretId);
    if (existing === entry) return;
    if (existing !== undefined) this.remove(existing);
    if (entry.aliases.length >= maxAliases) return;
    inRegion.set(secretId, entry);
    entry.aliases.push([region, secretId]);
    entry.bytes += 2 * secretId.length + 64;
    this.heldBytes += 2 * secretId.length + 64;
    const id = parseSecretId(secretId);
    if (id.kind === "arn") {
      const key = `${region}\n${id.resource}`;
      let spellings = this.arnAliasesByResource.get(key);
      if (spellings === undefined) {
        spellings = new Set();
        this.arnAliasesByResource.set(key, spellings);
      }
      spellings.add(secretId);
    }
  }

  private remove(entry: CachedSecret): void {
    entry.live = false;
    if (this.byArn.get(entry.record.arn) === entry) this.byArn.delete(entry.record.arn);
    this.heldBytes -= entry.bytes;
    for (const [region, secretId] of entry.aliases) {
      const inRegion = this.aliases.get(region);
      if (inRegion?.get(secretId) === entry) {
        inRegion.delete(secretId);
        if (inRegion.size === 0) this.aliases.delete(region);
      }
      const id = parseSecretId(secretId);
      if (id.kind === "arn") {
        const key = `${region}\n${id.resource}`;
        const spellings = this.arnAliasesByResource.get(key);
        spellings?.delete(secretId);
        if (spellings?.size === 0) this.arnAliasesByResource.delete(key);
      }
    }
    entry.aliases.length = 0;
  }

  /** Second chance: a referenced entry moves to the back once; `keep` (just loaded) is never evicted. */
  private evict(keep: CachedSecret): void {
    let budget = 2 * this.byArn.size + 1;
    while ((this.byArn.size > this.maxEntries || this.heldBytes > this.maxBytes) && budget-- > 0) {
      const oldest = this.byArn.values().next();
      if (oldest.done) return;
      const entry = oldest.value;
      if (entry === keep && this.byArn.size === 1) {
        // A single value larger than the byte bound is not kept at all.
        if (this.heldBytes > this.maxBytes) this.remove(entry);
        return;
      }
      if (entry.referenced || entry === keep) {
        entry.referenced = false;
        this.byArn.delete(entry.record.arn);
        this.byArn.set(entry.record.arn, entry);
        continue;
      }
      this.remove(entry);
    }
  }
}

function sameSeal(a: SecretRecord, b: SecretRecord): boolean {
  return a.seal?.kekId === b.seal?.kekId && (a.seal?.mac.equals(b.seal?.mac ?? Buffer.alloc(0)) ?? false);
}

function freezeRecord(record: SecretRecord): Readonly<SecretRecord> {
  return Object.freeze({
    ...record,
    tags: Object.freeze(record.tags.map((t) => Object.freeze({ ...t }))),
  }) as Readonly<SecretRecord>;
}

function freezeRead(read: ReadValue): ReadValue {
  return Object.isFrozen(read) ? read : Object.freeze({ ...read, stages: Object.freeze([...read.stages]) });
}
