import { randomInt, randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { type AuditCommitInfo, AuditLog } from "../audit/audit-log.js";
import type { AccessKeyRegistry } from "../auth/access-keys.js";
import type { CofferConfig } from "../config/config.js";
import { createEnvelope, type Envelope } from "../crypto/envelope.js";
import { type Keyring, openKeyring } from "../crypto/keyring.js";
import type { Authorizer } from "../domain/access/authorizer.js";
import { type AccessKey, generateAccessKey } from "../domain/identity/access-key-material.js";
import type { IdentityService } from "../domain/identity/identity-service.js";
import type { OidcProviderService } from "../domain/identity/oidc-provider-service.js";
import type { RoleService } from "../domain/identity/role-service.js";
import { RotationCredentialVault } from "../domain/identity/rotation-credentials.js";
import type { RoleSessions } from "../domain/identity/sts/role-sessions.js";
import type { SecretStore } from "../domain/ports/secret-store.js";
import type { Stores } from "../domain/ports/stores.js";
import { randomArnSuffix } from "../domain/secrets/arn.js";
import { ChangeEventBus } from "../domain/secrets/change-events.js";
import type { SecretDomainDeps } from "../domain/secrets/deps.js";
import { invalidatingStore } from "../domain/secrets/invalidating-store.js";
import { LocalSecretInvalidations } from "../domain/secrets/invalidations.js";
import { SecretReadModel } from "../domain/secrets/read-model.js";
import { replicatingStore } from "../domain/secrets/replication.js";
import { resealLegacySecrets } from "../domain/secrets/reseal.js";
import { SecretReader } from "../domain/secrets/secret-reader.js";
import { SecretWriter } from "../domain/secrets/secret-writer.js";
import type { RequestAudit } from "../pipeline/request-record.js";
import { openAuditStoreForWriting, openStores } from "../storage/open-stores.js";
import { auditGapAcknowledgedEvent } from "./audit-gap-acknowledgement.js";
import { auditOutageEvent } from "./audit-outage-event.js";
import { createIdentityServices } from "./identity-services.js";
import { watchOutsideChanges } from "./outside-changes.js";
import { replicationAuditOn } from "./replication-audit-event.js";
import { createRequestAudit } from "./request-audit-log.js";
import { rotationCredentialEvent } from "./rotation-credential-audit.js";

export interface Coffer {
  /** The database behind the domain's ports (SQLite or PostgreSQL: nothing here knows which). */
  stores: Stores;
  keyring: Keyring;
  envelope: Envelope;
  accessKeys: AccessKeyRegistry;
  identity: IdentityService;
  /** Roles: principals a workload becomes for a while (docs/adr/0011). */
  roles: RoleService;
  /** The OpenID Connect providers whose tokens may be exchanged for role sessions. */
  oidcProviders: OidcProviderService;
  /** STS's role sessions: AssumeRoleWithWebIdentity, AssumeRole, GetCallerIdentity. */
  sts: RoleSessions;
  /** Subscribes to OIDC providers changed or removed on this node (to drop their cached keys). */
  onProviderChanged(listener: (providerArn: string) => void): void;
  authorizer: Authorizer;
  /** Issues the short-lived, in-memory credentials a rotator calls back with (the rotation engine's RotationCredentialIssuer). */
  rotationCredentials: RotationCredentialVault;
  audit: RequestAudit;
  auditLog: AuditLog;
  reader: SecretReader;
  writer: SecretWriter;
  /** Every committed change, for the change feed (`GET /changes`). */
  changes: ChangeEventBus;
  /** What the read model follows (docs/adr/0008): every change, in this process and outside it. */
  invalidations: LocalSecretInvalidations;
  readModel: SecretReadModel;
  /** What the secrets domain runs on (the rotation engine commits through the same store and seal). */
  secretDeps: SecretDomainDeps;
  accountId: string;
  /** This process among the nodes sharing the store: the holder of its leases. */
  nodeId: string;
  /** What start-up found missing from the audit trail, when the operator acknowledged it; shown once. */
  acknowledgedAuditGap: string | undefined;
  /** Set on the first start without a configured admin: shown to the user once, never stored in plaintext. */
  generatedAdminKey: AccessKey | undefined;
  close(): Promise<void>;
}

/** Observers a server wires in (Prometheus metrics, docs/metrics.md); none by default. */
export interface CofferInstruments {
  /** Wraps the secret store the domain uses (to time each call). */
  secretStore?: ((store: SecretStore) => SecretStore) | undefined;
  /** Told after every committed audit transaction; must not throw. */
  onAuditCommit?: ((info: AuditCommitInfo) => void) | undefined;
}

/** Builds the server's domain from configuration: the data folder, keys, store and services. */
export async function openCoffer(
  config: CofferConfig,
  now: () => number = Date.now,
  instruments: CofferInstruments = {},
): Promise<Coffer> {
  const nodeId = `${hostname()}/${process.pid}/${randomUUID()}`;
  const stores = await openStores(config.store, nodeId);
  const store = stores.secrets;
  let keyring: Keyring;
  try {
    keyring = openKeyring({
      home: config.home,
      ...(config.masterKeyBase64 !== undefined ? { masterKeyBase64: config.masterKeyBase64 } : {}),
      previousKeysBase64: config.previousMasterKeysBase64,
      // Data already sealed: no new key is made for it, and the key given must open it.
      sealedUnder: { kekIds: await store.referencedKekIds(), location: stores.location },
    });
  } catch (error) {
    await stores.close();
    throw error;
  }
  const envelope = createEnvelope(keyring);
  const accountId = await stores.settings.initSetting("account-id", config.accountId ?? randomAccountId());
  if (config.accountId !== undefined && accountId !== config.accountId) {
    await stores.close();
    throw new Error(
      `COFFER_ACCOUNT_ID is ${config.accountId} but the data folder ${config.home} belongs to account ${accountId}; ARNs would not match.`,
    );
  }
  await resealLegacySecrets({ store, settings: stores.settings, envelope }); // ADR 0006: rows from before it, once
  // Issues only once the server runs, after the audit trail below is open.
  let auditLogForRotation: AuditLog | undefined;
  const rotationCredentials = new RotationCredentialVault({
    accountId,
    now,
    audit: async (record) => {
      if (!auditLogForRotation) throw new Error("the audit trail is not open");
      await auditLogForRotation.append(rotationCredentialEvent(record, accountId));
    },
    principalChanged: (arn) => authorizer.forget(arn),
  });
  const { accessKeys, authorizer, identity, roles, oidcProviders, sts, onProviderChanged } =
    createIdentityServices({
      store: stores.identity,
      envelope,
      accountId,
      now,
      rotationCredentials,
    });
  const admin = await identity.ensureAdmin();
  if (config.admin) await accessKeys.save({ ...config.admin, principal: admin.arn });
  // The trail before the admin key: if another process holds the data folder, nothing is created.
  let auditLog: AuditLog;
  let acknowledgedAuditGap: string | undefined;
  try {
    const holdsSecrets = await store.holdsSecretVersions();
    const trail = await openAuditStoreForWriting(config.store, config.home, {
      fsyncIntervalMs: config.auditFsyncIntervalMs,
      holdsSecrets: () => holdsSecrets,
      acknowledgeGap: config.acknowledgeAuditGap,
    });
    auditLog = new AuditLog(trail.store, {
      outageEvent: (outage) => auditOutageEvent(outage, { accountId, region: config.defaultRegion }),
      onCommit: instruments.onAuditCommit,
    });
    if (trail.acknowledgedGap !== undefined) {
      // The first event after the gap, before any request: who accepted the loss, and what was lost.
      const { preservedIndex, ...gap } = trail.acknowledgedGap;
      acknowledgedAuditGap = gap.message.slice(0, gap.message.indexOf(" Starting now"));
      await auditLog
        .append(
          auditGapAcknowledgedEvent({
            accountId,
            region: config.defaultRegion,
            time: now(),
            gap,
            preservedIndex,
          }),
        )
        .catch(async (error: unknown) => {
          await auditLog.close();
          throw error;
        });
    }
  } catch (error) {
    await stores.close();
    throw error;
  }
  auditLogForRotation = auditLog;
  let generatedAdminKey: AccessKey | undefined;
  if (!config.admin && (await stores.identity.countAccessKeys()) === 0) {
    generatedAdminKey = generateAccessKey(admin.arn);
    await accessKeys.save(generatedAdminKey);
  }
  // Ids start from the clock (microsecond-sized steps), so they keep growing across restarts and a
  // subscriber resuming with an id from an earlier run is told to reset rather than skip events.
  const changes = new ChangeEventBus({ firstId: now() * 1000 });
  // The read model starts after the start-up re-seal above, so it never held a row from before it.
  const invalidations = new LocalSecretInvalidations();
  const readModel = new SecretReadModel({
    maxEntries: config.readCacheEntries,
    maxBytes: config.readCacheBytes,
  });
  readModel.attach(invalidations);
  invalidations.follow(changes);
  const stopWatching = watchOutsideChanges({
    stores,
    keyring,
    sink: {
      invalidate: (invalidation) => invalidations.invalidate(invalidation),
      // Another node changed keys or policies: this node asks the store again on the next request.
      identityChanged: () => {
        accessKeys.forgetAll();
        authorizer.forget();
      },
      // Another node's change, streamed by this node's `GET /changes` too (and dropped from caches).
      changeEvent: (notice) => changes.publish(notice),
    },
  });
  const deps: SecretDomainDeps = {
    // Outermost: replication turns one secret's commit into its replicas' too (docs/replication.md).
    store: replicatingStore(
      invalidatingStore(instruments.secretStore?.(store) ?? store, invalidations),
      envelope,
    ),
    envelope,
    accountId,
    now,
    newVersionId: randomUUID,
    newArnSuffix: randomArnSuffix,
    // This node's changes go to its own feed and, through the store, to the other nodes' feeds.
    changes: {
      publish(notice) {
        changes.publish(notice);
        stores.announceChangeEvent?.(notice);
      },
    },
    authorizer,
    readModel,
    // Each change a replica takes gets its own event in the replica's region (docs/replication.md).
    replicationAudit: replicationAuditOn(auditLog, accountId),
  };
  return {
    stores,
    keyring,
    envelope,
    accessKeys,
    identity,
    roles,
    oidcProviders,
    sts,
    onProviderChanged,
    authorizer,
    rotationCredentials,
    audit: createRequestAudit(auditLog, accountId, config.defaultRegion),
    auditLog,
    reader: new SecretReader(deps),
    writer: new SecretWriter(deps),
    changes,
    invalidations,
    readModel,
    secretDeps: deps,
    accountId,
    nodeId,
    generatedAdminKey,
    acknowledgedAuditGap,
    close: async () => {
      stopWatching();
      await auditLog.close();
      await stores.close();
    },
  };
}

function randomAccountId(): string {
  let id = String(randomInt(1, 10));
  for (let i = 0; i < 11; i++) id += String(randomInt(10));
  return id;
}
