import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { SecretStore } from "../domain/ports/secret-store.js";
import { PlainCounter } from "./plain-counter.js";
import { PlainHistogram } from "./plain-histogram.js";
import { createRequestMetrics, type KnownOperations } from "./prom-request-metrics.js";
import type { RequestMetrics } from "./request-metrics.js";
import { timedSecretStore } from "./timed-secret-store.js";

/** The audit log's queue: events waiting for their transaction, and those in the one being written. */
export interface AuditQueueDepth {
  pending: number;
  inFlight: number;
}

/** The read model's lookups since start (GetSecretValue answered from memory, or not) and its size. */
export interface ReadModelCounts {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
}

/** A rotation's fact as the rotation engine records it in the audit trail (no identifiers needed here). */
export interface RotationFact {
  event: string;
  step?: string | undefined;
  outcome?: string | undefined;
}

const rotationResults: Record<string, string> = {
  RotationSucceeded: "succeeded",
  RotationFailed: "failed",
  RotationAbandoned: "abandoned",
};
const rotationSteps = new Set(["createSecret", "setSecret", "testSecret", "finishSecret"]);
const stepOutcomes = new Set(["succeeded", "failed"]);

/**
 * The registry of Coffer's metrics (docs/metrics.md lists each): requests, latency, authentication
 * failures, the audit trail's write latency and queue, the read model's hits and misses, the secret
 * store's latency, rotation results, and prom-client's default process metrics (memory, CPU, the
 * event loop's lag from `perf_hooks.monitorEventLoopDelay`, GC). One instance per server process;
 * every label value comes from a fixed set: never a secret's name, ARN, caller or value.
 */
export class CofferMetrics {
  readonly registry = new Registry();
  private readonly requests = new PlainCounter(
    "coffer_requests_total",
    "Requests answered, by API, operation and outcome (ok, denied, auth_failure, server_error, or the client error's name).",
    ["api", "operation", "outcome"],
  );
  private readonly requestDuration = new PlainHistogram(
    "coffer_request_duration_seconds",
    "Time from a request's arrival to its reply (audit record written), by API, operation and result class.",
    ["api", "operation", "result"],
  );
  private readonly authFailures = new PlainCounter(
    "coffer_auth_failures_total",
    "Requests refused because authentication failed (SigV4, unknown or expired key), by API and error name.",
    ["api", "reason"],
  );
  private readonly auditWriteDuration = new PlainHistogram(
    "coffer_audit_write_duration_seconds",
    "Time to write one audit transaction (a group commit of every event of an event-loop turn).",
    [],
  );
  private readonly auditWrite = this.auditWriteDuration.child();
  private readonly auditEvents = new PlainCounter(
    "coffer_audit_events_written_total",
    "Audit events committed to the trail.",
    [],
  );
  private readonly auditEventsWritten = this.auditEvents.child();
  private auditQueue: (() => AuditQueueDepth) | undefined;
  private auditFailures: (() => number) | undefined;
  private readModel: (() => ReadModelCounts) | undefined;
  private readonly storeDuration = new PlainHistogram(
    "coffer_store_operation_duration_seconds",
    "Latency of each call to the secret store, by engine, port method and outcome (ok or error).",
    ["engine", "method", "outcome"],
  );
  private readonly rotations = new PlainCounter(
    "coffer_rotations_total",
    "Rotation runs ended, by result (succeeded, failed, abandoned).",
    ["result"],
  );
  private readonly rotationSteps = new PlainCounter(
    "coffer_rotation_steps_total",
    "Rotation steps finished, by step and outcome.",
    ["step", "outcome"],
  );

  private readonly auditWriteFailures = new PlainCounter(
    "coffer_audit_write_failures_total",
    "Audit transactions that failed (each refused its requests with a 503).",
    [],
    (counter) => {
      counter.child().value = this.auditFailures?.() ?? 0;
    },
  );
  private readonly readModelLookups = new PlainCounter(
    "coffer_read_model_lookups_total",
    "GetSecretValue reads answered from the in-memory read model (hit) or from the store (miss).",
    ["result"],
    (counter) => {
      const counts = this.readModel?.();
      counter.child("hit").value = counts?.hits ?? 0;
      counter.child("miss").value = counts?.misses ?? 0;
    },
  );
  /** Written by this class at scrape time; prom-client's registry holds the gauges and its default metrics. */
  private readonly plain: ReadonlyArray<{ toText(): string }> = [
    this.requests,
    this.requestDuration,
    this.authFailures,
    this.auditWriteDuration,
    this.auditEvents,
    this.auditWriteFailures,
    this.readModelLookups,
    this.storeDuration,
    this.rotations,
    this.rotationSteps,
  ];

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const metrics = this;
    new Gauge({
      name: "coffer_audit_queue_events",
      help: "Audit events not yet committed: pending (waiting for the next transaction) and in_flight (being written).",
      labelNames: ["state"],
      registers: [this.registry],
      collect() {
        const depth = metrics.auditQueue?.() ?? { pending: 0, inFlight: 0 };
        this.set({ state: "pending" }, depth.pending);
        this.set({ state: "in_flight" }, depth.inFlight);
      },
    });
    new Gauge({
      name: "coffer_read_model_entries",
      help: "Secrets held by the in-memory read model.",
      registers: [this.registry],
      collect() {
        this.set(metrics.readModel?.().entries ?? 0);
      },
    });
    new Gauge({
      name: "coffer_read_model_bytes",
      help: "Estimated memory held by the read model's values, in bytes.",
      registers: [this.registry],
      collect() {
        this.set(metrics.readModel?.().bytes ?? 0);
      },
    });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** What the request pipeline calls, bounded to these operations. */
  requestMetrics(known: KnownOperations): RequestMetrics {
    return createRequestMetrics(
      { requests: this.requests, duration: this.requestDuration, authFailures: this.authFailures },
      known,
    );
  }

  /** The secret store with each call timed (`coffer_store_operation_duration_seconds`). */
  timeSecretStore(store: SecretStore, engine: string): SecretStore {
    return timedSecretStore(store, engine, this.storeDuration);
  }

  /** The audit log's `onCommit`: one transaction written. */
  auditCommitted(info: { events: number; durationMs: number }): void {
    this.auditWrite.observe(info.durationMs / 1000);
    this.auditEventsWritten.value += info.events;
  }

  /** Where the audit queue's depth and failed transactions are read at each scrape. */
  observeAuditLog(source: { queueDepth(): AuditQueueDepth; stats(): { failedTransactions: number } }): void {
    this.auditQueue = () => source.queueDepth();
    this.auditFailures = () => source.stats().failedTransactions;
  }

  /** Where the read model's counts are read at each scrape. */
  observeReadModel(source: () => ReadModelCounts): void {
    this.readModel = source;
  }

  /** A rotation fact, once the audit trail recorded it. */
  rotationRecorded(fact: RotationFact): void {
    const result = rotationResults[fact.event];
    if (result !== undefined) this.rotations.child(result).value++;
    if (
      fact.event === "RotationStep" &&
      fact.step !== undefined &&
      rotationSteps.has(fact.step) &&
      fact.outcome !== undefined &&
      stepOutcomes.has(fact.outcome)
    ) {
      this.rotationSteps.child(fact.step, fact.outcome).value++;
    }
  }

  /**
   * The Prometheus text exposition of every metric: the plain families written here (labels
   * formatted once per series, so a scrape is string concatenation), then prom-client's registry.
   */
  async scrape(): Promise<string> {
    let text = "";
    for (const family of this.plain) text += `${family.toText()}\n`;
    return text + (await this.registry.metrics());
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
