/**
 * Records and changes the storage contract suites commit, built only from the domain's types, and
 * a deadline poll (no fixed sleeps). Test support only.
 */
import type { SecretChange } from "../../domain/ports/secret-store.js";
import type { SecretRecord, VersionRecord } from "../../domain/secrets/records.js";

export const region = "us-east-1";
export const otherRegion = "eu-west-1";
export const account = "123456789012";

export const arnOf = (name: string, inRegion = region) =>
  `arn:aws:secretsmanager:${inRegion}:${account}:secret:${name}-AbCdEf`;

/** A secret as the domain stores it: every optional field absent (as the engines read it back). */
export function secret(name: string, over: Partial<SecretRecord> = {}, inRegion = region): SecretRecord {
  return {
    arn: arnOf(name, inRegion),
    region: inRegion,
    name,
    description: undefined,
    kmsKeyId: undefined,
    tags: [],
    createdAt: 1_000,
    lastChangedAt: 1_000,
    lastAccessedAt: undefined,
    deletedAt: undefined,
    deletionDate: undefined,
    resourcePolicy: undefined,
    revision: 1,
    seal: { kekId: "kek-1", mac: Buffer.from(`mac-${name}`) },
    ...over,
  };
}

export function version(versionId: string, stages: string[], createdAt = 1_000): VersionRecord {
  return {
    versionId,
    stages,
    createdAt,
    lastAccessedAt: undefined,
    kmsKeyId: undefined,
    value: {
      kind: "string",
      kekId: "kek-1",
      wrappedKey: Buffer.from(`wk-${versionId}`),
      // Bytes no text encoding would keep: a value must come back byte for byte.
      ciphertext: Buffer.from([0, 1, 2, 0xff, 0xfe, versionId.length]),
    },
  };
}

export const create = (s: SecretRecord, versions: VersionRecord[] = []): SecretChange => ({
  secret: s,
  kind: "create",
  expectedRevision: 0,
  addVersions: versions,
  restage: [],
  removeVersions: [],
});

/** An update of `s` as read: the revision moves on by one; `change` adds what else it does. */
export const update = (
  s: SecretRecord,
  change: Partial<Omit<SecretChange, "secret">> & { secret?: Partial<SecretRecord> } = {},
): SecretChange => ({
  kind: "update",
  expectedRevision: s.revision,
  addVersions: [],
  restage: [],
  removeVersions: [],
  ...change,
  secret: { ...s, ...change.secret, revision: s.revision + 1 },
});

/** Polls `condition` until it holds (returning at once when it does), or fails after `ms`. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  what: string,
  ms = 5_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The outcome of racing calls: how many succeeded, and the errors of the others. */
export async function race<T>(work: Array<Promise<T>>) {
  const results = await Promise.allSettled(work);
  return {
    won: results.filter((r) => r.status === "fulfilled").length,
    errors: results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : [])),
  };
}
