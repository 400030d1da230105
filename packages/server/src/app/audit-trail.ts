import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { AuditLog } from "../audit/audit-log.js";
import { AuditReader } from "../audit/audit-reader.js";
import { ConfigError, isPostgresStore, loadConfig } from "../config/config.js";
import { CofferError } from "../errors/catalog.js";
import {
  type AuditOperation,
  queryAuditEvents,
  tailAuditEvents,
  verifyAuditTrail,
} from "../operations/admin/audit-trail.js";
import { loadAdminModel } from "../protocol/model.js";
import { createInputValidator } from "../protocol/validate.js";
import { auditJournalFileName, JournaledAuditStore } from "../storage/file/journaled-audit-store.js";
import { openAuditStoreForReading } from "../storage/postgres/audit/open-for-reading.js";

/**
 * The audit trail of a data folder, opened read-only beside a running server or without one. It is
 * read from disk, not through the API, so it can be verified even when tampering has made the
 * server refuse requests. Refuses (ConfigError) a folder without a trail, and creates nothing.
 */
export async function openAuditTrail(env: Record<string, string | undefined>): Promise<AuditLog> {
  const config = loadConfig(env);
  if (config.store.engine === "postgres")
    return new AuditLog(await openAuditStoreForReading(config.store.url));
  return openTrailIn(config.home);
}

function openTrailIn(home: string): AuditLog {
  const folder = resolve(home);
  if (!existsSync(join(folder, auditJournalFileName))) {
    throw new ConfigError(
      existsSync(folder)
        ? `${folder} holds no audit trail (no ${auditJournalFileName}): is it the data folder (COFFER_HOME) of a Coffer server?`
        : `there is no folder ${folder}: give the data folder (COFFER_HOME) of a Coffer server`,
    );
  }
  return new AuditLog(JournaledAuditStore.openForReading(folder));
}

/** The audit operations of the admin API, run in this process over a data folder's trail. */
export interface LocalAuditApi {
  /** Same input and answer as `coffer.<operation>` over HTTP; errors carry the same AWS names. */
  call(operation: string, input: object): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

const localOperations: Record<string, AuditOperation> = {
  QueryAuditEvents: queryAuditEvents,
  TailAuditEvents: tailAuditEvents,
  VerifyAuditTrail: verifyAuditTrail,
};

/**
 * For `coffer audit … --data-dir DIR` (offline and forensic use): the very operations the server
 * runs, validated by the same model, so the CLI prints the same either way. Not authorized or
 * audited: reading the files is the authority. Writes nothing but the derived query index
 * (`audit.db`) beside the journal; the server process is not needed (its commits are noticed by
 * polling the journal while a tail waits).
 */
export async function openLocalAuditApi(
  home: string,
  options: {
    /** COFFER_STORE: on PostgreSQL the trail is the database's one chain, not the folder's. */
    store?: string | undefined;
  } = {},
): Promise<LocalAuditApi> {
  const log = isPostgresStore(options.store)
    ? new AuditLog(await openAuditStoreForReading(options.store))
    : openTrailIn(home);
  const reader = new AuditReader(log, { pollIntervalMs: 500 });
  const validator = createInputValidator(loadAdminModel());
  return {
    async call(operation, input) {
      const run = localOperations[operation];
      if (run === undefined) throw new Error(`${operation} is not an audit operation`);
      try {
        const wireInput = JSON.parse(JSON.stringify(input)) as Record<string, unknown>;
        validator.validate(operation, wireInput);
        return JSON.parse(JSON.stringify(await run(wireInput, undefined, { audit: reader }))) as Record<
          string,
          unknown
        >;
      } catch (error) {
        if (!(error instanceof CofferError)) throw error;
        // Shaped like the errors of a call over HTTP, so the CLI reports both alike.
        throw Object.assign(new Error(error.message), {
          name: error.awsName,
          $metadata: { httpStatusCode: error.status },
        });
      }
    },
    async close() {
      reader.close();
      await log.close();
    },
  };
}
