import type { MetadataSeal } from "../../crypto/envelope.js";
import type {
  SealedSecretValue,
  SecretRecord,
  SecretState,
  StageMap,
  VersionMeta,
  VersionRecord,
} from "../secrets/records.js";

/**
 * The only way the domain reaches storage. Every write is one atomic `commit` of a change the domain
 * computed from a `SecretState` it read, guarded by the secret's `revision` (optimistic concurrency),
 * so an engine needs no long-lived transactions and many stateless nodes can share one database.
 */
export interface SecretStore {
  findByName(region: string, name: string): Promise<SecretState | undefined>;
  findByArn(arn: string): Promise<SecretState | undefined>;
  /** The secret alone, without its versions: what a read of one value needs. */
  findRecordByName(region: string, name: string): Promise<SecretRecord | undefined>;
  findRecordByArn(arn: string): Promise<SecretRecord | undefined>;
  /** The version with this id, or holding this stage, with its sealed value. */
  readVersion(
    arn: string,
    selector: { versionId: string } | { stage: string },
  ): Promise<VersionRecord | undefined>;
  /**
   * What a value read needs, from one consistent snapshot: the secret row, its stage map and the
   * version with this id or holding this stage (ADR 0006 checks the three against each other).
   */
  readSnapshot(
    arn: string,
    selector: { versionId: string } | { stage: string },
  ): Promise<SecretSnapshot | undefined>;
  listSecrets(query: SecretListQuery): Promise<SecretRecord[]>;
  /** The stage maps of these secrets (ListSecrets' SecretVersionsToStages); a secret with no label has none. */
  stageMaps(arns: readonly string[]): Promise<Map<string, StageMap>>;
  commit(change: SecretChange): Promise<void>;
  /**
   * Several changes (and purges, applied first) as ONE transaction: all land or none does. A
   * replicated secret's write and its replicas' (docs/replication.md) commit this way.
   */
  commitMany(changes: readonly SecretChange[], purges?: readonly string[]): Promise<void>;
  /** Records a read; engines may skip the write when the stored day is already today. */
  touchAccessed(arn: string, versionId: string, day: number): Promise<void>;
  /** Secrets whose deletion date has passed. */
  listDueForPurge(now: number, limit: number): Promise<string[]>;
  purge(arn: string): Promise<void>;
  /** Key rotation: every sealed value, in pages, and a way to replace its wrapped key. */
  listSealedValues(afterKey: string | undefined, limit: number): Promise<SealedValueRow[]>;
  replaceWrappedKey(
    row: SealedValueRow,
    replacement: { kekId: string; wrappedKey: Buffer },
  ): Promise<boolean>;
  /** Every secret's seal, in ARN order (start-up re-seal, key rotation). */
  listSeals(
    afterArn: string | undefined,
    limit: number,
  ): Promise<Array<{ arn: string; seal: MetadataSeal | undefined }>>;
  /** Replaces a secret's seal (and re-sealed values) if revision and seal are still as read. */
  reseal(change: ResealChange): Promise<boolean>;
  /** Key ids still referenced by any sealed value or seal. */
  referencedKekIds(): Promise<string[]>;
  /** Whether any secret version is stored (the audit trail's start-up check for a lost journal). */
  holdsSecretVersions(): Promise<boolean>;
  close(): Promise<void>;
}

export interface SealedValueRow {
  /** Opaque, ordered page key. */
  key: string;
  arn: string;
  versionId: string;
  value: SealedSecretValue;
}

export interface SecretSnapshot {
  secret: SecretRecord;
  stages: StageMap;
  version: VersionRecord | undefined;
}

export interface ResealChange {
  arn: string;
  expectedRevision: number;
  expectedSeal: MetadataSeal | undefined;
  seal: MetadataSeal;
  /** Values re-sealed under the current AAD format; the revision does not change. */
  values: Array<{ versionId: string; value: SealedSecretValue }>;
}

export type SortKey = "created-date" | "last-accessed-date" | "last-changed-date" | "name";

/**
 * A prefix match the store answers from an index: the attribute starts with one of `prefixes`.
 * `name`, `tag-key` and `tag-value` compare the exact text (some tag's key or value); `description`
 * and `any` (the name, the description, or any tag key or value) compare each WORD of the text
 * (`searchWords`: letters and digits, lowercased), so their prefixes come as lowercased words.
 * An empty prefix matches any present attribute.
 */
export interface ListMatch {
  field: "name" | "tag-key" | "tag-value" | "description" | "any";
  prefixes: string[];
}

export interface SecretListQuery {
  region: string;
  /**
   * Every match must hold. The domain derives them from the ListSecrets filters as a necessary
   * condition and still checks each returned secret against the filters: a store may return
   * secrets that fail a match, but never leave out one that holds them all.
   */
  matches: ListMatch[];
  includePlannedDeletion: boolean;
  sortBy: SortKey;
  order: "asc" | "desc";
  /** Keyset cursor: list strictly after this (sort value, arn) pair in the given order. */
  after: { sortValue: string | number; arn: string } | undefined;
  limit: number;
}

export interface SecretChange {
  /** The secret as it must be after the change. */
  secret: SecretRecord;
  /** `create`: the secret must not exist yet; otherwise the stored revision must equal `expectedRevision`. */
  kind: "create" | "update";
  expectedRevision: number;
  addVersions: VersionRecord[];
  /** New label sets of existing versions. */
  restage: Array<Pick<VersionMeta, "versionId" | "stages">>;
  removeVersions: string[];
}

/** The secret changed (or appeared) since it was read; the domain re-reads and retries. */
export class StoreConflictError extends Error {
  constructor(
    readonly reason: "name-taken" | "revision-changed",
    message: string,
  ) {
    super(message);
    this.name = "StoreConflictError";
  }
}

/** Server-wide settings that must survive restarts (the account id). */
export interface SettingsStore {
  getSetting(key: string): Promise<string | undefined>;
  /** Sets the value only if none is stored; returns the value that is stored afterwards. */
  initSetting(key: string, value: string): Promise<string>;
  deleteSetting(key: string): Promise<void>;
}
