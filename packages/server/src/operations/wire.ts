import type { SecretFilter } from "../domain/secrets/filters.js";
import type { SecretRecord } from "../domain/secrets/records.js";
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

export function filtersFromWire(filters: unknown): SecretFilter[] | undefined {
  if (filters === undefined) return undefined;
  return (filters as Array<{ Key?: SecretFilter["Key"]; Values?: string[] }>).map((filter) => {
    if (filter.Key === undefined || filter.Values === undefined) {
      throw new InvalidParameterException("Each filter needs both a Key and at least one value in Values.");
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

/** The metadata members DescribeSecret and ListSecrets share. */
export function secretMetadataToWire(secret: SecretRecord) {
  return {
    ARN: secret.arn,
    Name: secret.name,
    Description: secret.description,
    KmsKeyId: secret.kmsKeyId,
    RotationEnabled: false,
    LastChangedDate: epochSeconds(secret.lastChangedAt),
    LastAccessedDate: optionalEpochSeconds(secret.lastAccessedAt),
    DeletedDate: optionalEpochSeconds(secret.deletedAt),
    Tags: secret.tags,
    CreatedDate: epochSeconds(secret.createdAt),
    PrimaryRegion: secret.region,
  };
}

/** A GetSecretValue answer, also one entry of BatchGetSecretValue. */
export function readValueToWire(read: ReadValue) {
  return {
    ARN: read.arn,
    Name: read.name,
    VersionId: read.versionId,
    ...valueToWire(read.value),
    VersionStages: read.stages,
    CreatedDate: epochSeconds(read.createdAt),
  };
}
