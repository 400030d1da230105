import { randomBytes, randomUUID } from "node:crypto";
import { createEnvelope } from "../../crypto/envelope.js";
import { openKeyring } from "../../crypto/keyring.js";
import type { Stores } from "../../domain/ports/stores.js";
import { BuiltinRotators } from "../../domain/rotation/builtin-rotators.js";
import type { PostgresPort } from "../../domain/rotation/postgres-port.js";
import { firstResolver, noCredentialIssuer } from "../../domain/rotation/resolvers.js";
import type { RotationAuditEntry } from "../../domain/rotation/rotation-audit.js";
import { RotationService } from "../../domain/rotation/rotation-service.js";
import type { RotationStep, RotationStepEvent, Rotator } from "../../domain/rotation/rotator.js";
import { RotationStepError } from "../../domain/rotation/rotator.js";
import { RotationScheduler } from "../../domain/rotation/scheduler.js";
import { randomArnSuffix } from "../../domain/secrets/arn.js";
import type { SecretDomainDeps } from "../../domain/secrets/deps.js";
import { SecretReader } from "../../domain/secrets/secret-reader.js";
import { SecretWriter } from "../../domain/secrets/secret-writer.js";
import { SqliteStore } from "./sqlite-store.js";

export const scope = { region: "us-east-1" };
export const hour = 3_600_000;
export const day = 24 * hour;
export const text = (s: string) => ({ kind: "string" as const, bytes: Buffer.from(s) });

/** A rotator AWS-style that fails the steps named in `failing` (with a message). */
export const flakyArn = "arn:aws:lambda:us-east-1:123456789012:function:flaky";

/** What the rotation domain keeps its state in: the secrets, and the schedule of due rotations. */
export type RotationStores = Pick<Stores, "secrets" | "rotation">;

/** A SQLite store as {@link RotationStores}. */
export const sqliteRotationStores = (store: SqliteStore): RotationStores => ({
  secrets: store,
  rotation: store.rotation,
});

/**
 * The rotation domain over `stores` (default: an in-memory SQLite store) with a clock the test
 * moves: the built-in random-password rotator, plus `flakyArn`, which delegates to it but fails the
 * steps in `failing`.
 */
export function rotationDomain(
  options: { start?: number; stores?: RotationStores; masterKey?: string; postgres?: PostgresPort } = {},
) {
  let now = options.start ?? Date.UTC(2026, 0, 1, 12);
  const stores = options.stores ?? sqliteRotationStores(new SqliteStore(":memory:"));
  const store = stores.secrets;
  const keyring = openKeyring({
    home: "/nonexistent",
    masterKeyBase64: options.masterKey ?? randomBytes(32).toString("base64"),
  });
  const secrets: SecretDomainDeps = {
    store,
    envelope: createEnvelope(keyring),
    accountId: "123456789012",
    now: () => now,
    newVersionId: randomUUID,
    newArnSuffix: randomArnSuffix,
  };
  const reader = new SecretReader(secrets);
  const writer = new SecretWriter(secrets);
  const builtins = new BuiltinRotators({
    reader,
    writer,
    metadataOf: async (arn) => (await store.findRecordByArn(arn))?.rotation?.externalMetadata ?? [],
    postgres: options.postgres,
  });
  const failing = new Set<RotationStep>();
  const hooks: { onStep?: ((step: RotationStep) => Promise<unknown>) | undefined } = {};
  const invoked: RotationStepEvent[] = [];
  const flaky: Rotator = {
    description: "flaky test rotator",
    async invoke(event, context) {
      invoked.push(event);
      await hooks.onStep?.(event.Step);
      if (failing.has(event.Step)) throw new RotationStepError(event.Step, `${event.Step} failed on purpose`);
      const builtin = builtins.resolve("arn:coffer:rotation:::builtin/random-password");
      await builtin?.invoke(event, context);
    },
  };
  const audit: RotationAuditEntry[] = [];
  const nodeId = `node-${randomUUID()}`;
  const service = new RotationService({
    secrets,
    resolver: firstResolver(builtins, { resolve: (arn) => (arn === flakyArn ? flaky : undefined) }),
    issuer: noCredentialIssuer,
    audit: {
      record: async (entry) => {
        audit.push(entry);
      },
    },
    endpoint: () => "http://127.0.0.1:1",
    stepTimeoutMs: 60_000,
    schedule: stores.rotation,
    nodeId,
    leaseMs: 10 * 60_000,
  });
  const scheduler = new RotationScheduler({
    schedule: stores.rotation,
    rotations: service,
    now: () => now,
    nodeId,
    leaseMs: 10 * 60_000,
  });
  return {
    /** Called as each step of the flaky rotator starts (property tests check invariants there). */
    set onStep(hook: ((step: RotationStep) => Promise<unknown>) | undefined) {
      hooks.onStep = hook;
    },
    stores,
    secrets,
    reader,
    writer,
    service,
    scheduler,
    failing,
    invoked,
    audit,
    now: () => now,
    setNow: (t: number) => {
      now = t;
    },
    advance: (ms: number) => {
      now += ms;
    },
    /** Labels by version id (versions with labels only). */
    async labels(secretId: string) {
      const state = await reader.describe(scope, secretId);
      return Object.fromEntries(
        state.versions.filter((v) => v.stages.length > 0).map((v) => [v.versionId, [...v.stages].sort()]),
      );
    },
    async value(secretId: string, selector: { versionStage?: string; versionId?: string } = {}) {
      const read = await reader.getValue(scope, { secretId, ...selector });
      return read.value.bytes.toString("utf8");
    },
  };
}
