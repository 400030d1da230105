import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { LogLevel } from "../log/logger.js";
import {
  declaredKeyIdProblem,
  declaredSecretProblem,
  isLoopbackHost,
  isWeakDeclaredKey,
} from "./declared-key.js";
import { type ListenAddress, parseListenAddress } from "./metrics-listen.js";

export type { LogLevel };

/** Everything configurable, read once from the environment and frozen. No other module reads process.env. */
export interface CofferConfig {
  home: string;
  /**
   * Where the data lives (COFFER_STORE, `coffer serve --store`): the embedded SQLite file in the
   * data folder (default), or a PostgreSQL database shared by several nodes (`postgres://…`).
   */
  store: StoreLocation;
  host: string;
  port: number;
  accountId: string | undefined;
  admin: { accessKeyId: string; secretAccessKey: string } | undefined;
  masterKeyBase64: string | undefined;
  previousMasterKeysBase64: string[];
  logLevel: LogLevel;
  purgeIntervalMs: number;
  /** How often the rotation scheduler looks for due rotations (COFFER_ROTATION_CHECK_INTERVAL_SECONDS). */
  rotationCheckIntervalMs: number;
  /** Each rotation step's time budget (COFFER_ROTATION_STEP_TIMEOUT_SECONDS). */
  rotationStepTimeoutMs: number;
  /** How often audit events are flushed to disk; 0 flushes each batch before it is answered. */
  auditFsyncIntervalMs: number;
  /** How long a client may take to send a whole request (headers and body) before it is cut off. */
  requestTimeoutMs: number;
  /** The read model (docs/adr/0008): how many secrets it holds (0: off) and its memory bound in bytes. */
  readCacheEntries: number;
  readCacheBytes: number;
  defaultRegion: string;
  /**
   * Start even though the audit journal disagrees with its recorded head (COFFER_ACKNOWLEDGE_AUDIT_GAP=1,
   * `coffer serve --acknowledge-audit-gap`); the start records an AuditTrailGapAcknowledged event.
   */
  acknowledgeAuditGap: boolean;
  /**
   * What the rotators' configuration reads (docs/rotation.md): COFFER_ROTATORS, the variables its
   * webhook entries name for their secrets, AWS credentials for `awsLambda` entries, PATH for local
   * handlers' interpreters. A frozen copy of the environment, taken here like every other setting.
   */
  rotatorsEnvironment: Readonly<Record<string, string | undefined>>;
  /**
   * Where Prometheus metrics are served (`GET /metrics`, a listener of their own: docs/metrics.md),
   * from COFFER_METRICS_LISTEN or `coffer serve --metrics-listen`; undefined (the default): no metrics.
   */
  metricsListen: ListenAddress | undefined;
  /** Start-up warnings (one line each) about settings that work but are risky. */
  warnings: string[];
}

export type StoreLocation =
  | { engine: "sqlite"; path: string }
  | {
      engine: "postgres";
      url: string;
      /** Connections per node (COFFER_STORE_POOL_SIZE, default 10). */
      poolSize: number;
      /** A statement running longer is cancelled (COFFER_STORE_STATEMENT_TIMEOUT_MS, default 5000). */
      statementTimeoutMs: number;
      /** Connecting longer fails the request (COFFER_STORE_CONNECT_TIMEOUT_MS, default 2000). */
      connectTimeoutMs: number;
    };

/** The SQLite file in the data folder. */
export const databaseFileName = "coffer.db";

const logLevels: LogLevel[] = ["debug", "info", "warn", "error"];

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export const defaultPort = 7373;

export function loadConfig(env: Record<string, string | undefined>): Readonly<CofferConfig> {
  const adminId = env.COFFER_ADMIN_ACCESS_KEY_ID;
  const adminSecret = env.COFFER_ADMIN_SECRET_ACCESS_KEY;
  if ((adminId === undefined) !== (adminSecret === undefined)) {
    throw new ConfigError(
      "Set both COFFER_ADMIN_ACCESS_KEY_ID and COFFER_ADMIN_SECRET_ACCESS_KEY, or neither (then Coffer generates an admin key).",
    );
  }
  const keyProblem =
    (adminId !== undefined ? declaredKeyIdProblem(adminId) : undefined) ??
    (adminSecret !== undefined ? declaredSecretProblem(adminSecret) : undefined);
  if (keyProblem !== undefined) throw new ConfigError(keyProblem);
  const accountId = env.COFFER_ACCOUNT_ID;
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) {
    throw new ConfigError("COFFER_ACCOUNT_ID must be 12 digits, like an AWS account id.");
  }
  const logLevel = (env.COFFER_LOG_LEVEL ?? "info") as LogLevel;
  if (!logLevels.includes(logLevel)) {
    throw new ConfigError(`COFFER_LOG_LEVEL must be one of ${logLevels.join(", ")}.`);
  }
  const host = env.COFFER_HOST ?? "127.0.0.1";
  const warnings: string[] = [];
  if (
    adminId !== undefined &&
    adminSecret !== undefined &&
    !isLoopbackHost(host) &&
    isWeakDeclaredKey(adminId, adminSecret)
  ) {
    warnings.push(
      `the declared admin key (COFFER_ADMIN_ACCESS_KEY_ID) is short or a well-known emulator pair, and COFFER_HOST=${host} lets other machines connect: anyone who guesses it administers Coffer. Declare a long random key, or listen on 127.0.0.1.`,
    );
  }
  const acknowledgeAuditGap = parseFlag(env.COFFER_ACKNOWLEDGE_AUDIT_GAP, "COFFER_ACKNOWLEDGE_AUDIT_GAP");
  if (acknowledgeAuditGap) {
    warnings.push(
      "COFFER_ACKNOWLEDGE_AUDIT_GAP is on: a start that finds the audit trail cut or missing accepts the loss (and records it). Turn it off after this start, so no later loss is accepted unseen.",
    );
  }
  const home = resolve(env.COFFER_HOME ?? join(homedir(), ".coffer"));
  const store = parseStore(env, home);
  if (store.engine === "postgres" && env.COFFER_MASTER_KEY === undefined) {
    // A keyring file is per machine: two nodes would each make their own key for the same data.
    throw new ConfigError(
      "With COFFER_STORE on PostgreSQL every node needs the same master key: set COFFER_MASTER_KEY on each (base64 of 32 random bytes, e.g. `openssl rand -base64 32`); see docs/multi-node.md.",
    );
  }
  const metricsListen = parseMetricsListen(env.COFFER_METRICS_LISTEN);
  return Object.freeze({
    home,
    store,
    host,
    port: parsePort(env.COFFER_PORT),
    accountId,
    admin:
      adminId !== undefined && adminSecret !== undefined
        ? { accessKeyId: adminId, secretAccessKey: adminSecret }
        : undefined,
    masterKeyBase64: env.COFFER_MASTER_KEY,
    previousMasterKeysBase64: (env.COFFER_MASTER_KEYS_PREVIOUS ?? "")
      .split(",")
      .map((k) => k.trim())
      .filter((k) => k.length > 0),
    logLevel,
    purgeIntervalMs:
      parsePositiveInt(env.COFFER_PURGE_INTERVAL_SECONDS, "COFFER_PURGE_INTERVAL_SECONDS", 60) * 1000,
    rotationCheckIntervalMs:
      parsePositiveInt(
        env.COFFER_ROTATION_CHECK_INTERVAL_SECONDS,
        "COFFER_ROTATION_CHECK_INTERVAL_SECONDS",
        60,
      ) * 1000,
    rotationStepTimeoutMs:
      parsePositiveInt(
        env.COFFER_ROTATION_STEP_TIMEOUT_SECONDS,
        "COFFER_ROTATION_STEP_TIMEOUT_SECONDS",
        300,
      ) * 1000,
    auditFsyncIntervalMs: parseNonNegativeInt(env.COFFER_AUDIT_FSYNC_MS, "COFFER_AUDIT_FSYNC_MS", 100),
    requestTimeoutMs:
      parsePositiveInt(env.COFFER_REQUEST_TIMEOUT_SECONDS, "COFFER_REQUEST_TIMEOUT_SECONDS", 60) * 1000,
    readCacheEntries: parseNonNegativeInt(env.COFFER_READ_CACHE_ENTRIES, "COFFER_READ_CACHE_ENTRIES", 10_000),
    readCacheBytes: parseNonNegativeInt(env.COFFER_READ_CACHE_MB, "COFFER_READ_CACHE_MB", 64) * 1024 * 1024,
    defaultRegion: env.COFFER_REGION ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    acknowledgeAuditGap,
    rotatorsEnvironment: Object.freeze({ ...env }),
    metricsListen,
    warnings,
  });
}

/** Whether a COFFER_STORE value names a PostgreSQL database (else SQLite, or an error at start). */
export const isPostgresStore = (value: string | undefined): value is string =>
  value !== undefined && /^postgres(ql)?:\/\//.test(value);

function parseStore(env: Record<string, string | undefined>, home: string): StoreLocation {
  const value = env.COFFER_STORE;
  if (value === undefined || value === "" || value === "sqlite") {
    return { engine: "sqlite", path: join(home, databaseFileName) };
  }
  if (isPostgresStore(value)) {
    try {
      new URL(value);
    } catch {
      throw new ConfigError(
        "COFFER_STORE is not a valid URL: write postgres://user:password@host:5432/database.",
      );
    }
    return {
      engine: "postgres",
      url: value,
      poolSize: parsePositiveInt(env.COFFER_STORE_POOL_SIZE, "COFFER_STORE_POOL_SIZE", 10),
      statementTimeoutMs: parsePositiveInt(
        env.COFFER_STORE_STATEMENT_TIMEOUT_MS,
        "COFFER_STORE_STATEMENT_TIMEOUT_MS",
        5_000,
      ),
      connectTimeoutMs: parsePositiveInt(
        env.COFFER_STORE_CONNECT_TIMEOUT_MS,
        "COFFER_STORE_CONNECT_TIMEOUT_MS",
        2_000,
      ),
    };
  }
  throw new ConfigError(
    "COFFER_STORE must be `sqlite` (the default: a file in the data folder) or a PostgreSQL URL (postgres://user:password@host:5432/database).",
  );
}

function parseMetricsListen(value: string | undefined): ListenAddress | undefined {
  if (value === undefined || value === "") return undefined;
  const parsed = parseListenAddress(value);
  if (typeof parsed === "string") throw new ConfigError(parsed);
  return parsed;
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return defaultPort;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError("COFFER_PORT must be a port number from 0 to 65535 (0 picks a free port).");
  }
  return port;
}

function parseNonNegativeInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new ConfigError(`${name} must be a whole number, 0 or more.`);
  return parsed;
}

function parsePositiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new ConfigError(`${name} must be a positive whole number.`);
  return parsed;
}

function parseFlag(value: string | undefined, name: string): boolean {
  if (value === undefined || value === "" || value === "0" || value === "false") return false;
  if (value === "1" || value === "true") return true;
  throw new ConfigError(`${name} must be 1 (or true) to turn it on, 0 (or false) or unset to leave it off.`);
}
