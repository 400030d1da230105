import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AuditReader } from "../audit/audit-reader.js";
import type { CofferConfig } from "../config/config.js";
import { isLoopbackHost } from "../config/declared-key.js";
import type { CanReadChange } from "../http/change-feed/can-read.js";
import { createChangeFeed } from "../http/change-feed/change-feed.js";
import { createConsoleAssets } from "../http/console-assets.js";
import { createRequestHandler } from "../http/request-handler.js";
import { createLogger, type Logger } from "../log/logger.js";
import { CofferMetrics } from "../metrics/coffer-metrics.js";
import { type MetricsListener, startMetricsListener } from "../metrics/metrics-listener.js";
import { knownOperationsOf } from "../metrics/prom-request-metrics.js";
import type { RequestAudit } from "../pipeline/request-record.js";
import { loadRotatorResolver } from "../rotators/configured-resolver.js";
import { BackgroundLease } from "./background-lease.js";
import { canReadWithAccessControl } from "./change-feed-access.js";
import { composePipeline } from "./compose-pipeline.js";
import { listen } from "./listen.js";
import { startNodeHeartbeat } from "./node-heartbeat.js";
import { type Coffer, openCoffer } from "./open-coffer.js";
import { createReadiness } from "./readiness.js";
import { createRotation, type Rotation, type RotationWiringOption } from "./rotation.js";

export interface RunningServer {
  coffer: Coffer;
  rotation: Rotation;
  url: string;
  port: number;
  /** `http://host:port/metrics` when metrics are served (COFFER_METRICS_LISTEN), else undefined. */
  metricsUrl: string | undefined;
  logger: Logger;
  close(): Promise<void>;
}

/** Tuning of `GET /changes`; the defaults are in `http/change-feed/change-feed.ts`. */
export interface ChangeFeedTuning {
  pingIntervalMs?: number;
  maxSubscribers?: number;
  maxBacklogBytes?: number;
  /** Which events a caller may see; every event until access control exists (see `can-read.ts`). */
  canRead?: CanReadChange;
}

/** This package's version, from its package.json (beside `dist/`). */
function serverVersion(): string {
  try {
    const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === "string" ? version : "unknown";
  } catch {
    return "unknown";
  }
}

export async function startServer(
  config: CofferConfig,
  logger: Logger = createLogger(config.logLevel),
  options: {
    changeFeed?: ChangeFeedTuning;
    /**
     * Replaces the audit trail (`coffer.audit`) in the request handler. For benchmarks and tests
     * only (`bench/coffer-server-no-audit.mjs` measures the audit's cost with it): deliberately
     * programmatic, never reachable from configuration — no environment variable turns auditing off.
     */
    audit?: RequestAudit;
    /** Rotators beyond the built-ins, and the issuer of their credentials (app/rotation.ts). */
    rotation?: RotationWiringOption;
  } = {},
): Promise<RunningServer> {
  // A rotators file with mistakes refuses the start before anything is created (docs/rotation.md).
  const configuredRotators =
    options.rotation === undefined
      ? loadRotatorResolver({
          home: config.home,
          env: config.rotatorsEnvironment,
          // Sizes only: what a rotation function prints may hold secret values.
          onOutput: (info) => logger.debug("rotation step output", info),
        })
      : undefined;
  // The port first: a start that cannot serve must not create the data folder, the master key or
  // an admin key whose one-time secret would then never be shown (docs/adr/0003).
  let dispatch: RequestListener | undefined;
  const early: Array<[IncomingMessage, ServerResponse]> = [];
  const server = createServer(
    {
      keepAliveTimeout: 65_000,
      // A client that trickles its request is cut off (slow-client protection); the cut-short
      // request is recorded as the client's (RequestAbortedException), not as a server fault.
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: Math.min(60_000, config.requestTimeoutMs),
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, config.requestTimeoutMs / 4)),
    },
    (request, response) => {
      if (dispatch) dispatch(request, response);
      else early.push([request, response]);
    },
  );
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const status = error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? "408 Request Timeout" : "400 Bad Request";
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });
  await listen(server, config.port, config.host);
  // Metrics (docs/metrics.md) on a listener of their own, bound before anything is created too.
  const metrics = config.metricsListen === undefined ? undefined : new CofferMetrics();
  let metricsListener: MetricsListener | undefined;
  let coffer: Coffer;
  try {
    if (metrics !== undefined && config.metricsListen !== undefined) {
      const { host, port } = config.metricsListen;
      metricsListener = await startMetricsListener(metrics, host, port);
      logger.info("metrics served", { url: metricsListener.url });
      if (!isLoopbackHost(host)) {
        logger.warn(
          "metrics are served beyond this machine, without authentication: they reveal request rates, error rates and operation names (never a secret's name or value). Restrict who reaches this port, or set COFFER_METRICS_LISTEN to a loopback address.",
          { url: metricsListener.url },
        );
      }
    }
    coffer = await openCoffer(config, Date.now, {
      secretStore: metrics ? (store) => metrics.timeSecretStore(store, config.store.engine) : undefined,
      onAuditCommit: metrics ? (info) => metrics.auditCommitted(info) : undefined,
    });
  } catch (error) {
    await metricsListener?.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
  if (metrics !== undefined) {
    metrics.observeAuditLog(coffer.auditLog);
    const readModel = coffer.readModel;
    metrics.observeReadModel(() => ({
      hits: readModel.lookups.hits,
      misses: readModel.lookups.misses,
      entries: readModel.size,
      bytes: readModel.bytes,
    }));
  }
  const now = Date.now;
  const {
    canRead = canReadWithAccessControl({
      accessKeys: coffer.accessKeys,
      authorizer: coffer.authorizer,
      store: coffer.stores.secrets,
      now,
    }),
    ...feedLimits
  } = options.changeFeed ?? {};
  const changeFeed = createChangeFeed({ bus: coffer.changes, canRead, logger, ...feedLimits });
  // Other nodes' commits to a shared trail send this process no notice: a waiting tail also polls.
  const auditReader = new AuditReader(coffer.auditLog, { pollIntervalMs: 1_000 });
  // No stream outlives the audit guarantee: while the trail fails, subscribers are cut off (and
  // their reconnections refused until it recovers).
  const stopWatchingAudit = coffer.auditLog.onHealthChange((health) => {
    if (!health.ok) changeFeed.endStreams();
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = config.host.includes(":") ? `[${config.host}]` : config.host;
  const url = `http://${hostForUrl}:${port}`;
  // Rotation functions call this process back on the loopback address when it listens on all of them.
  const rotationHost = config.host === "0.0.0.0" ? "127.0.0.1" : config.host === "::" ? "[::1]" : hostForUrl;
  const rotationEndpoint = `http://${rotationHost}:${port}`;
  // Purging and scheduled rotations run on one node at a time (the others take over within ~10 s).
  const background = new BackgroundLease({
    leases: coffer.stores.leases,
    name: "background-work",
    holder: coffer.nodeId,
    onChange: (held) =>
      logger.debug(
        held ? "this node runs the background work" : "this node no longer runs the background work",
        {
          node: coffer.nodeId,
        },
      ),
    onError: (error) =>
      logger.warn("background lease check failed", {
        error: error instanceof Error ? error.name : String(error),
      }),
  });
  const rotation: Rotation = createRotation(coffer, config, {
    runsBackgroundWork: () => background.held(),
    endpoint: () => rotationEndpoint,
    logger,
    wiring: options.rotation ?? { resolver: configuredRotators, issuer: coffer.rotationCredentials },
    onRecorded: metrics ? (entry) => metrics.rotationRecorded(entry) : undefined,
  });
  const pipeline = composePipeline(coffer, logger, {
    auditReader,
    audit: options.audit,
    now,
    rotation: rotation.service,
    metrics: metrics
      ? // The change feed's subscription is a Secrets Manager request served outside its model.
        (apis) => metrics.requestMetrics(knownOperationsOf(apis, { secretsmanager: ["SubscribeToChanges"] }))
      : undefined,
  });
  const handler = createRequestHandler({
    pipeline,
    changeFeed,
    readiness: createReadiness({
      ping: () => coffer.stores.ping(),
      auditHealth: () => coffer.auditLog.health(),
    }),
    console: createConsoleAssets({ region: config.defaultRegion, version: serverVersion() }),
  });
  dispatch = handler;
  for (const [request, response] of early.splice(0)) handler(request, response);

  const purge = async () => {
    if (!background.held()) return;
    try {
      const purged = await coffer.writer.purgeDue();
      if (purged > 0) logger.info("purged secrets whose recovery window ended", { count: purged });
    } catch (error) {
      logger.error("purge failed", { error: error instanceof Error ? error.name : String(error) });
    }
  };
  // Which master key this node wraps under: `coffer keys rotate` waits on it (app/node-heartbeat.ts).
  const heartbeat = startNodeHeartbeat({
    nodes: coffer.stores.nodes,
    nodeId: coffer.nodeId,
    activeKekId: () => coffer.keyring.active().id,
    onError: (error) =>
      logger.warn("node heartbeat failed", { error: error instanceof Error ? error.name : String(error) }),
  });
  await heartbeat.beat();
  await background.start();
  await purge();
  const purgeTimer = setInterval(purge, config.purgeIntervalMs);
  purgeTimer.unref();
  rotation.start();

  return {
    coffer,
    rotation,
    url,
    port,
    metricsUrl: metricsListener?.url,
    logger,
    close: async () => {
      clearInterval(purgeTimer);
      await rotation.stop();
      await background.stop();
      await heartbeat.stop();
      stopWatchingAudit();
      // Change feed streams never end by themselves: end them, or close() would wait for them.
      changeFeed.close();
      // Audit tails waiting for events answer now rather than hold close() for their wait.
      auditReader.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await metricsListener?.close();
      await coffer.close();
    },
  };
}
