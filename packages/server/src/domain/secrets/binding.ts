import type { Envelope } from "../../crypto/envelope.js";
import { DecryptionFailure } from "../../errors/catalog.js";
import type { SecretRecord, StageMap, VersionMeta, VersionRecord } from "./records.js";

/**
 * ADR 0006: the rows that decide *which* plaintext a caller receives are authenticated by the master
 * key, so someone who can write the database but does not hold the key cannot steer a read.
 *
 * - Each value's AES-GCM AAD binds the secret's full ARN, the version id and the kind
 *   (secret-value.ts): a ciphertext cannot move to another secret or version, or change kind.
 * - Each secret row carries a MAC (`seal`) over every column a request depends on (all but the
 *   day-granular last-accessed date) together with the secret's stage map. The revision counter,
 *   which grows with every committed change, is one of those columns.
 *
 * A value read checks the MAC over a snapshot of the row and the stage map, then that the version
 * it selected holds exactly the labels the map gives it. Any mismatch is a DecryptionFailure.
 */

const BINDING_LABEL = "coffer/secret-binding/v1";
const CANT_DECRYPT = "Secrets Manager can't decrypt the protected secret text using the provided KMS key.";

export function stageMapOf(versions: ReadonlyArray<Pick<VersionMeta, "versionId" | "stages">>): StageMap {
  return versions
    .flatMap((v) => v.stages.map((stage) => ({ stage, versionId: v.versionId })))
    .sort((a, b) => (a.stage < b.stage ? -1 : a.stage > b.stage ? 1 : 0));
}

/** Canonical bytes: a JSON array in fixed order, so no two different inputs share an encoding. */
function bindingMessage(secret: SecretRecord, stages: StageMap): Buffer {
  const sorted = [...stages].sort((a, b) => (a.stage < b.stage ? -1 : a.stage > b.stage ? 1 : 0));
  // Columns added after ADR 0006 (schema v6: `type`, v7: `rotation`) follow as tagged pairs, and
  // only when set, so a row sealed before they existed keeps exactly the bytes it was sealed over.
  // The rotation settings name the code that runs with the secret's credentials, so a database
  // edit must not steer them.
  const later: Array<[string, unknown]> = [];
  if (secret.type !== undefined) later.push(["type", secret.type]);
  if (secret.rotation !== undefined) later.push(["rotation", rotationForSeal(secret.rotation)]);
  // Schema v9: which secret this one replicates (or which replicas it has) decides where writes go.
  if (secret.replication !== undefined) later.push(["replication", replicationForSeal(secret.replication)]);
  return Buffer.from(
    JSON.stringify([
      BINDING_LABEL,
      secret.arn,
      secret.region,
      secret.name,
      secret.description ?? null,
      secret.kmsKeyId ?? null,
      secret.tags.map((t) => [t.Key, t.Value]),
      secret.createdAt,
      secret.lastChangedAt,
      secret.deletedAt ?? null,
      secret.deletionDate ?? null,
      secret.resourcePolicy ?? null,
      secret.revision,
      sorted.map((s) => [s.stage, s.versionId]),
      ...later,
    ]),
    "utf8",
  );
}

function rotationForSeal(r: NonNullable<SecretRecord["rotation"]>) {
  return [
    r.enabled,
    r.lambdaArn ?? null,
    r.rules?.automaticallyAfterDays ?? null,
    r.rules?.scheduleExpression ?? null,
    r.rules?.duration ?? null,
    r.lastRotatedAt ?? null,
    r.nextRotationAt ?? null,
    (r.externalMetadata ?? []).map((m) => [m.Key, m.Value]),
    r.externalRoleArn ?? null,
    r.run
      ? [
          r.run.token,
          r.run.immediate,
          r.run.step,
          r.run.outcome,
          r.run.message ?? null,
          r.run.startedAt,
          r.run.at,
        ]
      : null,
  ];
}

function replicationForSeal(r: NonNullable<SecretRecord["replication"]>) {
  return r.role === "replica"
    ? ["replica", r.primaryRegion]
    : ["primary", r.replicas.map((x) => [x.region, x.kmsKeyId ?? null, x.status, x.statusMessage ?? null])];
}

/** The record with a fresh seal over it and the stage map its versions will have after the commit. */
export function sealSecret(
  envelope: Envelope,
  secret: SecretRecord,
  versionsAfter: ReadonlyArray<Pick<VersionMeta, "versionId" | "stages">>,
): SecretRecord {
  return { ...secret, seal: envelope.authenticate(bindingMessage(secret, stageMapOf(versionsAfter))) };
}

/** Seals a record over a stage map as read from storage (start-up re-seal, key rotation). */
export function sealSecretOverMap(envelope: Envelope, secret: SecretRecord, stages: StageMap): SecretRecord {
  return { ...secret, seal: envelope.authenticate(bindingMessage(secret, stages)) };
}

/** Throws DecryptionFailure unless the record and stage map are exactly what the master key sealed. */
export function verifySecret(envelope: Envelope, secret: SecretRecord, stages: StageMap): void {
  if (secret.seal === undefined) throw new DecryptionFailure(`${CANT_DECRYPT} The secret is not sealed.`);
  envelope.verify(bindingMessage(secret, stages), secret.seal);
}

/** Throws DecryptionFailure unless the version's own label column agrees with the verified stage map. */
export function verifyVersionStages(version: VersionRecord, stages: StageMap): void {
  const expected = stages
    .filter((s) => s.versionId === version.versionId)
    .map((s) => s.stage)
    .sort();
  const actual = [...version.stages].sort();
  if (expected.length !== actual.length || expected.some((stage, i) => stage !== actual[i])) {
    throw new DecryptionFailure(CANT_DECRYPT);
  }
}
