/**
 * The port between the rotation engine (which runs the four steps, in order, and keeps the labels
 * right) and whatever performs a step: a built-in rotator, an HTTP webhook, a Lambda handler run
 * locally as a child process, or real AWS Lambda. A rotator does the work of one step the way AWS
 * invokes a rotation function, and nothing else: it reads and writes the secret through Coffer's
 * normal API with the credentials it is given (least privilege: that secret only).
 */

/** The event AWS Secrets Manager sends a rotation function, field for field. */
export interface RotationStepEvent {
  Step: RotationStep;
  /** The secret's ARN. */
  SecretId: string;
  /** The version id of the AWSPENDING version this rotation creates (also the idempotency token). */
  ClientRequestToken: string;
  /** An opaque token AWS also sends; a rotation function ignores it. */
  RotationToken: string;
}

export type RotationStep = "createSecret" | "setSecret" | "testSecret" | "finishSecret";

/** Short-lived credentials that may touch only the secret being rotated. */
export interface RotationCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  expiresAt: Date;
}

/** What a rotator needs to call back into Coffer, as AWS's environment gives a rotation function. */
export interface RotationContext {
  /** Coffer's endpoint URL, e.g. `http://127.0.0.1:8080`. */
  endpoint: string;
  region: string;
  credentials: RotationCredentials;
  /** Aborted when the rotation's time budget for this step runs out. */
  signal: AbortSignal;
}

/** Why a step failed, in words the user sees in DescribeSecret / `coffer describe` and the audit trail. */
export class RotationStepError extends Error {
  constructor(
    readonly step: RotationStep,
    message: string,
  ) {
    super(message);
    this.name = "RotationStepError";
  }
}

/**
 * Performs one step. Resolves when the step succeeded; rejects (preferably with
 * {@link RotationStepError}) when it failed. Must never log or put a secret value in its error.
 */
export interface Rotator {
  /** What runs the steps, for messages and the audit trail (e.g. `webhook https://…`, `builtin:random-password`). */
  readonly description: string;
  invoke(event: RotationStepEvent, context: RotationContext): Promise<void>;
}

/** Finds the rotator a `RotationLambdaARN` names; undefined when nothing is configured for it. */
export interface RotatorResolver {
  resolve(rotationLambdaArn: string): Rotator | undefined;
}

/**
 * Mints the short-lived credentials a rotator calls Coffer with: allowed only the rotation actions
 * on that one secret (and GetRandomPassword), expiring after `ttlMs`. Every issue is audited.
 */
export interface RotationCredentialIssuer {
  issue(request: { secretArn: string; region: string; ttlMs: number }): Promise<RotationCredentials>;
  /** Ends the credentials early, when the rotation they were for is over. */
  revoke(credentials: RotationCredentials): Promise<void>;
}
