import { accessKeyContext } from "../auth/access-keys.js";
import { ConfigError, loadConfig } from "../config/config.js";
import { createEnvelope } from "../crypto/envelope.js";
import { openKeyring, retireKeys, rotateKeyringFile } from "../crypto/keyring.js";
import type { Stores } from "../domain/ports/stores.js";
import { resealLegacySecrets, resealUnderActiveKey } from "../domain/secrets/reseal.js";
import { rewrapValue } from "../domain/secrets/secret-value.js";
import { DecryptionFailure } from "../errors/catalog.js";
import { openStores } from "../storage/open-stores.js";

const pageSize = 200;
const keyringSettleMs = 3_000;

/**
 * `coffer keys rotate`: adds a new master key to the keyring file, re-wraps every data key under it
 * (ciphertexts are untouched), then retires old keys nothing references any more. Runs beside a
 * live server: each row changes atomically and stays readable under either key, and the server
 * notices the new key through the keyring file.
 */
export async function rotateMasterKey(
  env: Record<string, string | undefined>,
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<{ previousId: string; newId: string; rewrapped: number; retired: string[] }> {
  const config = loadConfig(env);
  if (config.masterKeyBase64 !== undefined) {
    throw new ConfigError(
      "The master key comes from COFFER_MASTER_KEY, so Coffer cannot rotate it in place: generate a new key, set it as COFFER_MASTER_KEY with the old one in COFFER_MASTER_KEYS_PREVIOUS, restart, then run `coffer keys rotate` again to re-wrap.",
    );
  }
  const { previousId, newId } = rotateKeyringFile(config.home);
  out(`New master key ${newId} is active (was ${previousId}); re-wrapping data keys…`);
  // A running server notices the new key within its keyring check interval; wait it out so no
  // value it seals with the old key lands after the scan below.
  await new Promise((resolve) => setTimeout(resolve, keyringSettleMs));
  const keyring = openKeyring({ home: config.home });
  const envelope = createEnvelope(keyring, { dataKeyCacheSize: 0 });
  const stores = await openStores(config.store);
  const store = stores.secrets;
  let rewrapped = 0;
  let unreadable = 0;
  try {
    // A data folder not started since the upgrade to ADR 0006 still has unsealed rows.
    await resealLegacySecrets({ store, settings: stores.settings, envelope });
    let after: string | undefined;
    for (;;) {
      const page = await store.listSealedValues(after, pageSize);
      for (const row of page) {
        if (row.value.kekId === newId) continue;
        let next: ReturnType<typeof rewrapValue>;
        try {
          next = rewrapValue(envelope, row.arn, row.versionId, row.value);
        } catch (error) {
          // A row that no longer opens (edited in the database) keeps its old key, which stays.
          if (!(error instanceof DecryptionFailure)) throw error;
          unreadable++;
          continue;
        }
        if (await store.replaceWrappedKey(row, next)) rewrapped++;
      }
      if (page.length < pageSize) break;
      after = page.at(-1)?.key;
    }
    rewrapped += await rewrapAccessKeys(stores.identity, envelope, newId);
    // The seals over secret metadata (ADR 0006) move to the new key too, each checked first.
    const seals = await resealUnderActiveKey({ store, settings: stores.settings, envelope }, newId);
    unreadable += seals.unverifiable;
    const referenced = await store.referencedKekIds();
    const { removedIds } = retireKeys(config.home, [newId, ...referenced]);
    out(`Re-wrapped ${rewrapped} data keys; retired ${removedIds.length} old master key(s).`);
    out(`Re-sealed the metadata of ${seals.resealed} secret(s) under the new key.`);
    if (unreadable > 0) {
      out(
        `${unreadable} value(s) or secret(s) failed their integrity check and keep their old key; reads of them fail closed.`,
      );
    }
    return { previousId, newId, rewrapped, retired: removedIds };
  } finally {
    await stores.close();
  }
}

async function rewrapAccessKeys(
  identity: Stores["identity"],
  envelope: ReturnType<typeof createEnvelope>,
  newId: string,
) {
  let count = 0;
  for (const record of await identity.listAccessKeys()) {
    if (record.sealedSecret.kekId === newId) continue;
    const next = envelope.rewrap(record.sealedSecret, accessKeyContext(record.accessKeyId));
    await identity.putAccessKey({
      ...record,
      sealedSecret: { kind: record.sealedSecret.kind, ...next },
    });
    count++;
  }
  return count;
}
