import type { CofferConfig } from "../config/config.js";
import { BuiltinRotators } from "../domain/rotation/builtin-rotators.js";
import { firstResolver } from "../domain/rotation/resolvers.js";
import type { RotationAuditEntry } from "../domain/rotation/rotation-audit.js";
import { RotationService } from "../domain/rotation/rotation-service.js";
import type { RotationCredentialIssuer, RotatorResolver } from "../domain/rotation/rotator.js";
import { RotationScheduler } from "../domain/rotation/scheduler.js";
import type { Logger } from "../log/logger.js";
import { PgPostgresPort } from "../rotators/postgres/pg-port.js";
import type { Coffer } from "./open-coffer.js";
import { rotationAuditEvent } from "./rotation-audit-event.js";

/**
 * What runs rotation steps besides the built-ins, supplied by whoever starts the server: a
 * resolver for local Lambda handlers, webhooks and AWS Lambda ARNs (packages/server/src/rotators/),
 * and the issuer of the short-lived credentials those rotators call Coffer back with.
 */
export interface RotationWiring {
  resolver?: RotatorResolver | undefined;
  issuer?: RotationCredentialIssuer | undefined;
}

/**
 * The wiring itself, or a factory given the opened Coffer and the server's URL (an issuer needs the
 * identity service and access keys, which exist only once the data folder is open).
 */
export type RotationWiringOption = RotationWiring | ((coffer: Coffer, endpoint: string) => RotationWiring);

export interface Rotation {
  service: RotationService;
  scheduler: RotationScheduler;
  /** Starts checking for due rotations every `config.rotationCheckIntervalMs`. */
  start(): void;
  /** Stops the checks and waits for runs under way in this process. */
  stop(): Promise<void>;
}

/** A claimed rotation stays claimed this much longer than its four steps may take. */
const leaseMarginMs = 60_000;

export function createRotation(
  coffer: Coffer,
  config: Pick<CofferConfig, "rotationCheckIntervalMs" | "rotationStepTimeoutMs">,
  options: {
    endpoint: () => string;
    logger: Logger;
    wiring?: RotationWiringOption | undefined;
    /** Whether this node runs background work now (its lease, app/background-lease.ts); default yes. */
    runsBackgroundWork?: (() => boolean) | undefined;
    /** Told of each rotation fact once the audit trail recorded it (metrics); must not throw. */
    onRecorded?: ((entry: RotationAuditEntry) => void) | undefined;
  },
): Rotation {
  const deps = coffer.secretDeps;
  const wiring =
    typeof options.wiring === "function" ? options.wiring(coffer, options.endpoint()) : options.wiring;
  const builtins = new BuiltinRotators({
    reader: coffer.reader,
    writer: coffer.writer,
    metadataOf: async (arn) => (await deps.store.findRecordByArn(arn))?.rotation?.externalMetadata ?? [],
    postgres: new PgPostgresPort(),
  });
  const nodeId = coffer.nodeId;
  const leaseMs = 4 * config.rotationStepTimeoutMs + leaseMarginMs;
  const service = new RotationService({
    secrets: deps,
    resolver: firstResolver(builtins, wiring?.resolver),
    // The server's own issuer (app/open-coffer.ts) unless the caller brings one.
    issuer: wiring?.issuer ?? coffer.rotationCredentials,
    audit: {
      record: async (entry) => {
        await coffer.auditLog.append(rotationAuditEvent(entry, coffer.accountId));
        options.onRecorded?.(entry);
      },
    },
    endpoint: options.endpoint,
    stepTimeoutMs: config.rotationStepTimeoutMs,
    schedule: coffer.stores.rotation,
    nodeId,
    leaseMs,
  });
  const scheduler = new RotationScheduler({
    schedule: coffer.stores.rotation,
    rotations: service,
    now: deps.now,
    nodeId,
    leaseMs,
    onOutcome: (arn, outcome) => options.logger.info("scheduled rotation", { arn, outcome }),
  });
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (options.runsBackgroundWork && !options.runsBackgroundWork()) return;
    scheduler.tick().catch((error: unknown) => {
      options.logger.error("rotation check failed", {
        error: error instanceof Error ? error.name : String(error),
      });
    });
  };
  return {
    service,
    scheduler,
    start() {
      tick();
      timer = setInterval(tick, config.rotationCheckIntervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await service.settled();
    },
  };
}
