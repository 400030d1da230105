import { randomUUID } from "node:crypto";
import { stageMapOf, verifySecret } from "../secrets/binding.js";
import type { SecretDomainDeps } from "../secrets/deps.js";
import type { RotationRun, SecretRotation, SecretState } from "../secrets/records.js";
import { CURRENT } from "../secrets/stages.js";
import type { RotationAudit, RotationAuditEntry } from "./rotation-audit.js";
import { editSecret, type RotationEdit } from "./rotation-commit.js";
import type {
  RotationCredentialIssuer,
  RotationCredentials,
  RotationStep,
  RotationStepEvent,
  Rotator,
  RotatorResolver,
} from "./rotator.js";
import { nextRotationWindow, parseRotationRules } from "./schedule.js";

const PENDING = "AWSPENDING";
const allSteps: readonly RotationStep[] = ["createSecret", "setSecret", "testSecret", "finishSecret"];
const maxMessageLength = 1_000;

export interface RotationEngineDeps {
  secrets: SecretDomainDeps;
  /** Finds what runs the steps for a RotationLambdaARN (built-ins first, then the configured ones). */
  resolver: RotatorResolver;
  /** Mints the short-lived credentials a rotator calls Coffer back with. */
  issuer: RotationCredentialIssuer;
  audit: RotationAudit;
  /** Coffer's endpoint URL, for the rotator's context (known once the server listens). */
  endpoint: () => string;
  /** Each step's time budget; the step's AbortSignal fires when it runs out. */
  stepTimeoutMs: number;
}

export type RunOutcome = "succeeded" | "failed" | "cancelled";

/**
 * Runs one rotation's steps in AWS's order with one ClientRequestToken (the AWSPENDING version's
 * id): createSecret → setSecret → testSecret → finishSecret, or testSecret alone for
 * RotateImmediately=false. Each step is audited before it is invoked (not invoked if that write
 * fails) and with its outcome, and recorded on the secret (DescribeSecret shows it). A failing
 * step ends the run and leaves the labels as they are: AWSCURRENT untouched, AWSPENDING in place
 * for the next attempt. After finishSecret, AWSCURRENT must sit on the token's version; then
 * AWSPENDING is taken off it and LastRotatedDate / NextRotationDate advance.
 */
export class RotationEngine {
  constructor(private readonly deps: RotationEngineDeps) {}

  async run(arn: string, token: string, trigger: string): Promise<RunOutcome> {
    const state = await this.deps.secrets.store.findByArn(arn);
    const rotation = state?.secret.rotation;
    const run = rotation?.run;
    if (!state || !rotation || run?.token !== token || run.outcome !== "running") return "cancelled";
    const region = state.secret.region;
    try {
      verifySecret(this.deps.secrets.envelope, state.secret, stageMapOf(state.versions));
    } catch (error) {
      // Nothing is committed: a commit would seal the edited row as if it were genuine.
      await this.deps.audit
        .record({
          secretArn: arn,
          region,
          token,
          time: this.deps.secrets.now(),
          event: "RotationFailed",
          message: `The secret's row is not as sealed; nothing ran. ${messageOf(error)}`,
        })
        .catch(() => undefined);
      return "failed";
    }
    const entry = (fields: Omit<RotationAuditEntry, "secretArn" | "region" | "token" | "time">) =>
      this.deps.audit.record({ secretArn: arn, region, token, time: this.deps.secrets.now(), ...fields });
    const rotator = rotation.lambdaArn ? this.deps.resolver.resolve(rotation.lambdaArn) : undefined;
    if (!rotator) {
      return this.fail(
        arn,
        token,
        "start",
        `No rotator is configured for RotationLambdaARN ${rotation.lambdaArn ?? "(none)"}.`,
        entry,
      );
    }
    try {
      await entry({ event: "RotationStarted", rotator: rotator.description, trigger });
    } catch (error) {
      return this.fail(
        arn,
        token,
        "start",
        `The audit trail could not record the start: ${messageOf(error)}`,
        undefined,
      );
    }
    let credentials: RotationCredentials;
    try {
      credentials = await this.deps.issuer.issue({
        secretArn: arn,
        region,
        ttlMs: 4 * this.deps.stepTimeoutMs,
      });
    } catch (error) {
      return this.fail(
        arn,
        token,
        "start",
        `Coffer could not issue the rotation's credentials: ${messageOf(error)}`,
        entry,
      );
    }
    try {
      for (const step of run.immediate ? allSteps : (["testSecret"] as const)) {
        if (!(await this.stillRunning(arn, token))) {
          await entry({
            event: "RotationAbandoned",
            step,
            message: "The rotation was cancelled or replaced.",
          }).catch(() => undefined);
          return "cancelled";
        }
        try {
          await entry({ event: "RotationStep", step, outcome: "started", rotator: rotator.description });
        } catch (error) {
          return this.fail(
            arn,
            token,
            step,
            `The audit trail could not record the step: ${messageOf(error)}`,
            undefined,
          );
        }
        const failure = await this.invoke(
          rotator,
          { Step: step, SecretId: arn, ClientRequestToken: token, RotationToken: randomUUID() },
          region,
          credentials,
        );
        if (failure !== undefined) return this.fail(arn, token, step, failure, entry);
        await entry({ event: "RotationStep", step, outcome: "succeeded" }).catch(() => undefined);
        await this.record(arn, token, (r) => ({ ...r, step, at: this.deps.secrets.now() }));
      }
      return await this.complete(arn, token, run.immediate, entry);
    } finally {
      await this.deps.issuer.revoke(credentials).catch(() => undefined);
    }
  }

  private async invoke(
    rotator: Rotator,
    event: RotationStepEvent,
    region: string,
    credentials: RotationCredentials,
  ): Promise<string | undefined> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`${event.Step} did not finish within ${this.deps.stepTimeoutMs} ms.`));
      }, this.deps.stepTimeoutMs);
      timer.unref?.();
    });
    try {
      await Promise.race([
        rotator.invoke(event, {
          endpoint: this.deps.endpoint(),
          region,
          credentials,
          signal: controller.signal,
        }),
        timedOut,
      ]);
      return undefined;
    } catch (error) {
      return messageOf(error) || `${event.Step} failed.`;
    } finally {
      clearTimeout(timer);
    }
  }

  private async stillRunning(arn: string, token: string): Promise<boolean> {
    const run = (await this.deps.secrets.store.findRecordByArn(arn))?.rotation?.run;
    return run?.token === token && run.outcome === "running";
  }

  /** Updates the run (if it is still this one) without touching labels. */
  private record(
    arn: string,
    token: string,
    update: (run: RotationRun) => RotationRun,
    extra?: (state: SecretState, rotation: SecretRotation) => Omit<RotationEdit, "secret">,
  ) {
    return editSecret(this.deps.secrets, arn, (state) => {
      const rotation = state?.secret.rotation;
      const run = rotation?.run;
      if (!state || !rotation || run?.token !== token || run.outcome !== "running") return { result: false };
      const next = { ...rotation, run: update(run) };
      return { edit: { secret: { ...state.secret, rotation: next }, ...extra?.(state, next) }, result: true };
    });
  }

  private async complete(
    arn: string,
    token: string,
    immediate: boolean,
    entry: (fields: Omit<RotationAuditEntry, "secretArn" | "region" | "token" | "time">) => Promise<void>,
  ): Promise<RunOutcome> {
    const now = this.deps.secrets.now();
    if (immediate) {
      const state = await this.deps.secrets.store.findByArn(arn);
      const current = state?.versions.find((v) => v.stages.includes(CURRENT))?.versionId;
      if (current !== token) {
        return this.fail(
          arn,
          token,
          "finishSecret",
          `finishSecret returned, but AWSCURRENT is on version ${current ?? "(none)"}, not on ${token}.`,
          entry,
        );
      }
    }
    const done = await this.record(
      arn,
      token,
      (run) => ({ ...run, outcome: "succeeded", message: undefined, at: now }),
      (state, rotation) => {
        const version = state.versions.find((v) => v.versionId === token);
        if (!immediate) return { removeVersions: version ? [token] : [] }; // the test version goes
        rotation.lastRotatedAt = now;
        if (rotation.enabled && rotation.rules) {
          rotation.nextRotationAt = nextRotationWindow(parseRotationRules(rotation.rules), now)?.start;
        }
        return {
          restage: version?.stages.includes(PENDING)
            ? [{ versionId: token, stages: version.stages.filter((s) => s !== PENDING) }]
            : [],
          operation: "RotateSecret",
        };
      },
    );
    if (!done) return "cancelled";
    await entry({ event: "RotationSucceeded", step: immediate ? "finishSecret" : "testSecret" }).catch(
      () => undefined,
    );
    return "succeeded";
  }

  private async fail(
    arn: string,
    token: string,
    step: RotationStep | "start",
    message: string,
    entry:
      | ((fields: Omit<RotationAuditEntry, "secretArn" | "region" | "token" | "time">) => Promise<void>)
      | undefined,
  ): Promise<RunOutcome> {
    const text = message.slice(0, maxMessageLength);
    const now = this.deps.secrets.now();
    await this.record(
      arn,
      token,
      (run) => ({ ...run, step, outcome: "failed", message: text, at: now }),
      (state, rotation) => {
        // A failed configuration test leaves nothing behind; a failed rotation keeps AWSPENDING.
        const testVersion =
          rotation.run?.immediate === false && state.versions.some((v) => v.versionId === token);
        return testVersion ? { removeVersions: [token] } : {};
      },
    ).catch(() => undefined);
    if (entry) {
      if (step !== "start")
        await entry({ event: "RotationStep", step, outcome: "failed", message: text }).catch(() => undefined);
      await entry({ event: "RotationFailed", ...(step !== "start" ? { step } : {}), message: text }).catch(
        () => undefined,
      );
    }
    return "failed";
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
