import { randomInt, randomUUID } from "node:crypto";
import { join } from "node:path";
import { type AccessKey, AccessKeyRegistry, generateAccessKey } from "../auth/access-keys.js";
import type { CofferConfig } from "../config/config.js";
import { createEnvelope, type Envelope } from "../crypto/envelope.js";
import { type Keyring, openKeyring } from "../crypto/keyring.js";
import { randomArnSuffix } from "../domain/secrets/arn.js";
import type { SecretDomainDeps } from "../domain/secrets/deps.js";
import { SecretReader } from "../domain/secrets/secret-reader.js";
import { SecretWriter } from "../domain/secrets/secret-writer.js";
import { SqliteStore } from "../storage/sqlite/sqlite-store.js";

export interface Coffer {
  store: SqliteStore;
  keyring: Keyring;
  envelope: Envelope;
  accessKeys: AccessKeyRegistry;
  reader: SecretReader;
  writer: SecretWriter;
  accountId: string;
  /** Set on the first start without a configured admin: shown to the user once, never stored in plaintext. */
  generatedAdminKey: AccessKey | undefined;
  close(): Promise<void>;
}

export const databaseFileName = "coffer.db";

/** Builds the server's domain from configuration: the data folder, keys, store and services. */
export async function openCoffer(config: CofferConfig, now: () => number = Date.now): Promise<Coffer> {
  const keyring = openKeyring({
    home: config.home,
    ...(config.masterKeyBase64 !== undefined ? { masterKeyBase64: config.masterKeyBase64 } : {}),
    previousKeysBase64: config.previousMasterKeysBase64,
  });
  const envelope = createEnvelope(keyring);
  const store = new SqliteStore(join(config.home, databaseFileName));
  const accountId = await store.initSetting("account-id", config.accountId ?? randomAccountId());
  if (config.accountId !== undefined && accountId !== config.accountId) {
    await store.close();
    throw new Error(
      `COFFER_ACCOUNT_ID is ${config.accountId} but the data folder ${config.home} belongs to account ${accountId}; ARNs would not match.`,
    );
  }
  const accessKeys = new AccessKeyRegistry(store, envelope, now);
  const adminPrincipal = `arn:aws:iam::${accountId}:user/admin`;
  let generatedAdminKey: AccessKey | undefined;
  if (config.admin) {
    await accessKeys.save({ ...config.admin, principal: adminPrincipal });
  } else if ((await store.countAccessKeys()) === 0) {
    generatedAdminKey = generateAccessKey(adminPrincipal);
    await accessKeys.save(generatedAdminKey);
  }
  const deps: SecretDomainDeps = {
    store,
    envelope,
    accountId,
    now,
    newVersionId: randomUUID,
    newArnSuffix: randomArnSuffix,
  };
  return {
    store,
    keyring,
    envelope,
    accessKeys,
    reader: new SecretReader(deps),
    writer: new SecretWriter(deps),
    accountId,
    generatedAdminKey,
    close: () => store.close(),
  };
}

function randomAccountId(): string {
  let id = String(randomInt(1, 10));
  for (let i = 0; i < 11; i++) id += String(randomInt(10));
  return id;
}
