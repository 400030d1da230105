import { existsSync } from "node:fs";
import { join } from "node:path";
import { AuditLog } from "../audit/audit-log.js";
import type { AuditEvent } from "../audit/event.js";
import { ConfigError, databaseFileName, loadConfig } from "../config/config.js";
import { createEnvelope } from "../crypto/envelope.js";
import { openKeyring } from "../crypto/keyring.js";
import { keyringFilePath } from "../crypto/keyringFile.js";
import { journalWriterRunning } from "../storage/file/journal-lock.js";
import { auditJournalFileName, JournaledAuditStore } from "../storage/file/journaled-audit-store.js";
import { openStores } from "../storage/open-stores.js";
import { canAdminister, createIdentityServices } from "./identity-services.js";
import { localOperatorEvent } from "./local-operator.js";

export const recoverEventName = "RecoverAdminAccess";

/**
 * `coffer admin recover`: for whoever holds the data folder and its master key, a way back in when
 * every admin key is lost, disabled or deleted. Runs offline, where the data lives (COFFER_HOME,
 * COFFER_MASTER_KEY), never beside a running server (the audit trail's lock tells). Restores the
 * `admin` user and its AdministratorAccess policy, mints a new access key, records a
 * `RecoverAdminAccess` event in the hash-chained trail, and only then prints the key, once.
 */
export async function recoverAdminAccess(
  env: Record<string, string | undefined>,
  out: (text: string) => void = (text) => process.stdout.write(text),
  err: (text: string) => void = (text) => process.stderr.write(text),
): Promise<{ accessKeyId: string }> {
  const config = loadConfig(env);
  const home = config.home;
  if (!existsSync(join(home, databaseFileName))) {
    throw new ConfigError(
      `No Coffer data in ${home}: set COFFER_HOME to the data folder of the server to recover.`,
    );
  }
  if (config.masterKeyBase64 === undefined && !existsSync(keyringFilePath(home))) {
    throw new ConfigError(
      `No master key: ${keyringFilePath(home)} is missing and COFFER_MASTER_KEY is not set. Recovery needs the master key the server uses.`,
    );
  }
  const journalPath = join(home, auditJournalFileName);
  if (journalWriterRunning(journalPath)) {
    throw new ConfigError(
      `A Coffer server is using ${home}. Stop it, run \`coffer admin recover\` again, then start the server.`,
    );
  }
  const keyring = openKeyring({
    home,
    ...(config.masterKeyBase64 !== undefined ? { masterKeyBase64: config.masterKeyBase64 } : {}),
    previousKeysBase64: config.previousMasterKeysBase64,
  });
  const stores = await openStores(config.store);
  let auditLog: AuditLog | undefined;
  try {
    const unknownKeys = (await stores.secrets.referencedKekIds()).filter(
      (id) => keyring.get(id) === undefined,
    );
    if (unknownKeys.length > 0) {
      throw new ConfigError(
        `The master key does not open this data folder (data is sealed under key ${unknownKeys[0]}): set COFFER_MASTER_KEY (and COFFER_MASTER_KEYS_PREVIOUS) as the server has them.`,
      );
    }
    const accountId = await stores.settings.getSetting("account-id");
    if (accountId === undefined)
      throw new ConfigError(`${home} holds no Coffer account; nothing to recover.`);
    // Takes the trail's lock: a server starting meanwhile refuses until recovery is done.
    auditLog = new AuditLog(JournaledAuditStore.openForWriting(home, { fsyncIntervalMs: 0 }));
    const now = Date.now();
    const { identity, authorizer, accessKeys } = createIdentityServices({
      store: stores.identity,
      envelope: createEnvelope(keyring),
      accountId,
      now: Date.now,
    });
    const restored = await identity.restoreAdministrator();
    try {
      await auditLog.append(
        recoveryEvent({ accountId, region: config.defaultRegion, time: now, ...restored }),
      );
    } catch (error) {
      // No event, no key: the trail must show every way in.
      await stores.identity.deleteAccessKey(restored.key.accessKeyId);
      accessKeys.forget(restored.key.accessKeyId);
      throw error;
    }
    if (restored.recreatedUser) err(`Re-created the user ${restored.user.name}.\n`);
    if (restored.restoredPolicy) err(`Restored its AdministratorAccess policy.\n`);
    if (!(await canAdminister(authorizer, restored.user.arn))) {
      err(
        `Warning: another policy of ${restored.user.name} denies administering Coffer; list its policies with \`coffer admin policy list ${restored.user.name}\`.\n`,
      );
    }
    err(
      `Recorded ${recoverEventName} in the audit trail. New admin access key for ${restored.user.arn}; the secret is shown only this once:\n`,
    );
    out(
      `export AWS_ACCESS_KEY_ID=${restored.key.accessKeyId}\nexport AWS_SECRET_ACCESS_KEY=${restored.key.secretAccessKey}\n`,
    );
    return { accessKeyId: restored.key.accessKeyId };
  } finally {
    await auditLog?.close();
    await stores.close();
  }
}

function recoveryEvent(input: {
  accountId: string;
  region: string;
  time: number;
  user: { name: string; arn: string };
  key: { accessKeyId: string };
  recreatedUser: boolean;
  restoredPolicy: boolean;
}): AuditEvent {
  return localOperatorEvent({
    accountId: input.accountId,
    region: input.region,
    time: input.time,
    eventName: recoverEventName,
    command: "coffer admin recover",
    requestParameters: { userName: input.user.name },
    responseElements: {
      userName: input.user.name,
      accessKeyId: input.key.accessKeyId,
      recreatedUser: input.recreatedUser,
      restoredPolicy: input.restoredPolicy,
    },
  });
}
