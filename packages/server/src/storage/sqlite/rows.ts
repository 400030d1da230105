import type {
  SecretRecord,
  SecretReplication,
  SecretRotation,
  Tag,
  ValueKind,
  VersionMeta,
  VersionRecord,
} from "../../domain/secrets/records.js";

/** Column shapes as better-sqlite3 returns them, and their mapping to domain records. */
export interface SecretRow {
  /** The row id that versions, stage labels and search terms refer to (never sealed or shown). */
  id: number;
  arn: string;
  region: string;
  name: string;
  description: string | null;
  kms_key_id: string | null;
  tags: string;
  created_at: number;
  last_changed_at: number;
  last_accessed_at: number | null;
  deleted_at: number | null;
  deletion_date: number | null;
  revision: number;
  resource_policy: string | null;
  seal_kek_id: string | null;
  seal_mac: Buffer | null;
  /** The secret's `Type` (CreateSecret/UpdateSecret), schema v6; NULL when never set. */
  type: string | null;
  /** JSON of {@link SecretRotation}; NULL when rotation was never configured (schema v7). */
  rotation: string | null;
  /** `rotation.nextRotationAt` while rotation is enabled: what the scheduler's index reads. */
  next_rotation_at: number | null;
  /** JSON of {@link SecretReplication}; NULL when never replicated (schema v9). */
  replication: string | null;
  /** The primary's region on a replica (the `primary-region` filter); NULL otherwise (schema v9). */
  primary_region: string | null;
}

export interface VersionMetaRow {
  version_id: string;
  stages: string;
  created_at: number;
  last_accessed_at: number | null;
  kms_key_id: string | null;
}

export interface VersionRow extends VersionMetaRow {
  kind: string;
  kek_id: string;
  wrapped_key: Buffer;
  ciphertext: Buffer;
}

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

export function toSecretRecord(row: SecretRow): SecretRecord {
  return {
    arn: row.arn,
    region: row.region,
    name: row.name,
    description: orUndefined(row.description),
    kmsKeyId: orUndefined(row.kms_key_id),
    tags: JSON.parse(row.tags) as Tag[],
    createdAt: row.created_at,
    lastChangedAt: row.last_changed_at,
    lastAccessedAt: orUndefined(row.last_accessed_at),
    deletedAt: orUndefined(row.deleted_at),
    deletionDate: orUndefined(row.deletion_date),
    resourcePolicy: orUndefined(row.resource_policy),
    // Rows read through a query that predates the column (none today) carry no `type` at all.
    ...(row.type !== null && row.type !== undefined ? { type: row.type } : {}),
    revision: row.revision,
    seal:
      typeof row.seal_kek_id === "string" && Buffer.isBuffer(row.seal_mac)
        ? { kekId: row.seal_kek_id, mac: row.seal_mac }
        : undefined,
    ...(row.rotation !== null && row.rotation !== undefined
      ? { rotation: JSON.parse(row.rotation) as SecretRotation }
      : {}),
    ...(row.replication !== null && row.replication !== undefined
      ? { replication: JSON.parse(row.replication) as SecretReplication }
      : {}),
  };
}

export function toVersionMeta(row: VersionMetaRow): VersionMeta {
  return {
    versionId: row.version_id,
    stages: JSON.parse(row.stages) as string[],
    createdAt: row.created_at,
    lastAccessedAt: orUndefined(row.last_accessed_at),
    kmsKeyId: orUndefined(row.kms_key_id),
  };
}

export function toVersionRecord(row: VersionRow): VersionRecord {
  return {
    ...toVersionMeta(row),
    value: {
      kind: row.kind as ValueKind,
      kekId: row.kek_id,
      wrappedKey: row.wrapped_key,
      ciphertext: row.ciphertext,
    },
  };
}

export function secretParams(secret: SecretRecord) {
  return {
    arn: secret.arn,
    region: secret.region,
    name: secret.name,
    description: secret.description ?? null,
    kms_key_id: secret.kmsKeyId ?? null,
    tags: JSON.stringify(secret.tags),
    created_at: secret.createdAt,
    last_changed_at: secret.lastChangedAt,
    last_accessed_at: secret.lastAccessedAt ?? null,
    deleted_at: secret.deletedAt ?? null,
    deletion_date: secret.deletionDate ?? null,
    revision: secret.revision,
    resource_policy: secret.resourcePolicy ?? null,
    seal_kek_id: secret.seal?.kekId ?? null,
    seal_mac: secret.seal?.mac ?? null,
    type: secret.type ?? null,
    rotation: secret.rotation === undefined ? null : JSON.stringify(secret.rotation),
    next_rotation_at: secret.rotation?.enabled ? (secret.rotation.nextRotationAt ?? null) : null,
    replication: secret.replication === undefined ? null : JSON.stringify(secret.replication),
    primary_region: secret.replication?.role === "replica" ? secret.replication.primaryRegion : null,
  };
}
