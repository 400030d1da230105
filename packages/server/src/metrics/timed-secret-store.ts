import type { SecretStore } from "../domain/ports/secret-store.js";
import type { HistogramChild, PlainHistogram } from "./plain-histogram.js";

/**
 * Every method of the port, timed or not: the compiler fails here when the port gains a method,
 * so none goes untimed by oversight. `close` is passed through.
 */
const methods: Record<keyof SecretStore, boolean> = {
  findByName: true,
  findByArn: true,
  findRecordByName: true,
  findRecordByArn: true,
  readVersion: true,
  readSnapshot: true,
  listSecrets: true,
  stageMaps: true,
  commit: true,
  commitMany: true,
  touchAccessed: true,
  listDueForPurge: true,
  purge: true,
  listSealedValues: true,
  replaceWrappedKey: true,
  listSeals: true,
  reseal: true,
  referencedKekIds: true,
  holdsSecretVersions: true,
  close: false,
};

type AnyMethod = (...args: unknown[]) => Promise<unknown>;

/**
 * The secret store with each call's latency observed in `duration` (labels: engine, method,
 * outcome `ok`/`error`). Method names are the port's, a fixed set; nothing of the arguments (names,
 * ARNs, values) becomes a label.
 */
export function timedSecretStore(store: SecretStore, engine: string, duration: PlainHistogram): SecretStore {
  const timed: Record<string, AnyMethod> = {};
  for (const [method, time] of Object.entries(methods)) {
    const original = (store as unknown as Record<string, AnyMethod>)[method] as AnyMethod;
    if (!time) {
      timed[method] = (...args) => original.apply(store, args);
      continue;
    }
    // Resolved on first use, so only methods actually called appear in a scrape.
    let ok: HistogramChild | undefined;
    let failed: HistogramChild | undefined;
    timed[method] = (...args) => {
      const started = performance.now();
      let pending: Promise<unknown>;
      try {
        pending = original.apply(store, args);
      } catch (error) {
        failed ??= duration.child(engine, method, "error");
        failed.observe((performance.now() - started) / 1000);
        throw error;
      }
      return pending.then(
        (result) => {
          ok ??= duration.child(engine, method, "ok");
          ok.observe((performance.now() - started) / 1000);
          return result;
        },
        (error: unknown) => {
          failed ??= duration.child(engine, method, "error");
          failed.observe((performance.now() - started) / 1000);
          throw error;
        },
      );
    };
  }
  return timed as unknown as SecretStore;
}
