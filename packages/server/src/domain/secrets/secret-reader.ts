import {
  AccessDeniedException,
  CofferError,
  InvalidParameterException,
  MalformedPolicyDocumentException,
  ResourceNotFoundException,
} from "../../errors/catalog.js";
import {
  toValidateResourcePolicyResponse,
  type ValidateResourcePolicyResponse,
  validatePolicy,
} from "../policy/index.js";
import type { SortKey } from "../ports/secret-store.js";
import { verifySecret, verifyVersionStages } from "./binding.js";
import type { RequestScope, SecretDomainDeps } from "./deps.js";
import { indexedMatches, matchesFilters, type SecretFilter } from "./filters.js";
import { decodePageToken, encodePageToken, queryDigest } from "./page-token.js";
import type { ReadValue } from "./read-model.js";
import type { SecretRecord, SecretState, StageMap, VersionMeta } from "./records.js";
import { type ReplicaStatusReport, replicationStatusReport, replicationView } from "./replication.js";
import { assertNotScheduledForDeletion, authorizeOn, requireSecret, requireSecretRecord } from "./resolve.js";
import { openValue } from "./secret-value.js";
import { CURRENT } from "./stages.js";

export type { ReadValue };

export interface ListSecretsInput {
  filters?: SecretFilter[] | undefined;
  includePlannedDeletion?: boolean | undefined;
  sortBy?: SortKey | undefined;
  sortOrder?: "asc" | "desc" | undefined;
  maxResults?: number | undefined;
  nextToken?: string | undefined;
}

export interface ListIdleInput {
  /** Not read for at least this many whole days. */
  days: number;
  maxResults?: number | undefined;
  nextToken?: string | undefined;
}

export interface BatchItemError {
  secretId: string;
  error: CofferError;
}

const dayMs = 24 * 60 * 60 * 1000;
const defaultPageSize = 100;

/** Everything that reads secrets: the domain rules of AWS Secrets Manager's read operations. */
export class SecretReader {
  constructor(private readonly deps: SecretDomainDeps) {}

  /**
   * GetSecretValue. With a read model (deps.readModel), a warm read is: find the entry (a map
   * lookup), authorize against its verified record, apply the deletion rules, pick the version:
   * no store query, no decryption, and one await (authorization) unless the access date is due.
   */
  getValue(
    scope: RequestScope,
    input: { secretId: string; versionId?: string | undefined; versionStage?: string | undefined },
  ): Promise<ReadValue> {
    return this.readOne(scope, input.secretId, input.versionId, input.versionStage, {
      "secretsmanager:VersionStage": input.versionStage,
      "secretsmanager:VersionId": input.versionId,
    });
  }

  private async readOne(
    scope: RequestScope,
    secretId: string,
    versionId: string | undefined,
    versionStage: string | undefined,
    context: Record<string, string | undefined>,
  ): Promise<ReadValue> {
    const model = this.deps.readModel;
    const cached = model?.find(scope.region, secretId);
    const now = this.deps.now();
    if (
      cached !== undefined &&
      !(cached.record.deletionDate !== undefined && cached.record.deletionDate <= now)
    ) {
      // Exactly the checks of the cold path below, in the same order, on the verified record.
      if (scope.caller && this.deps.authorizer) {
        await authorizeOn(this.deps, scope, "GetSecretValue", cached.record, secretId, context);
      }
      if (!cached.live) return this.readOne(scope, secretId, versionId, versionStage, context);
      assertNotScheduledForDeletion(cached.record);
      const version = cached.versions.get(
        versionId ?? (cached.stageIndex.get(versionStage ?? CURRENT) as string),
      );
      if (
        version !== undefined &&
        (versionStage === undefined || version.read.stages.includes(versionStage))
      ) {
        const today = startOfDay(now);
        if (version.accessedDay < today) {
          await this.deps.store.touchAccessed(cached.record.arn, version.read.versionId, today);
          version.accessedDay = today;
        }
        if (model !== undefined) model.lookups.hits++;
        return version.read;
      }
      // A version not held yet (or a selector that finds none): the store decides, as below.
      if (model !== undefined) model.lookups.misses++;
      return this.readValueOf(cached.record, versionId, versionStage, {
        generation: model?.begin() ?? 0,
        region: scope.region,
        secretId,
      });
    }
    const generation = model?.begin() ?? 0;
    if (model !== undefined) model.lookups.misses++;
    const secret = await requireSecretRecord(this.deps, scope, secretId, "GetSecretValue", context);
    assertNotScheduledForDeletion(secret);
    return this.readValueOf(secret, versionId, versionStage, { generation, region: scope.region, secretId });
  }

  private async readValueOf(
    secret: SecretRecord,
    versionId: string | undefined,
    versionStage: string | undefined,
    lookup: { generation: number; region: string; secretId: string },
  ): Promise<ReadValue> {
    const selector = versionId !== undefined ? { versionId } : { stage: versionStage ?? CURRENT };
    const snapshot = await this.deps.store.readSnapshot(secret.arn, selector);
    // The row may have changed (or gone) since authorization read it; the snapshot is what counts.
    if (snapshot) verifySecret(this.deps.envelope, snapshot.secret, snapshot.stages);
    const version = snapshot?.version;
    if (snapshot && version) verifyVersionStages(version, snapshot.stages);
    if (
      !snapshot ||
      !version ||
      version.value.kind === "none" || // a rotation's version its createSecret has not filled yet
      (versionStage !== undefined && !version.stages.includes(versionStage))
    ) {
      const what =
        versionId !== undefined
          ? `VersionId: ${versionId}${versionStage !== undefined ? ` and staging label: ${versionStage}` : ""}`
          : `staging label: ${versionStage ?? CURRENT}`;
      // AWS's text, which ends without a full stop.
      throw new ResourceNotFoundException(
        `Secrets Manager can't find the specified secret value for ${what}`,
      );
    }
    const value = openValue(this.deps.envelope, secret.arn, version.versionId, version.value);
    const today = startOfDay(this.deps.now());
    if ((version.lastAccessedAt ?? 0) < today || (secret.lastAccessedAt ?? 0) < today) {
      await this.deps.store.touchAccessed(secret.arn, version.versionId, today);
    }
    // Frozen: the read model hands this very object to every warm read of the version.
    const read: ReadValue = Object.freeze({
      arn: snapshot.secret.arn,
      name: snapshot.secret.name,
      versionId: version.versionId,
      stages: Object.freeze([...version.stages]),
      createdAt: version.createdAt,
      value,
    });
    // Kept only what the seal just verified, and only for the secret the lookup resolved to.
    if (this.deps.readModel !== undefined && snapshot.secret.arn === secret.arn) {
      this.deps.readModel.remember(
        lookup.generation,
        { region: lookup.region, secretId: lookup.secretId },
        { record: snapshot.secret, stages: snapshot.stages, read, accessedDay: today },
      );
    }
    return read;
  }

  async batchGetValues(
    scope: RequestScope,
    input: {
      secretIds?: string[] | undefined;
      filters?: SecretFilter[] | undefined;
      maxResults?: number | undefined;
      nextToken?: string | undefined;
    },
  ): Promise<{ values: ReadValue[]; errors: BatchItemError[]; nextToken?: string }> {
    if ((input.secretIds === undefined) === (input.filters === undefined)) {
      throw new InvalidParameterException(
        "Either 'SecretIdList' or 'Filters' must be provided, but not both.",
      );
    }
    if (input.filters === undefined) {
      const paging =
        input.maxResults !== undefined ? "MaxResults" : input.nextToken !== undefined ? "NextToken" : "";
      if (paging !== "") {
        throw new InvalidParameterException(
          `'Filters' not specified. 'Filters' must also be specified when '${paging}' is provided.`,
        );
      }
    }
    const values: ReadValue[] = [];
    const errors: BatchItemError[] = [];
    if (input.secretIds) {
      for (const secretId of new Set(input.secretIds)) {
        try {
          values.push(await this.getValue(scope, { secretId }));
        } catch (error) {
          if (!isCofferError(error)) throw error;
          errors.push({ secretId, error });
        }
      }
      return { values, errors };
    }
    const page = await this.list(scope, {
      filters: input.filters,
      maxResults: input.maxResults ?? 20,
      nextToken: input.nextToken,
    });
    for (const secret of page.secrets) {
      try {
        // The same read as GetSecretValue by full ARN (without its version conditions).
        values.push(await this.readOne(scope, secret.arn, undefined, undefined, {}));
      } catch (error) {
        if (!isCofferError(error)) throw error;
        errors.push({ secretId: secret.arn, error });
      }
    }
    return page.nextToken ? { values, errors, nextToken: page.nextToken } : { values, errors };
  }

  async getResourcePolicy(scope: RequestScope, secretId: string): Promise<SecretState> {
    return requireSecret(this.deps, scope, secretId, "GetResourcePolicy");
  }

  /** Findings as ValidateResourcePolicy reports them; a document that is not a policy at all is refused. */
  async validateResourcePolicy(
    scope: RequestScope,
    document: string,
    secretId: string | undefined,
  ): Promise<ValidateResourcePolicyResponse> {
    const state =
      secretId === undefined
        ? undefined
        : await requireSecret(this.deps, scope, secretId, "ValidateResourcePolicy");
    if (secretId === undefined) await authorizeOn(this.deps, scope, "ValidateResourcePolicy", undefined, "*");
    try {
      JSON.parse(document);
    } catch {
      throw new MalformedPolicyDocumentException("The policy document is not valid JSON.");
    }
    const validation = validatePolicy(document, {
      kind: "resource",
      ...(scope.caller ? { caller: { arn: scope.caller.principal, accountId: this.deps.accountId } } : {}),
      ...(state ? { secretArn: state.secret.arn } : {}),
    });
    return toValidateResourcePolicyResponse(validation);
  }

  /**
   * Which version holds each label, for secrets a ListSecrets page returned (its
   * SecretVersionsToStages): one store call per page. A secret with no labelled version is absent.
   */
  async stageMapsOf(secrets: readonly SecretRecord[]): Promise<Map<string, StageMap>> {
    return this.deps.store.stageMaps(secrets.map((secret) => secret.arn));
  }

  /**
   * DescribeSecret: the secret and, on a primary with replicas, `ReplicationStatus` with each
   * replica's last read in its region (read now from the replica's row: nothing caches it).
   */
  async describe(
    scope: RequestScope,
    secretId: string,
  ): Promise<SecretState & { replicationStatus?: ReplicaStatusReport[] }> {
    const state = await requireSecret(this.deps, scope, secretId, "DescribeSecret");
    const replicas = replicationView(state.secret).replicationStatus;
    if (replicas === undefined) return state;
    return {
      ...state,
      replicationStatus: await replicationStatusReport(this.deps.store, state.secret.arn, replicas),
    };
  }

  /**
   * Keyset pagination: the store returns rows strictly after the cursor in sort order, narrowed
   * through its indexes by what the filters require (`indexedMatches`); the filters themselves are
   * checked here, and the token records the last row examined, so adding or removing secrets
   * between pages neither repeats nor skips the others.
   */
  async list(
    scope: RequestScope,
    input: ListSecretsInput,
  ): Promise<{ secrets: SecretRecord[]; nextToken?: string }> {
    const sortBy = input.sortBy ?? "created-date";
    const order = input.sortOrder ?? "desc";
    const includePlannedDeletion = input.includePlannedDeletion ?? false;
    const filters = input.filters ?? [];
    const limit = input.maxResults ?? defaultPageSize;
    const digest = queryDigest({ region: scope.region, sortBy, order, includePlannedDeletion, filters });
    const cursor = decodePageToken(input.nextToken, digest);
    let after = cursor ? { sortValue: cursor.sortValue, arn: cursor.id } : undefined;
    const matches = indexedMatches(filters, scope.region);
    if (matches === undefined) return { secrets: [] };
    const found: SecretRecord[] = [];
    const now = this.deps.now();
    // Batches grow while the filters keep rejecting rows, so a rare match costs few store calls.
    let batchSize = Math.max(limit, 50);
    for (;;) {
      const batch = await this.deps.store.listSecrets({
        region: scope.region,
        matches,
        includePlannedDeletion,
        sortBy,
        order,
        after,
        limit: batchSize,
      });
      for (const secret of batch) {
        after = { sortValue: sortValueOf(secret, sortBy), arn: secret.arn };
        if (secret.deletionDate !== undefined && secret.deletionDate <= now) continue;
        if (!matchesFilters(secret, filters, scope.region)) continue;
        found.push(secret);
        if (found.length === limit) {
          // Only hand out a token when another page may follow.
          const more = await this.deps.store.listSecrets({
            region: scope.region,
            matches,
            includePlannedDeletion,
            sortBy,
            order,
            after,
            limit: 1,
          });
          return more.length > 0
            ? {
                secrets: found,
                nextToken: encodePageToken({ sortValue: after.sortValue, id: after.arn }, digest),
              }
            : { secrets: found };
        }
      }
      if (batch.length < batchSize) return { secrets: found };
      batchSize = Math.min(batchSize * 2, 2_000);
    }
  }

  /**
   * ListIdleSecrets: the secrets of the caller's region that nobody read (GetSecretValue,
   * BatchGetSecretValue) in the last `days` days — never read, or last read on a day that ended at
   * least `days` days ago (the store keeps the day of the last read, so a secret read late
   * yesterday is not idle for `days: 1` until that whole day is a day old) — least recently read
   * first. Only secrets the caller's identity policies let it `secretsmanager:ListSecrets` (as for
   * ListSecrets, a resource policy grants no listing); secrets scheduled for deletion are left out.
   */
  async listIdle(
    scope: RequestScope,
    input: ListIdleInput,
  ): Promise<{ secrets: SecretRecord[]; nextToken?: string }> {
    const now = this.deps.now();
    const cutoff = now - input.days * dayMs;
    const limit = input.maxResults ?? defaultPageSize;
    const digest = queryDigest({ region: scope.region, idle: input.days });
    const cursor = decodePageToken(input.nextToken, digest);
    let after = cursor ? { sortValue: cursor.sortValue, arn: cursor.id } : undefined;
    const matches = indexedMatches([], scope.region) ?? [];
    const found: SecretRecord[] = [];
    const batchSize = Math.max(limit, 50);
    for (;;) {
      const batch = await this.deps.store.listSecrets({
        region: scope.region,
        matches,
        includePlannedDeletion: false,
        sortBy: "last-accessed-date",
        order: "asc",
        after,
        limit: batchSize,
      });
      for (const secret of batch) {
        // Least recently read first: past the cutoff, every later secret was read since.
        const lastRead = secret.lastAccessedAt;
        if (lastRead !== undefined && lastRead + dayMs > cutoff) return { secrets: found };
        after = { sortValue: sortValueOf(secret, "last-accessed-date"), arn: secret.arn };
        if (secret.deletionDate !== undefined) continue;
        if (!(await this.mayList(scope, secret))) continue;
        found.push(secret);
        if (found.length === limit) {
          return {
            secrets: found,
            nextToken: encodePageToken({ sortValue: after.sortValue, id: after.arn }, digest),
          };
        }
      }
      if (batch.length < batchSize) return { secrets: found };
    }
  }

  /** Whether the caller's identity policies allow `secretsmanager:ListSecrets` on this secret. */
  private async mayList(scope: RequestScope, secret: SecretRecord): Promise<boolean> {
    if (!scope.caller || !this.deps.authorizer) return true;
    try {
      await this.deps.authorizer.check(scope.caller, "secretsmanager:ListSecrets", {
        arn: secret.arn,
        name: secret.name,
        tags: secret.tags,
      });
      return true;
    } catch (error) {
      if (error instanceof AccessDeniedException) return false;
      throw error;
    }
  }

  async listVersions(
    scope: RequestScope,
    input: {
      secretId: string;
      includeDeprecated?: boolean | undefined;
      maxResults?: number | undefined;
      nextToken?: string | undefined;
    },
  ): Promise<{ secret: SecretRecord; versions: VersionMeta[]; nextToken?: string }> {
    const state = await requireSecret(this.deps, scope, input.secretId, "ListSecretVersionIds");
    const includeDeprecated = input.includeDeprecated ?? false;
    const digest = queryDigest({ arn: state.secret.arn, includeDeprecated });
    const cursor = decodePageToken(input.nextToken, digest);
    const ordered = state.versions
      .filter((v) => includeDeprecated || v.stages.length > 0)
      .sort((a, b) => b.createdAt - a.createdAt || a.versionId.localeCompare(b.versionId));
    const start = cursor
      ? ordered.findIndex(
          (v) =>
            v.createdAt < Number(cursor.sortValue) ||
            (v.createdAt === Number(cursor.sortValue) && v.versionId.localeCompare(cursor.id) > 0),
        )
      : 0;
    const rest = start < 0 ? [] : ordered.slice(start);
    const limit = input.maxResults ?? defaultPageSize;
    const page = rest.slice(0, limit);
    const last = page.at(-1);
    if (rest.length > limit && last) {
      return {
        secret: state.secret,
        versions: page,
        nextToken: encodePageToken({ sortValue: last.createdAt, id: last.versionId }, digest),
      };
    }
    return { secret: state.secret, versions: page };
  }
}

function sortValueOf(secret: SecretRecord, sortBy: SortKey): string | number {
  switch (sortBy) {
    case "created-date":
      return secret.createdAt;
    case "last-changed-date":
      return secret.lastChangedAt;
    case "last-accessed-date":
      return secret.lastAccessedAt ?? 0;
    case "name":
      return secret.name;
  }
}

function startOfDay(epochMs: number): number {
  return epochMs - (epochMs % dayMs);
}

function isCofferError(error: unknown): error is CofferError {
  return error instanceof CofferError;
}
