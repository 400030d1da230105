import { accessKeyContext } from "../auth/access-keys.js";
import { loadConfig } from "../config/config.js";
import { createEnvelope } from "../crypto/envelope.js";
import { type Keyring, openKeyring, retireKeys, rotateKeyringFile } from "../crypto/keyring.js";
import { resealIdentityUnderActiveKey } from "../domain/identity/identity-binding.js";
import type { Stores } from "../domain/ports/stores.js";
import { resealLegacySecrets, resealUnderActiveKey } from "../domain/secrets/reseal.js";
import { rewrapValue } from "../domain/secrets/secret-value.js";
import { DecryptionFailure } from "../errors/catalog.js";
import { openStores } from "../storage/open-stores.js";
import { waitForNodesOnKey } from "./node-heartbeat.js";

const pageSize = 200;
/** How long `coffer keys rotate` waits for every live node to switch to the new key. */
const nodesSwitchTimeoutMs = 60_000;

/**
 * `coffer keys rotate`: makes a new master key the active one, waits until every live node wraps
 * new data keys under it (their heartbeats in the store say so: app/node-heartbeat.ts), re-wraps
 * every data key under it (ciphertexts are untouched), then retires old keys nothing references.
 * Runs beside live servers: each row changes atomically and stays readable under either key.
 *
 * - A keyring file in the data folder (one node): the new key is added to the file, which the
 *   server notices by itself.
 * - COFFER_MASTER_KEY (several nodes share it: docs/multi-node.md): the operator gives every node
 *   the new key, the old one in COFFER_MASTER_KEYS_PREVIOUS, and runs this with the same setting;
 *   it re-wraps under COFFER_MASTER_KEY and says which previous keys nothing needs any more.
 */
export async function rotateMasterKey(
  env: Record<string, string | undefined>,
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<{ previousId: string; newId: string; rewrapped: number; retired: string[] }> {
  const config = loadConfig(env);
  const fromEnvironment = config.masterKeyBase64 !== undefined;
  let previousId: string;
  let newId: string;
  if (fromEnvironment) {
    const keyring = openKeyring({
      home: config.home,
      ...(config.masterKeyBase64 !== undefined ? { masterKeyBase64: config.masterKeyBase64 } : {}),
      previousKeysBase64: config.previousMasterKeysBase64,
    });
    newId = keyring.active().id;
    previousId = newId;
    out(`Re-wrapping data keys under COFFER_MASTER_KEY (${newId}) once every node uses it…`);
  } else {
    ({ previousId, newId } = rotateKeyringFile(config.home));
    out(
      `New master key ${newId} is active (was ${previousId}); re-wrapping data keys once every node uses it…`,
    );
  }
  const keyring = openKeyring({
    home: config.home,
    ...(config.masterKeyBase64 !== undefined ? { masterKeyBase64: config.masterKeyBase64 } : {}),
    previousKeysBase64: config.previousMasterKeysBase64,
  });
  const envelope = createEnvelope(keyring, { dataKeyCacheSize: 0 });
  const stores = await openStores(config.store);
  const store = stores.secrets;
  let rewrapped = 0;
  let unreadable = 0;
  try {
    // No value sealed by a node still on the old key may land after the scan below.
    const { nodes } = await waitForNodesOnKey({
      nodes: stores.nodes,
      kekId: newId,
      timeoutMs: nodesSwitchTimeoutMs,
    });
    if (nodes > 0) out(`${nodes} running node(s) wrap under ${newId}.`);
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
    // So do the seals of OIDC providers and roles' trust (ADR 0011).
    const identitySeals = await resealIdentityUnderActiveKey(stores.identity, envelope, newId);
    unreadable += identitySeals.unverifiable;
    const referenced = [...new Set([...(await store.referencedKekIds()), ...identitySeals.keptKekIds])];
    const removedIds = fromEnvironment
      ? unneededPreviousKeys(keyring, newId, referenced, out)
      : retireKeys(config.home, [newId, ...referenced]).removedIds;
    out(
      fromEnvironment
        ? `Re-wrapped ${rewrapped} data keys.`
        : `Re-wrapped ${rewrapped} data keys; retired ${removedIds.length} old master key(s).`,
    );
    out(
      `Re-sealed the metadata of ${seals.resealed} secret(s) and ${identitySeals.resealed} OIDC provider(s) and role(s) under the new key.`,
    );
    if (unreadable > 0) {
      out(
        `${unreadable} value(s), secret(s), provider(s) or role(s) failed their integrity check and keep their old key; reads of them fail closed, and such a provider or role lets nobody in.`,
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

/**
 * With keys from the environment nothing can be removed here: say which previous keys no data
 * needs any more, so the operator can drop them from COFFER_MASTER_KEYS_PREVIOUS.
 */
function unneededPreviousKeys(
  keyring: Keyring,
  activeId: string,
  referenced: string[],
  out: (line: string) => void,
) {
  const unneeded = keyring.ids().filter((id) => id !== activeId && !referenced.includes(id));
  if (unneeded.length > 0) {
    out(
      `Nothing is sealed under ${unneeded.join(", ")} any more: remove it from COFFER_MASTER_KEYS_PREVIOUS on every node.`,
    );
  }
  return unneeded;
}
