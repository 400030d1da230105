import { randomUUID } from "node:crypto";
import {
  InvalidParameterException,
  InvalidRequestException,
  ResourceNotFoundException,
} from "../../errors/catalog.js";
import type { RotationSchedule } from "../ports/rotation-schedule.js";
import { stageMapOf, verifySecret } from "../secrets/binding.js";
import { withOptimisticRetry } from "../secrets/commit.js";
import type { RequestScope, SecretDomainDeps } from "../secrets/deps.js";
import type { RotationRules, SecretRotation, SecretState, VersionRecord } from "../secrets/records.js";
import { assertNotScheduledForDeletion, requireSecret } from "../secrets/resolve.js";
import { openValue, sealValue } from "../secrets/secret-value.js";
import { CURRENT } from "../secrets/stages.js";
import { assertBuiltinConfig, isBuiltinRotatorArn } from "./builtin-rotators.js";
import { commitEdit, editSecret } from "./rotation-commit.js";
import { RotationEngine, type RotationEngineDeps } from "./rotation-engine.js";
import { nextRotationWindow, parseRotationRules, windowAt } from "./schedule.js";

export const PENDING = "AWSPENDING";

export const previousRotationIncomplete =
  "A previous rotation isn't complete. That rotation will be reattempted.";
export const noRotationFunction =
  "You tried to enable rotation on a secret that doesn't already have a Lambda function ARN configured and you didn't include such an ARN as a parameter in this call.";

export interface RotateSecretInput {
  secretId: string;
  clientRequestToken?: string | undefined;
  rotationLambdaArn?: string | undefined;
  rotationRules?: RotationRules | undefined;
  externalMetadata?: Array<{ Key?: string | undefined; Value?: string | undefined }> | undefined;
  externalRoleArn?: string | undefined;
  rotateImmediately?: boolean | undefined;
}

export interface RotationServiceDeps extends RotationEngineDeps {
  schedule: RotationSchedule;
  /** This node's name in the lease table (unique per process). */
  nodeId: string;
  /** How long a claimed rotation stays claimed; longer than a run can take (four step timeouts). */
  leaseMs: number;
}

/**
 * RotateSecret and CancelRotateSecret with AWS's rules, and the start of every rotation run
 * (requested or scheduled). A run claims the secret's lease first, so one node runs it.
 */
export class RotationService {
  readonly engine: RotationEngine;
  private readonly runs = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: RotationServiceDeps) {
    this.engine = new RotationEngine(deps);
  }

  private get secrets(): SecretDomainDeps {
    return this.deps.secrets;
  }

  async rotate(
    scope: RequestScope,
    input: RotateSecretInput,
  ): Promise<{ arn: string; name: string; versionId: string }> {
    // Authorized before anything else is checked: a caller who may not rotate it learns nothing.
    const state = await requireSecret(this.secrets, scope, input.secretId, "RotateSecret", {
      "secretsmanager:RotationLambdaARN": input.rotationLambdaArn,
      "secretsmanager:RotateImmediately": String(input.rotateImmediately ?? true),
      "secretsmanager:ModifyRotationRules": String(input.rotationRules !== undefined),
    });
    assertNotScheduledForDeletion(state);
    const parsedRules =
      input.rotationRules !== undefined ? parseRotationRules(input.rotationRules) : undefined;
    const metadata = input.externalMetadata?.map(({ Key, Value }) => {
      if (Key === undefined || Value === undefined) {
        throw new InvalidParameterException(
          "Each ExternalSecretRotationMetadata item needs a Key and a Value.",
        );
      }
      return { Key, Value };
    });
    const before = state.secret.rotation;
    // Stored configuration names the code that runs with the secret: only as the master key sealed it.
    if (before !== undefined) verifySecret(this.secrets.envelope, state.secret, stageMapOf(state.versions));
    const lambdaArn = input.rotationLambdaArn || before?.lambdaArn;
    if (!lambdaArn) throw new InvalidRequestException(noRotationFunction);
    const externalMetadata = metadata ?? before?.externalMetadata;
    if (isBuiltinRotatorArn(lambdaArn)) assertBuiltinConfig(lambdaArn, externalMetadata ?? []);
    const rotator = this.deps.resolver.resolve(lambdaArn);
    if (!rotator) {
      throw new ResourceNotFoundException(
        `Coffer can't find a rotator for RotationLambdaARN ${lambdaArn}: no built-in rotator, local Lambda handler, webhook or AWS Lambda is configured for it. No change was made.`,
      );
    }
    const token = input.clientRequestToken ?? this.secrets.newVersionId();
    const ref = { arn: state.secret.arn, name: state.secret.name, versionId: token };
    if (state.versions.some((v) => v.versionId === token)) {
      // A retried request whose rotation already began (or a reused token): nothing new starts.
      if (before?.run?.token === token) return ref;
      throw new InvalidRequestException(
        `You can't use ClientRequestToken ${token} because that value is already in use for a version of secret ${state.secret.arn}.`,
      );
    }
    assertNoRotationInFlight(state);
    const now = this.secrets.now();
    // One holder per claim (not per node), so two runs in one process exclude each other too.
    const holder = `${this.deps.nodeId}/${randomUUID()}`;
    if (!(await this.deps.schedule.claim(state.secret.arn, holder, now, this.deps.leaseMs))) {
      throw new InvalidRequestException(previousRotationIncomplete);
    }
    const immediate = input.rotateImmediately ?? true;
    try {
      const rules = input.rotationRules ?? before?.rules;
      const parsed = parsedRules ?? (rules ? parseRotationRules(rules) : undefined);
      const lastRotatedAt = before?.lastRotatedAt;
      const rotation: SecretRotation = {
        enabled: true,
        lambdaArn,
        rules,
        lastRotatedAt,
        nextRotationAt: parsed ? nextRotationWindow(parsed, lastRotatedAt ?? now)?.start : undefined,
        externalMetadata,
        externalRoleArn: input.externalRoleArn ?? before?.externalRoleArn,
        run: { token, immediate, step: "start", outcome: "running", startedAt: now, at: now },
      };
      await withOptimisticRetry(async () => {
        const fresh = (await this.secrets.store.findByArn(state.secret.arn)) ?? state;
        assertNoRotationInFlight(fresh);
        const kept = { lastRotatedAt: fresh.secret.rotation?.lastRotatedAt };
        await this.startRun(fresh, { ...rotation, ...kept }, token, immediate);
      });
    } catch (error) {
      await this.deps.schedule.release(state.secret.arn, holder);
      throw error;
    }
    // Rotation is asynchronous, as in AWS: the answer does not wait for the steps.
    this.track(state.secret.arn, token, immediate ? "RotateSecret" : "RotateSecret (test only)", holder);
    return ref;
  }

  /** Commits the run's start: the token's version labelled AWSPENDING (empty, or for a test a copy of AWSCURRENT). */
  private async startRun(state: SecretState, rotation: SecretRotation, token: string, immediate: boolean) {
    const version = await this.pendingVersion(state, token, immediate);
    const holder = state.versions.find((v) => v.stages.includes(PENDING));
    await commitEdit(this.secrets, state, {
      secret: { ...state.secret, rotation, lastChangedAt: this.secrets.now() },
      addVersions: [version],
      restage: holder
        ? [{ versionId: holder.versionId, stages: holder.stages.filter((s) => s !== PENDING) }]
        : [],
      operation: "RotateSecret",
    });
  }

  private async pendingVersion(
    state: SecretState,
    token: string,
    immediate: boolean,
  ): Promise<VersionRecord> {
    const { envelope, now } = this.secrets;
    let value = { kind: "none" as const, bytes: Buffer.alloc(0) } as {
      kind: "none" | "string" | "binary";
      bytes: Buffer;
    };
    if (!immediate) {
      // RotateImmediately=false: AWS tests the configuration with testSecret on an AWSPENDING
      // version it then removes; the version holds the current value, so the test checks it.
      const current = await this.secrets.store.readVersion(state.secret.arn, { stage: CURRENT });
      if (current) value = openValue(envelope, state.secret.arn, current.versionId, current.value);
    }
    return {
      versionId: token,
      stages: [PENDING],
      createdAt: now(),
      lastAccessedAt: undefined,
      kmsKeyId: state.secret.kmsKeyId,
      value: sealValue(envelope, state.secret.arn, token, value),
    };
  }

  private track(arn: string, token: string, trigger: string, holder: string): Promise<unknown> {
    const run = this.engine
      .run(arn, token, trigger)
      // Nobody awaits a requested run: a fault (storage down) leaves the run as recorded, to be
      // reattempted by the scheduler, and must not become an unhandled rejection.
      .catch(() => "failed" as const)
      .finally(() => this.deps.schedule.release(arn, holder).catch(() => undefined))
      .finally(() => {
        if (this.runs.get(arn) === run) this.runs.delete(arn);
      });
    this.runs.set(arn, run);
    return run;
  }

  /** Resolves when no run of this secret is under way in this process (tests, shutdown). */
  async settled(arn?: string): Promise<void> {
    const pending = arn !== undefined ? [this.runs.get(arn)] : [...this.runs.values()];
    await Promise.all(pending.map((p) => p?.catch(() => undefined)));
  }

  async cancel(
    scope: RequestScope,
    secretId: string,
  ): Promise<{ arn: string; name: string; versionId?: string }> {
    const found = await requireSecret(this.secrets, scope, secretId, "CancelRotateSecret");
    assertNotScheduledForDeletion(found);
    return editSecret(this.secrets, found.secret.arn, (state) => {
      if (!state) throw new ResourceNotFoundException("Secrets Manager can't find the specified secret.");
      const rotation = state.secret.rotation;
      if (!rotation?.lambdaArn) throw new InvalidRequestException(noRotationFunction);
      const current = state.versions.find((v) => v.stages.includes(CURRENT))?.versionId;
      const pending = state.versions.find((v) => v.stages.includes(PENDING) && v.versionId !== current);
      const run = rotation.run;
      const now = this.secrets.now();
      const next: SecretRotation = {
        ...rotation,
        enabled: false,
        nextRotationAt: undefined,
        run:
          run?.outcome === "running"
            ? { ...run, outcome: "cancelled", message: "Cancelled by CancelRotateSecret.", at: now }
            : run,
      };
      const ref = { arn: state.secret.arn, name: state.secret.name };
      // A configuration test's copy is Coffer's own and goes; otherwise labels stay as they are,
      // as in AWS: the caller decides what to do with AWSPENDING.
      const testCopy =
        run?.outcome === "running" && !run.immediate && pending?.versionId === run.token
          ? run.token
          : undefined;
      return {
        edit: {
          secret: { ...state.secret, rotation: next, lastChangedAt: now },
          removeVersions: testCopy ? [testCopy] : [],
          operation: "CancelRotateSecret",
        },
        result: pending && !testCopy ? { ...ref, versionId: pending.versionId } : ref,
      };
    });
  }

  /**
   * The scheduler's entry: if `arn`'s rotation is due now and inside its window, run it (a stuck
   * rotation — AWSPENDING on another version than AWSCURRENT — is reattempted with its token);
   * past the window, move NextRotationDate to the next window. The caller holds the lease.
   */
  async rotateIfDue(arn: string): Promise<"rotated" | "failed" | "rescheduled" | "skipped"> {
    const state = await this.secrets.store.findByArn(arn);
    const rotation = state?.secret.rotation;
    const now = this.secrets.now();
    if (
      !state ||
      !rotation?.enabled ||
      rotation.nextRotationAt === undefined ||
      rotation.nextRotationAt > now
    ) {
      return "skipped";
    }
    if (state.secret.deletedAt !== undefined || !rotation.lambdaArn || !rotation.rules) return "skipped";
    // The row names the code that will run with the secret's credentials: it must be as sealed.
    verifySecret(this.secrets.envelope, state.secret, stageMapOf(state.versions));
    const parsed = parseRotationRules(rotation.rules);
    const window = windowAt(parsed, rotation.nextRotationAt);
    if (now >= window.end) {
      let next = nextRotationWindow(parsed, window.start);
      for (let i = 0; next && next.end <= now && i < 10_000; i++)
        next = nextRotationWindow(parsed, next.start);
      await editSecret(this.secrets, arn, (fresh) => ({
        edit:
          fresh && fresh.secret.revision === state.secret.revision
            ? { secret: { ...fresh.secret, rotation: { ...rotation, nextRotationAt: next?.start } } }
            : undefined,
        result: undefined,
      }));
      await this.deps.audit.record({
        secretArn: arn,
        region: state.secret.region,
        token: rotation.run?.token ?? "",
        event: "RotationAbandoned",
        message: `The rotation window ${new Date(window.start).toISOString()}–${new Date(window.end).toISOString()} passed while no server ran; the next window opens ${next ? new Date(next.start).toISOString() : "never"}.`,
        time: now,
      });
      return "rescheduled";
    }
    const current = state.versions.find((v) => v.stages.includes(CURRENT))?.versionId;
    const stuck = state.versions.find((v) => v.stages.includes(PENDING) && v.versionId !== current);
    const token = stuck?.versionId ?? this.secrets.newVersionId();
    const run = {
      token,
      immediate: true,
      step: "start",
      outcome: "running" as const,
      startedAt: now,
      at: now,
    };
    // The read above is the one the decision was made on: a change since makes this tick skip it.
    if (stuck) {
      await commitEdit(this.secrets, state, { secret: { ...state.secret, rotation: { ...rotation, run } } });
    } else {
      await this.startRun(state, { ...rotation, run }, token, true);
    }
    const outcome = await this.engine.run(arn, token, stuck ? "scheduled (reattempt)" : "scheduled");
    return outcome === "succeeded" ? "rotated" : "failed";
  }
}

function assertNoRotationInFlight(state: SecretState): void {
  const current = state.versions.find((v) => v.stages.includes(CURRENT))?.versionId;
  const pending = state.versions.find((v) => v.stages.includes(PENDING));
  if (pending && pending.versionId !== current) throw new InvalidRequestException(previousRotationIncomplete);
}
