import type { MetadataSeal } from "../../crypto/envelope.js";

/** What the domain knows about a secret; storage engines persist exactly this. Times are epoch milliseconds. */
export interface Tag {
  Key: string;
  Value: string;
}

export interface SecretRecord {
  arn: string;
  region: string;
  name: string;
  description: string | undefined;
  kmsKeyId: string | undefined;
  tags: Tag[];
  createdAt: number;
  lastChangedAt: number;
  /** Day-granular, as AWS reports it. */
  lastAccessedAt: number | undefined;
  /** When DeleteSecret scheduled the deletion. */
  deletedAt: number | undefined;
  /** When the secret is purged for good. */
  deletionDate: number | undefined;
  /**
   * The secret's `Type` as CreateSecret/UpdateSecret set it (free text to Secrets Manager); absent
   * when never set. Optional so records built before schema v6 need no change.
   */
  type?: string | undefined;
  /** The resource-based policy document (JSON text), if one is attached. */
  resourcePolicy: string | undefined;
  /** Optimistic-concurrency counter: every committed change increments it. */
  revision: number;
  /**
   * The master key's MAC over this record and its stage map (binding.ts): absent only on rows from
   * before ADR 0006 that the start-up re-seal has not (or could not) cover. A value read checks it.
   */
  seal: MetadataSeal | undefined;
}

/** Which version holds each staging label, as stored beside the versions; sorted by label. */
export type StageMap = Array<{ stage: string; versionId: string }>;

export type ValueKind = "string" | "binary";

/** A version without its value: what listings and label moves need. */
export interface VersionMeta {
  versionId: string;
  stages: string[];
  createdAt: number;
  lastAccessedAt: number | undefined;
  kmsKeyId: string | undefined;
}

/** The encrypted value of a version, as envelope encryption produced it. */
export interface SealedSecretValue {
  kind: ValueKind;
  kekId: string;
  wrappedKey: Buffer;
  ciphertext: Buffer;
}

export interface VersionRecord extends VersionMeta {
  value: SealedSecretValue;
}

/** A secret with the metadata of all its versions. */
export interface SecretState {
  secret: SecretRecord;
  versions: VersionMeta[];
}
