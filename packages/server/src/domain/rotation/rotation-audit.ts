import type { RotationStep } from "./rotator.js";

/**
 * One fact of a rotation for the audit trail, written as a service event (nobody's request):
 * the run starting, each step before it is invoked and with its outcome, and how the run ended.
 * Never carries a secret value; `message` is the rotator's error text.
 */
export interface RotationAuditEntry {
  secretArn: string;
  region: string;
  /** The rotation's ClientRequestToken (the AWSPENDING version id). */
  token: string;
  /** `RotationStarted` / `RotationSucceeded` / `RotationFailed` / `RotationAbandoned` as CloudTrail names them for Secrets Manager; `RotationStep` for each step. */
  event: "RotationStarted" | "RotationStep" | "RotationSucceeded" | "RotationFailed" | "RotationAbandoned";
  step?: RotationStep | undefined;
  outcome?: "started" | "succeeded" | "failed" | undefined;
  message?: string | undefined;
  /** What runs the steps (`Rotator.description`). */
  rotator?: string | undefined;
  /** `scheduled`, `RotateSecret`, or `RotateSecret (test only)`. */
  trigger?: string | undefined;
  time: number;
}

/** Durably appends the entry, or rejects: a step whose audit event cannot be written is not run. */
export interface RotationAudit {
  record(entry: RotationAuditEntry): Promise<void>;
}
