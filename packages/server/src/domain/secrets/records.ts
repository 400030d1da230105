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
  /** Rotation configuration and the rotation in flight (domain/rotation); absent: never configured. */
  rotation?: SecretRotation | undefined;
  /**
   * Replication (schema v9; docs/replication.md): a primary lists its replicas, a replica names its
   * primary's region. Absent on a secret that was never replicated. Sealed with the row.
   */
  replication?: SecretReplication | undefined;
}

/** One replica of a primary, as ReplicationStatus reports it. */
export interface ReplicaStatus {
  region: string;
  kmsKeyId?: string | undefined;
  status: "InSync" | "Failed" | "InProgress";
  statusMessage?: string | undefined;
}

export type SecretReplication =
  | { role: "primary"; replicas: ReplicaStatus[] }
  | { role: "replica"; primaryRegion: string };

/** RotationRules as RotateSecret takes them (validated by domain/rotation/schedule.ts). */
export interface RotationRules {
  automaticallyAfterDays?: number | undefined;
  scheduleExpression?: string | undefined;
  duration?: string | undefined;
}

/** The last (or current) rotation run: which version it makes, which step ran last, how it went. */
export interface RotationRun {
  /** The ClientRequestToken: the id of the version this rotation makes AWSPENDING. */
  token: string;
  /** `true`: the four steps; `false`: the configuration test only (RotateImmediately=false). */
  immediate: boolean;
  /** The step that ran last (or `start`, before any). */
  step: string;
  outcome: "running" | "succeeded" | "failed" | "cancelled";
  /** Why a step failed, as the rotator said it (never a secret value). */
  message?: string | undefined;
  startedAt: number;
  at: number;
}

/** What a secret keeps about its rotation; sealed with the row (ADR 0006). Times are epoch ms. */
export interface SecretRotation {
  enabled: boolean;
  lambdaArn?: string | undefined;
  rules?: RotationRules | undefined;
  lastRotatedAt?: number | undefined;
  nextRotationAt?: number | undefined;
  externalMetadata?: Array<{ Key: string; Value: string }> | undefined;
  externalRoleArn?: string | undefined;
  run?: RotationRun | undefined;
}

/** Which version holds each staging label, as stored beside the versions; sorted by label. */
export type StageMap = Array<{ stage: string; versionId: string }>;

/**
 * `none`: the empty version RotateSecret makes for the rotation's token before createSecret runs
 * (AWS does the same: the rotation function finds its token among the versions, then fills it with
 * PutSecretValue). It seals zero bytes and reads as "can't find the specified secret value".
 */
export type ValueKind = "string" | "binary" | "none";

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
