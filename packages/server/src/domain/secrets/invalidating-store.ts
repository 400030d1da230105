import type { SecretStore } from "../ports/secret-store.js";
import type { InvalidationSink } from "./invalidations.js";

/**
 * The store as the domain uses it when a read model is on: every call that changes stored rows
 * invalidates the secret it touched once the call settles, whether it succeeded or failed (a
 * failed commit may still have landed: a fault after the write, a lost reply). This covers every
 * path in the process that commits through the store — the writer, the purge sweep, a re-seal —
 * including ones added later, independently of the change bus (which a feed failure must not
 * silence). `touchAccessed` changes only the day-granular last-accessed date, which no cached
 * answer carries, so it passes through.
 */
export function invalidatingStore(store: SecretStore, sink: InvalidationSink): SecretStore {
  const after = async <T>(
    arn: string,
    name: string | undefined,
    region: string | undefined,
    work: Promise<T>,
  ) => {
    try {
      return await work;
    } finally {
      sink.invalidate({ kind: "secret", arn, name, region });
    }
  };
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
    commit: (change) =>
      after(change.secret.arn, change.secret.name, change.secret.region, store.commit(change)),
    commitMany: async (changes, purges = []) => {
      try {
        return await store.commitMany(changes, purges);
      } finally {
        for (const arn of purges)
          sink.invalidate({ kind: "secret", arn, name: undefined, region: undefined });
        for (const c of changes) {
          sink.invalidate({
            kind: "secret",
            arn: c.secret.arn,
            name: c.secret.name,
            region: c.secret.region,
          });
        }
      }
    },
    touchAccessed: (arn, versionId, day) => store.touchAccessed(arn, versionId, day),
    listDueForPurge: (now, limit) => store.listDueForPurge(now, limit),
    purge: (arn) => after(arn, undefined, undefined, store.purge(arn)),
    listSealedValues: (afterKey, limit) => store.listSealedValues(afterKey, limit),
    replaceWrappedKey: (row, replacement) =>
      after(row.arn, undefined, undefined, store.replaceWrappedKey(row, replacement)),
    listSeals: (afterArn, limit) => store.listSeals(afterArn, limit),
    reseal: (change) => after(change.arn, undefined, undefined, store.reseal(change)),
    referencedKekIds: () => store.referencedKekIds(),
    close: () => store.close(),
  };
}
