import type { SecretChange } from "../ports/secret-store.js";
import { sealSecret } from "../secrets/binding.js";
import type { ChangeOperation } from "../secrets/change-events.js";
import { withOptimisticRetry } from "../secrets/commit.js";
import type { SecretDomainDeps } from "../secrets/deps.js";
import type { SecretRecord, SecretState, VersionRecord } from "../secrets/records.js";
import { liveReplicas } from "../secrets/replication.js";
import { replicationAuditEntries } from "../secrets/replication-audit.js";
import { CURRENT, type Restage } from "../secrets/stages.js";

/** A change the rotation makes to one secret: its record (rotation state) and its versions' labels. */
export interface RotationEdit {
  secret: SecretRecord;
  addVersions?: VersionRecord[];
  restage?: Restage[];
  removeVersions?: string[];
  /** What the change feed is told; absent: rotation bookkeeping only, no notice. */
  operation?: ChangeOperation | undefined;
}

/**
 * Read-decide-commit on one secret by ARN, as the writer does it (revision-guarded, retried on a
 * conflict, sealed over the stage map it leaves, ADR 0006). `decide` returns the edit and a result,
 * or only a result (nothing to change). Commits go through `deps.store`, which the app wraps so
 * every commit invalidates the read model (ADR 0008).
 */
export function editSecret<T>(
  deps: SecretDomainDeps,
  arn: string,
  decide: (state: SecretState | undefined) => { edit?: RotationEdit | undefined; result: T },
): Promise<T> {
  return withOptimisticRetry(async () => {
    const state = await deps.store.findByArn(arn);
    const { edit, result } = decide(state);
    if (edit && state) await commitEdit(deps, state, edit);
    return result;
  });
}

export async function commitEdit(
  deps: SecretDomainDeps,
  state: SecretState,
  edit: RotationEdit,
): Promise<void> {
  const labels = new Map(state.versions.map((v) => [v.versionId, v.stages]));
  const removeVersions = edit.removeVersions ?? [];
  const addVersions = edit.addVersions ?? [];
  const restage = (edit.restage ?? []).filter((r) => !removeVersions.includes(r.versionId));
  for (const versionId of removeVersions) labels.delete(versionId);
  for (const version of addVersions) labels.set(version.versionId, version.stages);
  for (const { versionId, stages } of restage) if (labels.has(versionId)) labels.set(versionId, stages);
  const after = [...labels].map(([versionId, stages]) => ({ versionId, stages }));
  const secret = { ...edit.secret, revision: state.secret.revision + 1 };
  const change: SecretChange = {
    kind: "update",
    secret: sealSecret(deps.envelope, secret, after),
    expectedRevision: state.secret.revision,
    addVersions,
    restage,
    removeVersions,
  };
  await deps.store.commit(change);
  // The store took the change to the replicas too (replicatingStore): their regions' events.
  const replicas = liveReplicas(secret);
  if (edit.operation !== undefined && deps.replicationAudit && replicas.length > 0) {
    await deps.replicationAudit.record(replicationAuditEntries(secret, edit.operation, replicas, deps.now()));
  }
  if (edit.operation !== undefined && deps.changes) {
    const versionId = after.find((v) => v.stages.includes(CURRENT))?.versionId;
    try {
      deps.changes.publish({
        arn: secret.arn,
        name: secret.name,
        region: secret.region,
        ...(versionId !== undefined ? { versionId } : {}),
        operation: edit.operation,
        eventTime: deps.now(),
      });
    } catch {
      // The write is durable; subscribers recover from a missed event (as the writer does).
    }
  }
}
