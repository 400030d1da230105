import type { SecretFilter } from "../domain/secrets/filters.js";
import type { SecretRecord } from "../domain/secrets/records.js";
import { type ReplicaStatusReport, replicationView } from "../domain/secrets/replication.js";
import type { ReadValue } from "../domain/secrets/secret-reader.js";
import type { SecretValue } from "../domain/secrets/secret-value.js";
import { InvalidParameterException } from "../errors/catalog.js";

/** AWS JSON 1.1 sends timestamps as epoch seconds. */
export function epochSeconds(epochMs: number): number {
  return epochMs / 1000;
}

export function optionalEpochSeconds(epochMs: number | undefined): number | undefined {
  return epochMs === undefined ? undefined : epochMs / 1000;
}

/** SecretString or SecretBinary (base64 on the wire), never both. */
export function valueFromWire(input: {
  SecretString?: unknown;
  SecretBinary?: unknown;
}): SecretValue | undefined {
  const { SecretString, SecretBinary } = input;
  if (SecretString !== undefined && SecretBinary !== undefined) {
    throw new InvalidParameterException(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  if (typeof SecretString === "string") return { kind: "string", bytes: Buffer.from(SecretString, "utf8") };
  if (typeof SecretBinary === "string") return { kind: "binary", bytes: Buffer.from(SecretBinary, "base64") };
  return undefined;
}

export function valueToWire(value: SecretValue): { SecretString: string } | { SecretBinary: string } {
  return value.kind === "string"
    ? { SecretString: value.bytes.toString("utf8") }
    : { SecretBinary: value.bytes.toString("base64") };
}

/**
 * Filters as the model validator left them (known keys, 1 to 10 values, the value pattern): AWS then
 * refuses a filter without a Key, and one without Values, with these InvalidParameterException texts.
 */
export function filtersFromWire(filters: unknown): SecretFilter[] | undefined {
  if (filters === undefined) return undefined;
  return (filters as Array<{ Key?: SecretFilter["Key"]; Values?: string[] }>).map((filter) => {
    if (filter.Key === undefined) throw new InvalidParameterException("Invalid filter key");
    if (filter.Values === undefined) {
      throw new InvalidParameterException(`Invalid filter values for key: ${filter.Key}`);
    }
    return { Key: filter.Key, Values: filter.Values };
  });
}

/** Drops undefined members so the JSON answer carries only what is set. */
export function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}

/**
 * The metadata members DescribeSecret and ListSecrets share, as AWS sends them: members with
 * nothing to say are left out, not sent empty. A secret never rotated has no `RotationEnabled`; one
 * that is not replicated has no `PrimaryRegion` or `ReplicationStatus`; one without tags (or whose
 * last tag was removed) no `Tags`; a secret without labelled versions no version map.
 */
export function secretMetadataToWire(
  secret: SecretRecord,
  replicationStatus?: readonly ReplicaStatusReport[],
) {
  return {
    ARN: secret.arn,
    Name: secret.name,
    Type: secret.type,
    Description: secret.description,
    KmsKeyId: secret.kmsKeyId,
    ...rotationToWire(secret.rotation),
    LastChangedDate: epochSeconds(secret.lastChangedAt),
    LastAccessedDate: optionalEpochSeconds(secret.lastAccessedAt),
    DeletedDate: optionalEpochSeconds(secret.deletedAt),
    Tags: secret.tags.length > 0 ? secret.tags : undefined,
    CreatedDate: epochSeconds(secret.createdAt),
    ...replicationToWire(secret, replicationStatus),
  };
}

/** `PrimaryRegion` (a replicated primary and its replicas) and the primary's `ReplicationStatus`. */
function replicationToWire(secret: SecretRecord, report: readonly ReplicaStatusReport[] | undefined) {
  const view = replicationView(secret);
  const replicas = view.replicationStatus ? (report ?? view.replicationStatus) : undefined;
  return {
    PrimaryRegion: view.primaryRegion,
    ReplicationStatus: replicas ? replicationStatusToWire(replicas) : undefined,
  };
}

/** ReplicationStatusType entries; unset members left out (`LastAccessedDate` for a replica never read). */
export function replicationStatusToWire(replicas: readonly ReplicaStatusReport[]) {
  return replicas.map((r) =>
    compact({
      Region: r.region,
      KmsKeyId: r.kmsKeyId,
      Status: r.status,
      StatusMessage: r.statusMessage,
      LastAccessedDate: optionalEpochSeconds(r.lastAccessedAt),
    }),
  );
}

/** A version map (`VersionIdsToStages`, `SecretVersionsToStages`), or `undefined` when it would be empty. */
export function versionsToStagesWire(
  versions: ReadonlyArray<{ versionId: string; stages: readonly string[] }>,
): Record<string, string[]> | undefined {
  const map: Record<string, string[]> = {};
  let any = false;
  for (const { versionId, stages } of versions) {
    if (stages.length === 0) continue;
    map[versionId] = [...stages];
    any = true;
  }
  return any ? map : undefined;
}

/** DescribeSecret's and ListSecrets' rotation members (unset ones are dropped by `compact`). */
function rotationToWire(rotation: SecretRecord["rotation"]) {
  const rules = rotation?.rules;
  return {
    // AWS sends RotationEnabled only once rotation was configured (false again after a cancel).
    RotationEnabled: rotation?.enabled,
    RotationLambdaARN: rotation?.lambdaArn,
    RotationRules: rules
      ? compact({
          AutomaticallyAfterDays: rules.automaticallyAfterDays,
          Duration: rules.duration,
          ScheduleExpression: rules.scheduleExpression,
        })
      : undefined,
    ExternalSecretRotationMetadata: rotation?.externalMetadata,
    ExternalSecretRotationRoleArn: rotation?.externalRoleArn,
    // AWS: null once rotation is turned off (the rules stay, to show the previous schedule).
    LastRotatedDate: rotation?.enabled ? optionalEpochSeconds(rotation.lastRotatedAt) : undefined,
    NextRotationDate: rotation?.enabled ? optionalEpochSeconds(rotation.nextRotationAt) : undefined,
  };
}

/**
 * Coffer's own member (AWS has none): how the last rotation run went, so a user sees a failing
 * step without reading the audit trail. DescribeSecret only; SDKs ignore members they don't model.
 */
export function rotationStatusToWire(rotation: SecretRecord["rotation"]) {
  const run = rotation?.run;
  if (!run) return undefined;
  return compact({
    ClientRequestToken: run.token,
    RotateImmediately: run.immediate,
    Step: run.step,
    Status: run.outcome,
    Message: run.message,
    StartedDate: epochSeconds(run.startedAt),
    Date: epochSeconds(run.at),
  });
}

/** A GetSecretValue answer, also one entry of BatchGetSecretValue. */
export interface ReadValueWire {
  readonly ARN: string;
  readonly Name: string;
  readonly VersionId: string;
  readonly SecretString?: string;
  readonly SecretBinary?: string;
  readonly VersionStages: readonly string[];
  readonly CreatedDate: number;
}

/**
 * The ready answer: the wire object of a ReadValue, built once per ReadValue. The read model hands
 * out the same frozen ReadValue for every warm read of a version, so its wire object (frozen and
 * shared: never mutate an answer) and JSON text ({@link readyJsonOf}) are built once too. A
 * ReadValue that is not cached is collected with its entry here (weak keys).
 */
const wireOf = new WeakMap<ReadValue, ReadValueWire>();
/** The JSON text of an answer; `null` until first asked for. Weak: lives as long as the answer. */
const jsonOf = new WeakMap<object, string | null>();

export function readValueToWire(read: ReadValue): ReadValueWire {
  const held = wireOf.get(read);
  if (held !== undefined) return held;
  const wire: ReadValueWire = Object.freeze({
    ARN: read.arn,
    Name: read.name,
    VersionId: read.versionId,
    ...valueToWire(read.value),
    VersionStages: read.stages,
    CreatedDate: epochSeconds(read.createdAt),
  });
  wireOf.set(read, wire);
  jsonOf.set(wire, null);
  return wire;
}

/**
 * The answer's JSON text, exactly `JSON.stringify(answer)`, when the answer is one this module
 * built (a ready answer): for a warm read, built once and then reused. `undefined` for any other
 * object: the caller stringifies it. The request pipeline sends `readyJsonOf(result) ??
 * JSON.stringify(result)`.
 */
export function readyJsonOf(answer: object): string | undefined {
  const json = jsonOf.get(answer);
  if (json !== null) return json;
  const text = JSON.stringify(answer);
  jsonOf.set(answer, text);
  return text;
}

/** Declares `json` to be `JSON.stringify(answer)`; the caller guarantees it (and never mutates `answer`). */
export function withReadyJson<T extends object>(answer: T, json: string): T {
  jsonOf.set(answer, json);
  return answer;
}
