import { OutcomeUnrecorded } from "../../audit/audit-write-error.js";
import {
  InvalidParameterException,
  InvalidRequestException,
  PublicPolicyException,
  ResourceExistsException,
  ResourceNotFoundException,
} from "../../errors/catalog.js";
import { assertKnownActions, isPublicPolicy, parsePolicy } from "../policy/index.js";
import { type SecretChange, StoreConflictError } from "../ports/secret-store.js";
import { parseSecretId } from "./arn.js";
import { sealSecret } from "./binding.js";
import type { ChangeOperation } from "./change-events.js";
import { withOptimisticRetry } from "./commit.js";
import type { RequestScope, SecretDomainDeps } from "./deps.js";
import { KeyedLock } from "./keyed-lock.js";
import { assertValidSecretName } from "./names.js";
import type { ReplicaStatus, SecretRecord, SecretState, VersionMeta, VersionRecord } from "./records.js";
import {
  assertNotReplica,
  liveReplicas,
  type ReplicaStatusReport,
  replicaArnOf,
  replicaChanges,
  replicationConditionKeys,
  replicationStatusReport,
} from "./replication.js";
import { replicationAuditEntries } from "./replication-audit.js";
import { assertNotScheduledForDeletion, authorizeOn, findSecret, requireSecret } from "./resolve.js";
import { assertValueSize, openValue, type SecretValue, sameValue, sealValue } from "./secret-value.js";
import { attachStages, CURRENT, detachStage, type Restage, versionsToPrune } from "./stages.js";
import { mergeTags, type RequestedTag, removeTags } from "./tags.js";

export interface CreateSecretInput {
  name: string;
  clientRequestToken?: string | undefined;
  description?: string | undefined;
  kmsKeyId?: string | undefined;
  value?: SecretValue | undefined;
  tags?: readonly RequestedTag[] | undefined;
  /** `Type`: stored and returned as given. */
  type?: string | undefined;
  /** `AddReplicaRegions`: replicas created in the same commit (docs/replication.md). */
  addReplicaRegions?: ReadonlyArray<{ region: string; kmsKeyId?: string | undefined }> | undefined;
  forceOverwriteReplicaSecret?: boolean | undefined;
}

export interface PutValueInput {
  secretId: string;
  clientRequestToken?: string | undefined;
  value: SecretValue;
  stages?: string[] | undefined;
}

export interface UpdateSecretInput {
  secretId: string;
  clientRequestToken?: string | undefined;
  description?: string | undefined;
  kmsKeyId?: string | undefined;
  value?: SecretValue | undefined;
  /** `Type`: replaces the stored one when given. */
  type?: string | undefined;
}

export interface SecretRef {
  arn: string;
  name: string;
}

const dayMs = 24 * 60 * 60 * 1000;
export const defaultRecoveryWindowDays = 30;

/** Everything that changes secrets: the domain rules of AWS Secrets Manager's write operations. */
export class SecretWriter {
  private readonly lock = new KeyedLock();

  constructor(private readonly deps: SecretDomainDeps) {}

  /** One secret's changes queue up in this process; the revision check handles other processes. */
  private change<T>(scope: RequestScope, secretId: string, attempt: () => Promise<T>): Promise<T> {
    return this.lock.run(`${scope.region}\n${secretId}`, () => withOptimisticRetry(attempt));
  }

  async create(
    scope: RequestScope,
    input: CreateSecretInput,
  ): Promise<SecretRef & { versionId?: string; replicationStatus?: ReplicaStatus[] }> {
    assertValidSecretName(input.name);
    if (input.value) assertValueSize(input.value);
    const now = this.deps.now();
    const arn = `arn:aws:secretsmanager:${scope.region}:${this.deps.accountId}:secret:${input.name}-${this.deps.newArnSuffix()}`;
    const secret: SecretRecord = {
      arn,
      region: scope.region,
      name: input.name,
      description: input.description,
      kmsKeyId: input.kmsKeyId,
      tags: mergeTags([], input.tags ?? []),
      createdAt: now,
      lastChangedAt: now,
      lastAccessedAt: undefined,
      deletedAt: undefined,
      deletionDate: undefined,
      resourcePolicy: undefined,
      ...(input.type !== undefined ? { type: input.type } : {}),
      revision: 1,
      seal: undefined,
    };
    // Authorized before the name is looked up, so a caller who may not create it learns nothing.
    const replicationKeys = replicationConditionKeys(input);
    await authorizeOn(this.deps, scope, "CreateSecret", secret, input.name, replicationKeys);
    if (input.addReplicaRegions !== undefined && input.addReplicaRegions.length > 0) {
      // AWS: "To add replica Regions, you must also have secretsmanager:ReplicateSecretToRegions."
      await authorizeOn(this.deps, scope, "ReplicateSecretToRegions", secret, input.name, replicationKeys);
    }
    const existing = await findSecret(this.deps, scope, input.name);
    if (existing) return this.createAgain(existing, input);
    const versionId = input.value ? (input.clientRequestToken ?? this.deps.newVersionId()) : undefined;
    const addVersions =
      input.value && versionId ? [this.newVersion(secret, versionId, input.value, [CURRENT])] : [];
    let purges: string[] = [];
    if (input.addReplicaRegions !== undefined && input.addReplicaRegions.length > 0) {
      const planned = await this.planReplicas(
        secret,
        [],
        input.addReplicaRegions,
        input.forceOverwriteReplicaSecret,
      );
      secret.replication = { role: "primary", replicas: planned.replicas };
      purges = planned.purges;
    }
    try {
      await this.commit(
        [],
        {
          kind: "create",
          secret,
          expectedRevision: 0,
          addVersions,
          restage: [],
          removeVersions: [],
        },
        purges,
      );
    } catch (error) {
      if (error instanceof StoreConflictError && error.reason === "name-taken") {
        throw new ResourceExistsException(
          `The operation failed because the secret ${input.name} already exists.`,
        );
      }
      throw error;
    }
    this.emit(secret, "CreateSecret", addVersions);
    await this.auditReplication(
      secret,
      "CreateSecret",
      secret.replication?.role === "primary" ? secret.replication.replicas : [],
    );
    const replicationStatus =
      secret.replication?.role === "primary" ? secret.replication.replicas : undefined;
    return {
      arn,
      name: input.name,
      ...(versionId ? { versionId } : {}),
      ...(replicationStatus ? { replicationStatus } : {}),
    };
  }

  /** A retried CreateSecret (same token, same value) succeeds without change; anything else is a clash. */
  private async createAgain(existing: SecretState, input: CreateSecretInput) {
    if (existing.secret.deletedAt !== undefined) {
      throw new InvalidRequestException(
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
      );
    }
    const token = input.clientRequestToken;
    // A token naming a version of the secret: the same value is a retry, another value is AWS's
    // token clash; a token of no version (or none) means the name is taken.
    if (token && input.value && existing.versions.some((v) => v.versionId === token)) {
      await this.assertIdempotentRetry(existing, token, input.value);
      return { arn: existing.secret.arn, name: existing.secret.name, versionId: token };
    }
    throw new ResourceExistsException(
      `The operation failed because the secret ${input.name} already exists.`,
    );
  }

  async putValue(
    scope: RequestScope,
    input: PutValueInput,
  ): Promise<SecretRef & { versionId: string; stages: string[] }> {
    assertValueSize(input.value);
    return this.change(scope, input.secretId, async () => {
      const state = await requireSecret(this.deps, scope, input.secretId, "PutSecretValue");
      assertNotReplica(state.secret);
      assertNotScheduledForDeletion(state);
      const versionId = input.clientRequestToken ?? this.deps.newVersionId();
      const stages = [...(input.stages ?? [CURRENT])];
      // As AWS: the first value of a secret becomes AWSCURRENT whatever labels the call asked for.
      if (!stages.includes(CURRENT) && !state.versions.some((v) => v.stages.includes(CURRENT))) {
        stages.push(CURRENT);
      }
      const existing = state.versions.find((v) => v.versionId === versionId);
      if (existing && (await this.isEmptyVersion(state, versionId))) {
        // The version RotateSecret made for this token: the rotation function's createSecret fills it.
        await this.addVersion(state, versionId, input.value, stages, "PutSecretValue", true);
        return { arn: state.secret.arn, name: state.secret.name, versionId, stages };
      }
      if (existing) {
        await this.assertIdempotentRetry(state, versionId, input.value);
        return { arn: state.secret.arn, name: state.secret.name, versionId, stages: existing.stages };
      }
      await this.addVersion(state, versionId, input.value, stages, "PutSecretValue");
      return { arn: state.secret.arn, name: state.secret.name, versionId, stages };
    });
  }

  async update(scope: RequestScope, input: UpdateSecretInput): Promise<SecretRef & { versionId?: string }> {
    if (input.value) assertValueSize(input.value);
    const value = input.value;
    return this.change(scope, input.secretId, async () => {
      const state = await requireSecret(this.deps, scope, input.secretId, "UpdateSecret");
      assertNotReplica(state.secret);
      assertNotScheduledForDeletion(state);
      const secret: SecretRecord = {
        ...state.secret,
        description: input.description ?? state.secret.description,
        kmsKeyId: input.kmsKeyId ?? state.secret.kmsKeyId,
        ...(input.type !== undefined ? { type: input.type } : {}),
        lastChangedAt: this.deps.now(),
      };
      const ref = { arn: secret.arn, name: secret.name };
      if (!value) {
        await this.commitUpdate(state, secret, {}, "UpdateSecret");
        return ref;
      }
      const versionId = input.clientRequestToken ?? this.deps.newVersionId();
      if (state.versions.some((v) => v.versionId === versionId)) {
        await this.assertIdempotentRetry(state, versionId, value);
        await this.commitUpdate(state, secret, {}, "UpdateSecret");
        return { ...ref, versionId };
      }
      await this.addVersion({ ...state, secret }, versionId, value, [CURRENT], "UpdateSecret");
      return { ...ref, versionId };
    });
  }

  async updateVersionStage(
    scope: RequestScope,
    input: { secretId: string; stage: string; removeFromVersionId?: string; moveToVersionId?: string },
  ): Promise<SecretRef> {
    return this.change(scope, input.secretId, async () => {
      const state = await requireSecret(this.deps, scope, input.secretId, "UpdateSecretVersionStage");
      assertNotReplica(state.secret);
      assertNotScheduledForDeletion(state);
      const holder = state.versions.find((v) => v.stages.includes(input.stage))?.versionId;
      const { removeFromVersionId, moveToVersionId } = input;
      for (const versionId of [removeFromVersionId, moveToVersionId]) {
        if (versionId !== undefined && !state.versions.some((v) => v.versionId === versionId)) {
          throw new ResourceNotFoundException(
            `Secrets Manager can't find the specified secret version: ${versionId}.`,
          );
        }
      }
      if (removeFromVersionId !== undefined && removeFromVersionId !== holder) {
        throw new InvalidParameterException(
          `The staging label ${input.stage} isn't attached to version ${removeFromVersionId}; it is attached to ${holder ?? "no version"}.`,
        );
      }
      if (
        moveToVersionId !== undefined &&
        holder !== undefined &&
        holder !== moveToVersionId &&
        removeFromVersionId === undefined
      ) {
        throw new InvalidParameterException(
          `The parameter RemoveFromVersionId can't be empty. Staging label ${input.stage} is currently attached to version ${holder}, so you must explicitly reference that version in RemoveFromVersionId.`,
        );
      }
      if (moveToVersionId === undefined && removeFromVersionId === undefined) {
        throw new InvalidParameterException("Specify MoveToVersionId, RemoveFromVersionId, or both.");
      }
      const restage =
        moveToVersionId !== undefined
          ? attachStages(state.versions, moveToVersionId, [input.stage])
          : detachStage(state.versions, removeFromVersionId as string, input.stage);
      await this.commitUpdate(
        state,
        { ...state.secret, lastChangedAt: this.deps.now() },
        { restage },
        "UpdateSecretVersionStage",
      );
      return { arn: state.secret.arn, name: state.secret.name };
    });
  }

  async delete(
    scope: RequestScope,
    input: { secretId: string; recoveryWindowInDays?: number; forceDeleteWithoutRecovery?: boolean },
  ): Promise<SecretRef & { deletionDate: number }> {
    if (input.recoveryWindowInDays !== undefined && input.forceDeleteWithoutRecovery) {
      throw new InvalidParameterException(
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
      );
    }
    const days = input.recoveryWindowInDays ?? defaultRecoveryWindowDays;
    if (!Number.isInteger(days) || days < 7 || days > 30) {
      throw new InvalidParameterException(
        "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).",
      );
    }
    return this.change(scope, input.secretId, async () => {
      const state = await requireSecret(this.deps, scope, input.secretId, "DeleteSecret");
      assertNotReplica(state.secret);
      const replicaRegions =
        state.secret.replication?.role === "primary"
          ? state.secret.replication.replicas.map((r) => r.region)
          : [];
      if (replicaRegions.length > 0) {
        // moto's rendering of AWS's answer (InvalidParameterException, regions comma-joined).
        throw new InvalidParameterException(
          `You can't delete secret ${state.secret.arn} that still has replica regions [${replicaRegions.join(",")}]`,
        );
      }
      const ref = { arn: state.secret.arn, name: state.secret.name };
      const now = this.deps.now();
      if (input.forceDeleteWithoutRecovery) {
        await this.deps.store.purge(state.secret.arn);
        this.emit(state.secret, "DeleteSecret");
        return { ...ref, deletionDate: now };
      }
      if (state.secret.deletedAt !== undefined) {
        throw new InvalidRequestException(
          "You tried to perform the operation on a secret that's currently marked deleted.",
        );
      }
      const deletionDate = now + days * dayMs;
      await this.commitUpdate(state, { ...state.secret, deletedAt: now, deletionDate }, {}, "DeleteSecret");
      return { ...ref, deletionDate };
    });
  }

  async restore(scope: RequestScope, secretId: string): Promise<SecretRef> {
    return this.change(scope, secretId, async () => {
      const state = await requireSecret(this.deps, scope, secretId, "RestoreSecret");
      assertNotReplica(state.secret);
      if (state.secret.deletedAt !== undefined) {
        await this.commitUpdate(
          state,
          { ...state.secret, deletedAt: undefined, deletionDate: undefined },
          {},
          "RestoreSecret",
        );
      }
      return { arn: state.secret.arn, name: state.secret.name };
    });
  }

  async tag(scope: RequestScope, secretId: string, tags: readonly RequestedTag[]): Promise<void> {
    await this.change(scope, secretId, async () => {
      const state = await requireSecret(this.deps, scope, secretId, "TagResource");
      assertNotReplica(state.secret);
      assertNotScheduledForDeletion(state);
      const secret = {
        ...state.secret,
        tags: mergeTags(state.secret.tags, tags),
        lastChangedAt: this.deps.now(),
      };
      await this.commitUpdate(state, secret, {}, "TagResource");
    });
  }

  async untag(scope: RequestScope, secretId: string, keys: string[]): Promise<void> {
    await this.change(scope, secretId, async () => {
      const state = await requireSecret(this.deps, scope, secretId, "UntagResource");
      assertNotReplica(state.secret);
      assertNotScheduledForDeletion(state);
      const secret = {
        ...state.secret,
        tags: removeTags(state.secret.tags, keys),
        lastChangedAt: this.deps.now(),
      };
      await this.commitUpdate(state, secret, {}, "UntagResource");
    });
  }

  async putResourcePolicy(
    scope: RequestScope,
    secretId: string,
    document: string,
    options: { blockPublicPolicy: boolean },
  ): Promise<SecretRef> {
    const policy = parsePolicy(document, { kind: "resource" });
    assertKnownActions(policy);
    if (options.blockPublicPolicy && isPublicPolicy(policy)) {
      throw new PublicPolicyException(
        'The policy grants access to everyone (Principal "*" without a restricting condition). Narrow the Principal, or set BlockPublicPolicy to false.',
      );
    }
    return this.change(scope, secretId, async () => {
      const state = await requireSecret(this.deps, scope, secretId, "PutResourcePolicy");
      assertNotReplica(state.secret);
      assertNotScheduledForDeletion(state);
      await this.commitUpdate(
        state,
        { ...state.secret, resourcePolicy: document, lastChangedAt: this.deps.now() },
        {},
        "PutResourcePolicy",
      );
      return { arn: state.secret.arn, name: state.secret.name };
    });
  }

  async deleteResourcePolicy(scope: RequestScope, secretId: string): Promise<SecretRef> {
    return this.change(scope, secretId, async () => {
      const state = await requireSecret(this.deps, scope, secretId, "DeleteResourcePolicy");
      assertNotReplica(state.secret);
      if (state.secret.resourcePolicy !== undefined) {
        await this.commitUpdate(
          state,
          { ...state.secret, resourcePolicy: undefined, lastChangedAt: this.deps.now() },
          {},
          "DeleteResourcePolicy",
        );
      }
      return { arn: state.secret.arn, name: state.secret.name };
    });
  }

  /** Removes secrets whose recovery window has ended; returns how many. */
  async purgeDue(limit = 500): Promise<number> {
    const due = await this.deps.store.listDueForPurge(this.deps.now(), limit);
    for (const arn of due) {
      await this.deps.store.purge(arn);
      const id = parseSecretId(arn);
      if (id.kind === "arn") {
        // ARNs are `…:secret:<name>-<6 random characters>` (see create).
        this.emit({ arn, region: id.region, name: id.resource.slice(0, -7) }, "Purge");
      }
    }
    return due.length;
  }

  /**
   * After a committed change of a primary: one audit event in each of `replicas`' regions, naming
   * the replica's ARN (`ReplicationSucceeded`), or the reason a region failed (`ReplicationFailed`).
   * The request's own event (written ahead, docs/adr/0005) already names the change; like it, these
   * must be durable before the answer, so a trail that cannot take them fails the request.
   */
  private async auditReplication(
    primary: Pick<SecretRecord, "arn" | "region">,
    operation: ChangeOperation,
    replicas: readonly ReplicaStatus[],
  ): Promise<void> {
    const audit = this.deps.replicationAudit;
    if (!audit || replicas.length === 0) return;
    try {
      await audit.record(replicationAuditEntries(primary, operation, replicas, this.deps.now()));
    } catch (error) {
      // The change is committed: the client must hear that it was made, not "nothing changed".
      throw new OutcomeUnrecorded(error);
    }
  }

  /**
   * Tells the change feed about a committed change. Called only after the commit succeeded, never
   * with a value; a failing feed must not turn a committed write into an error.
   */
  private emit(
    secret: Pick<SecretRecord, "arn" | "name" | "region"> & Pick<Partial<SecretRecord>, "replication">,
    operation: ChangeOperation,
    versionsAfter: ReadonlyArray<Pick<VersionMeta, "versionId" | "stages">> = [],
  ): void {
    const changes = this.deps.changes;
    if (!changes) return;
    // Each replica changed in the same commit: its region's subscribers hear of it too.
    for (const replica of secret.replication ? liveReplicas(secret as SecretRecord) : []) {
      this.emit(
        { arn: replicaArnOf(secret.arn, replica.region), name: secret.name, region: replica.region },
        operation,
        versionsAfter,
      );
    }
    const gone = operation === "DeleteSecret" || operation === "Purge";
    const versionId = gone ? undefined : versionsAfter.find((v) => v.stages.includes(CURRENT))?.versionId;
    try {
      changes.publish({
        arn: secret.arn,
        name: secret.name,
        region: secret.region,
        ...(versionId !== undefined ? { versionId } : {}),
        operation,
        eventTime: this.deps.now(),
      });
    } catch {
      // The write is durable; subscribers recover from a missed event by resuming or resetting.
    }
  }

  private async addVersion(
    state: SecretState,
    versionId: string,
    value: SecretValue,
    stages: string[],
    operation: ChangeOperation,
    fillsEmpty = false,
  ) {
    const now = this.deps.now();
    const version = this.newVersion(state.secret, versionId, value, []);
    const restage = attachStages(state.versions, versionId, stages);
    const newStages = restage.find((r) => r.versionId === versionId)?.stages ?? [];
    const otherRestage = restage.filter((r) => r.versionId !== versionId);
    const after = state.versions.map((v) => ({
      ...v,
      ...otherRestage.find((r) => r.versionId === v.versionId),
    }));
    const removeVersions = versionsToPrune([...after, { ...version, stages: newStages }], now);
    // Filling an empty version replaces its row (same id) in the same commit.
    if (fillsEmpty) removeVersions.push(versionId);
    await this.commit(state.versions, {
      kind: "update",
      secret: { ...state.secret, lastChangedAt: now, revision: state.secret.revision + 1 },
      expectedRevision: state.secret.revision,
      addVersions: [{ ...version, stages: newStages }],
      restage: otherRestage.filter((r) => !removeVersions.includes(r.versionId)),
      removeVersions,
    });
    this.emit(state.secret, operation, [...after, { versionId, stages: newStages }]);
    await this.auditReplication(state.secret, operation, liveReplicas(state.secret));
  }

  private async commitUpdate(
    state: SecretState,
    secret: SecretRecord,
    change: { restage?: Restage[] },
    operation: ChangeOperation,
  ) {
    const restage = change.restage ?? [];
    await this.commit(state.versions, {
      kind: "update",
      secret: { ...secret, revision: state.secret.revision + 1 },
      expectedRevision: state.secret.revision,
      addVersions: [],
      restage,
      removeVersions: [],
    });
    this.emit(
      secret,
      operation,
      state.versions.map((v) => restage.find((r) => r.versionId === v.versionId) ?? v),
    );
    await this.auditReplication(secret, operation, liveReplicas(secret));
  }

  /** Every write goes through here: the secret is sealed over the stage map the change leaves. */
  private async commit(
    versionsBefore: VersionMeta[],
    change: SecretChange,
    purges: readonly string[] = [],
  ): Promise<void> {
    const labels = new Map(versionsBefore.map((v) => [v.versionId, v.stages]));
    for (const versionId of change.removeVersions) labels.delete(versionId);
    for (const version of change.addVersions) labels.set(version.versionId, version.stages);
    for (const { versionId, stages } of change.restage)
      if (labels.has(versionId)) labels.set(versionId, stages);
    const after = [...labels].map(([versionId, stages]) => ({ versionId, stages }));
    const sealed = { ...change, secret: sealSecret(this.deps.envelope, change.secret, after) };
    if (liveReplicas(change.secret).length === 0 && purges.length === 0) {
      await this.deps.store.commit(sealed);
      return;
    }
    // A replicated secret: its replicas take the same change in the same transaction.
    const replicas = await replicaChanges(this.deps, sealed, after);
    await this.deps.store.commitMany([sealed, ...replicas], purges);
  }

  /**
   * Where each requested replica goes: a region already replicated keeps its entry; a name taken in
   * the target region by another secret fails that region (AWS's ReplicationStatus `Failed`) unless
   * ForceOverwriteReplicaSecret, which deletes that secret in the same commit.
   */
  private async planReplicas(
    primary: SecretRecord,
    current: readonly ReplicaStatus[],
    requested: ReadonlyArray<{ region: string; kmsKeyId?: string | undefined }>,
    forceOverwrite: boolean | undefined,
  ): Promise<{ replicas: ReplicaStatus[]; purges: string[] }> {
    const replicas = [...current];
    const purges: string[] = [];
    for (const { region, kmsKeyId } of requested) {
      if (region === primary.region) throw new InvalidParameterException("Invalid replica region.");
      if (replicas.some((r) => r.region === region)) {
        if (requested.filter((r) => r.region === region).length > 1) {
          throw new InvalidParameterException("Invalid replica region.");
        }
        continue;
      }
      const taken = await this.deps.store.findRecordByName(region, primary.name);
      const status: ReplicaStatus = {
        region,
        ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
        status: "InSync",
      };
      if (taken && taken.arn !== replicaArnOf(primary.arn, region)) {
        if (!forceOverwrite) {
          status.status = "Failed";
          status.statusMessage = `Replication failed: Secret name ${primary.name} already exists in region ${region}.`;
        } else {
          purges.push(taken.arn);
        }
      }
      replicas.push(status);
    }
    return { replicas, purges };
  }

  /** ReplicateSecretToRegions: new replicas of a primary (or of a standalone secret, which becomes one). */
  async replicate(
    scope: RequestScope,
    input: {
      secretId: string;
      addReplicaRegions: ReadonlyArray<{ region: string; kmsKeyId?: string | undefined }>;
      forceOverwriteReplicaSecret?: boolean | undefined;
    },
  ): Promise<{ arn: string; replicationStatus: ReplicaStatusReport[] }> {
    return this.change(scope, input.secretId, async () => {
      const state = await requireSecret(
        this.deps,
        scope,
        input.secretId,
        "ReplicateSecretToRegions",
        replicationConditionKeys(input),
      );
      assertNotReplica(state.secret);
      assertNotScheduledForDeletion(state);
      const current = state.secret.replication?.role === "primary" ? state.secret.replication.replicas : [];
      const planned = await this.planReplicas(
        state.secret,
        current,
        input.addReplicaRegions,
        input.forceOverwriteReplicaSecret,
      );
      const secret: SecretRecord = {
        ...state.secret,
        replication: { role: "primary", replicas: planned.replicas },
        revision: state.secret.revision + 1,
      };
      await this.commit(
        state.versions,
        {
          kind: "update",
          secret,
          expectedRevision: state.secret.revision,
          addVersions: [],
          restage: [],
          removeVersions: [],
        },
        planned.purges,
      );
      this.emit(secret, "ReplicateSecretToRegions", state.versions);
      // The regions this request added (a region replicated before is not replicated again).
      await this.auditReplication(
        secret,
        "ReplicateSecretToRegions",
        planned.replicas.filter((r) => !current.some((c) => c.region === r.region)),
      );
      // Regions replicated before keep their replica, which may have been read there since.
      return {
        arn: secret.arn,
        replicationStatus: await replicationStatusReport(this.deps.store, secret.arn, planned.replicas),
      };
    });
  }

  /** RemoveRegionsFromReplication: deletes those replicas; regions not replicated are ignored. */
  async removeRegions(
    scope: RequestScope,
    input: { secretId: string; regions: readonly string[] },
  ): Promise<{ arn: string; replicationStatus: ReplicaStatusReport[] }> {
    return this.change(scope, input.secretId, async () => {
      const state = await requireSecret(this.deps, scope, input.secretId, "RemoveRegionsFromReplication");
      assertNotReplica(state.secret);
      const current = state.secret.replication?.role === "primary" ? state.secret.replication.replicas : [];
      const removed = current.filter((r) => input.regions.includes(r.region));
      const kept = current.filter((r) => !input.regions.includes(r.region));
      const purges: string[] = [];
      for (const r of removed) {
        const arn = replicaArnOf(state.secret.arn, r.region);
        const replica = await this.deps.store.findRecordByArn(arn);
        if (replica?.replication?.role === "replica") purges.push(arn);
      }
      const { replication: _old, ...rest } = state.secret;
      const secret: SecretRecord = {
        ...rest,
        ...(kept.length > 0 ? { replication: { role: "primary" as const, replicas: kept } } : {}),
        revision: state.secret.revision + 1,
      };
      if (removed.length > 0) {
        // Replicas not removed take the (unchanged) state too: one commit, revision-checked.
        await this.commit(
          state.versions,
          {
            kind: "update",
            secret,
            expectedRevision: state.secret.revision,
            addVersions: [],
            restage: [],
            removeVersions: [],
          },
          purges,
        );
        this.emit(secret, "RemoveRegionsFromReplication", state.versions);
        for (const arn of purges) {
          this.emit({ arn, name: secret.name, region: parseRegion(arn) }, "DeleteSecret");
        }
      }
      return {
        arn: secret.arn,
        replicationStatus: await replicationStatusReport(this.deps.store, secret.arn, kept),
      };
    });
  }

  /** StopReplicationToReplica, called in the replica's region: the replica becomes a standalone secret. */
  async promote(scope: RequestScope, secretId: string): Promise<{ arn: string }> {
    return this.change(scope, secretId, async () => {
      const state = await requireSecret(this.deps, scope, secretId, "StopReplicationToReplica");
      const replication = state.secret.replication;
      if (replication?.role !== "replica") {
        throw new InvalidParameterException(
          "StopReplicationToReplica must be called on a replica secret, in the replica's region.",
        );
      }
      const { replication: _r, ...rest } = state.secret;
      const standalone: SecretRecord = {
        ...rest,
        revision: state.secret.revision + 1,
        lastChangedAt: this.deps.now(),
      };
      const changes: SecretChange[] = [
        {
          kind: "update",
          secret: sealSecret(this.deps.envelope, standalone, state.versions),
          expectedRevision: state.secret.revision,
          addVersions: [],
          restage: [],
          removeVersions: [],
        },
      ];
      const primary = await this.deps.store.findByArn(
        replicaArnOf(state.secret.arn, replication.primaryRegion),
      );
      if (primary?.secret.replication?.role === "primary") {
        const kept = primary.secret.replication.replicas.filter((r) => r.region !== state.secret.region);
        const { replication: _p, ...prest } = primary.secret;
        const after: SecretRecord = {
          ...prest,
          ...(kept.length > 0 ? { replication: { role: "primary" as const, replicas: kept } } : {}),
          revision: primary.secret.revision + 1,
        };
        changes.push({
          kind: "update",
          secret: sealSecret(this.deps.envelope, after, primary.versions),
          expectedRevision: primary.secret.revision,
          addVersions: [],
          restage: [],
          removeVersions: [],
        });
      }
      await this.deps.store.commitMany(changes);
      this.emit(standalone, "StopReplicationToReplica", state.versions);
      return { arn: standalone.arn };
    });
  }

  private newVersion(
    secret: SecretRecord,
    versionId: string,
    value: SecretValue,
    stages: string[],
  ): VersionRecord {
    return {
      versionId,
      stages,
      createdAt: this.deps.now(),
      lastAccessedAt: undefined,
      kmsKeyId: secret.kmsKeyId,
      value: sealValue(this.deps.envelope, secret.arn, versionId, value),
    };
  }

  private async versionHasValue(state: SecretState, versionId: string, value: SecretValue): Promise<boolean> {
    const stored = await this.deps.store.readVersion(state.secret.arn, { versionId });
    if (!stored) return false;
    return sameValue(openValue(this.deps.envelope, state.secret.arn, versionId, stored.value), value);
  }

  private async isEmptyVersion(state: SecretState, versionId: string): Promise<boolean> {
    const stored = await this.deps.store.readVersion(state.secret.arn, { versionId });
    return stored?.value.kind === "none";
  }

  private async assertIdempotentRetry(state: SecretState, versionId: string, value: SecretValue) {
    if (!(await this.versionHasValue(state, versionId, value))) {
      throw new ResourceExistsException(
        `You can't use ClientRequestToken ${versionId} because that value is already in use for a version of secret ${state.secret.arn}.`,
      );
    }
  }
}

function parseRegion(arn: string): string {
  return arn.split(":")[3] ?? "";
}
