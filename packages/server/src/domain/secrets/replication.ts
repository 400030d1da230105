import { InvalidParameterException } from "../../errors/catalog.js";
import type { SecretChange, SecretStore } from "../ports/secret-store.js";
import { sealSecret } from "./binding.js";
import type { SecretDomainDeps } from "./deps.js";
import type { ReplicaStatus, SecretRecord, SecretState, VersionRecord } from "./records.js";
import { replicaArnOf } from "./replica-arn.js";
import { openValue, sealValue } from "./secret-value.js";

/**
 * Replication (docs/replication.md): a replica is a secret in another region's partition with the
 * primary's name and an ARN that differs only by region. Every change of the primary is committed
 * together with the same change of each of its replicas (one store transaction, `commitMany`), so a
 * replica never shows a state the primary did not have.
 */

export const replicaWriteMessage =
  "Operation not permitted on a replica secret. Call must be made in primary secret's region.";

/**
 * The condition keys a request that adds replicas carries (CreateSecret with AddReplicaRegions,
 * ReplicateSecretToRegions), as the Service Authorization Reference defines them for Secrets
 * Manager: `secretsmanager:AddReplicaRegions`, the regions asked for (multivalued, for
 * ForAnyValue / ForAllValues), and `secretsmanager:ForceOverwriteReplicaSecret` (Bool), each absent
 * when the request does not set it.
 */
export function replicationConditionKeys(input: {
  addReplicaRegions?: ReadonlyArray<{ region: string }> | undefined;
  forceOverwriteReplicaSecret?: boolean | undefined;
}): Record<string, string | readonly string[] | undefined> {
  const regions = input.addReplicaRegions?.map((r) => r.region);
  return {
    "secretsmanager:AddReplicaRegions": regions !== undefined && regions.length > 0 ? regions : undefined,
    "secretsmanager:ForceOverwriteReplicaSecret":
      input.forceOverwriteReplicaSecret === undefined ? undefined : String(input.forceOverwriteReplicaSecret),
  };
}

/** AWS answers writes to a replica with InvalidParameterException (its recorded message). */
export function assertNotReplica(secret: SecretRecord): void {
  if (secret.replication?.role === "replica") throw new InvalidParameterException(replicaWriteMessage);
}

export { replicaArnOf };

/** The replicas that receive the primary's changes (a failed one holds no copy). */
export function liveReplicas(secret: SecretRecord): ReplicaStatus[] {
  return secret.replication?.role === "primary"
    ? secret.replication.replicas.filter((r) => r.status === "InSync")
    : [];
}

/** The replica's record as the primary's (unsealed): only ARN, region, key, access date and role differ. */
export function replicaRecordOf(
  primary: SecretRecord,
  replica: ReplicaStatus,
  existing: SecretRecord | undefined,
): SecretRecord {
  const { rotation: _rotation, replication: _replication, ...rest } = primary;
  return {
    ...rest,
    arn: replicaArnOf(primary.arn, replica.region),
    region: replica.region,
    kmsKeyId: replica.kmsKeyId,
    lastAccessedAt: existing?.lastAccessedAt,
    replication: { role: "replica", primaryRegion: primary.region },
    revision: (existing?.revision ?? 0) + 1,
    seal: undefined,
  };
}

/**
 * The changes that make each live replica of `primary` equal to it after `change` (the primary's
 * own change, not yet committed): versions the change adds are re-sealed under the replica's ARN
 * (a value's AAD binds its ARN, ADR 0006), missing ones are copied, surplus ones removed, labels set.
 */
export async function replicaChanges(
  deps: Pick<SecretDomainDeps, "store" | "envelope">,
  change: SecretChange,
  versionsAfter: ReadonlyArray<{ versionId: string; stages: string[] }>,
): Promise<SecretChange[]> {
  const primary = change.secret;
  const changes: SecretChange[] = [];
  for (const replica of liveReplicas(primary)) {
    const arn = replicaArnOf(primary.arn, replica.region);
    const existing = await deps.store.findByArn(arn);
    changes.push(await syncChange(deps, primary, change.addVersions, versionsAfter, replica, existing));
  }
  return changes;
}

/** One replica's change (a create when `existing` is undefined). */
export async function syncChange(
  deps: Pick<SecretDomainDeps, "store" | "envelope">,
  primary: SecretRecord,
  added: readonly VersionRecord[],
  versionsAfter: ReadonlyArray<{ versionId: string; stages: string[] }>,
  replica: ReplicaStatus,
  existing: SecretState | undefined,
): Promise<SecretChange> {
  const record = replicaRecordOf(primary, replica, existing?.secret);
  const have = new Set((existing?.versions ?? []).map((v) => v.versionId));
  const addedIds = new Set(added.map((v) => v.versionId));
  const afterIds = new Set(versionsAfter.map((v) => v.versionId));
  const removeVersions = [...have].filter((id) => !afterIds.has(id) || addedIds.has(id));
  const addVersions: VersionRecord[] = [];
  const restage: Array<{ versionId: string; stages: string[] }> = [];
  for (const { versionId, stages } of versionsAfter) {
    const fresh = added.find((v) => v.versionId === versionId);
    if (fresh || !have.has(versionId)) {
      const source = fresh ?? (await deps.store.readVersion(primary.arn, { versionId }));
      if (!source) continue;
      const value = openValue(deps.envelope, primary.arn, versionId, source.value);
      addVersions.push({
        ...source,
        stages: [...stages],
        kmsKeyId: replica.kmsKeyId,
        value: sealValue(deps.envelope, record.arn, versionId, value),
      });
    } else {
      restage.push({ versionId, stages: [...stages] });
    }
  }
  const replicaAfter = versionsAfter.filter(
    (v) => addVersions.some((a) => a.versionId === v.versionId) || have.has(v.versionId),
  );
  return {
    kind: existing ? "update" : "create",
    secret: sealSecret(deps.envelope, record, replicaAfter),
    expectedRevision: existing?.secret.revision ?? 0,
    addVersions,
    restage,
    removeVersions,
  };
}

/** A replica's status as answers report it: the stored status and the replica's last read there. */
export interface ReplicaStatusReport extends ReplicaStatus {
  /** Day-granular; absent when the replica was never read in its region (AWS omits the field). */
  lastAccessedAt?: number | undefined;
}

/**
 * `ReplicationStatus` with each replica's `LastAccessedDate`: the last-accessed date of the replica's
 * own row, which GetSecretValue in the replica's region records. Read from the store at answer time
 * (never kept in the primary's row or a cache), so it is as fresh as the replica's own date. A failed
 * region holds no replica (a secret of the same name there is another secret): it has no date.
 */
export async function replicationStatusReport(
  store: Pick<SecretStore, "findRecordByArn">,
  primaryArn: string,
  replicas: readonly ReplicaStatus[],
): Promise<ReplicaStatusReport[]> {
  return Promise.all(
    replicas.map(async (replica) => {
      if (replica.status !== "InSync") return { ...replica };
      const record = await store.findRecordByArn(replicaArnOf(primaryArn, replica.region));
      const lastAccessedAt = record?.replication?.role === "replica" ? record.lastAccessedAt : undefined;
      return lastAccessedAt === undefined ? { ...replica } : { ...replica, lastAccessedAt };
    }),
  );
}

/** DescribeSecret's/ListSecrets' replication members, as AWS sends them (none when not replicated). */
export function replicationView(secret: SecretRecord): {
  primaryRegion?: string;
  replicationStatus?: ReplicaStatus[];
} {
  const r = secret.replication;
  if (r === undefined) return {};
  if (r.role === "replica") return { primaryRegion: r.primaryRegion };
  if (r.replicas.length === 0) return {};
  return { primaryRegion: secret.region, replicationStatus: r.replicas };
}

/**
 * The store as the domain uses it (open-coffer.ts): a single-secret `commit` that does not come
 * through the writer's replication-aware path (the rotation engine's commits) still reaches the
 * replicas in the same transaction, and one aimed at a replica is refused as AWS refuses it.
 */
export function replicatingStore(store: SecretStore, envelope: SecretDomainDeps["envelope"]): SecretStore {
  const deps = { store, envelope };
  return {
    findByName: (region, name) => store.findByName(region, name),
    findByArn: (arn) => store.findByArn(arn),
    findRecordByName: (region, name) => store.findRecordByName(region, name),
    findRecordByArn: (arn) => store.findRecordByArn(arn),
    readVersion: (arn, selector) => store.readVersion(arn, selector),
    readSnapshot: (arn, selector) => store.readSnapshot(arn, selector),
    listSecrets: (query) => store.listSecrets(query),
    stageMaps: (arns) => store.stageMaps(arns),
    holdsSecretVersions: () => store.holdsSecretVersions(),
    commitMany: (changes, purges) => store.commitMany(changes, purges),
    touchAccessed: (arn, versionId, day) => store.touchAccessed(arn, versionId, day),
    listDueForPurge: (now, limit) => store.listDueForPurge(now, limit),
    purge: (arn) => store.purge(arn),
    listSealedValues: (afterKey, limit) => store.listSealedValues(afterKey, limit),
    replaceWrappedKey: (row, replacement) => store.replaceWrappedKey(row, replacement),
    listSeals: (afterArn, limit) => store.listSeals(afterArn, limit),
    reseal: (change) => store.reseal(change),
    referencedKekIds: () => store.referencedKekIds(),
    close: () => store.close(),
    commit: async (change) => {
      if (change.kind === "update" && change.secret.replication?.role === "replica") {
        throw new InvalidParameterException(replicaWriteMessage);
      }
      if (liveReplicas(change.secret).length === 0) return store.commit(change);
      const before = await store.findByArn(change.secret.arn);
      const labels = new Map((before?.versions ?? []).map((v) => [v.versionId, v.stages]));
      for (const versionId of change.removeVersions) labels.delete(versionId);
      for (const version of change.addVersions) labels.set(version.versionId, version.stages);
      for (const { versionId, stages } of change.restage) {
        if (labels.has(versionId)) labels.set(versionId, stages);
      }
      const after = [...labels].map(([versionId, stages]) => ({ versionId, stages }));
      // The primary's revision check makes `before` the state the change was decided on.
      return store.commitMany([change, ...(await replicaChanges(deps, change, after))]);
    },
  };
}
