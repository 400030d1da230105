import { LambdaClient } from "@aws-sdk/client-lambda";
import type { Rotator, RotatorResolver } from "../domain/rotation/rotator.js";
import { AwsLambdaRotator } from "./aws-lambda-rotator.js";
import { LocalLambdaRotator } from "./local-lambda-rotator.js";
import { type RotatorSpec, readRotatorsFile, rotatorsFileOf } from "./rotator-config.js";
import { WebhookRotator } from "./webhook-rotator.js";

/** Sizes of what a local function printed, for a debug log line; never its contents. */
export type OutputListener = (info: {
  rotator: string;
  step: string;
  stdoutBytes: number;
  stderrBytes: number;
  exitCode: number | null;
}) => void;

/**
 * The rotators a configuration names, by `RotationLambdaARN`. An ARN with a qualifier
 * (`…:function:name:prod`) falls back to the unqualified function's entry.
 */
export class ConfiguredRotatorResolver implements RotatorResolver {
  private readonly rotators = new Map<string, Rotator>();

  constructor(specs: readonly RotatorSpec[], options: ResolverOptions = {}) {
    for (const spec of specs) this.rotators.set(spec.functionArn, rotatorOf(spec, options));
  }

  resolve(rotationLambdaArn: string): Rotator | undefined {
    const exact = this.rotators.get(rotationLambdaArn);
    if (exact) return exact;
    const unqualified = /^(.*:function:[^:]+):[^:]+$/.exec(rotationLambdaArn)?.[1];
    return unqualified === undefined ? undefined : this.rotators.get(unqualified);
  }

  /** The configured ARNs, for the start-up banner. */
  get functionArns(): string[] {
    return [...this.rotators.keys()];
  }
}

export interface ResolverOptions {
  /** `PATH` for local handlers' interpreters. */
  path?: string;
  onOutput?: OutputListener;
  /** AWS credentials for `awsLambda` rotators; the AWS SDK's default chain when undefined. */
  awsCredentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

function rotatorOf(spec: RotatorSpec, options: ResolverOptions): Rotator {
  if (spec.kind === "awsLambda") {
    const client = new LambdaClient({
      region: spec.region,
      // One attempt: the rotation engine decides about retrying a step, not the SDK.
      maxAttempts: 1,
      ...(spec.endpoint !== undefined ? { endpoint: spec.endpoint } : {}),
      ...(options.awsCredentials ? { credentials: options.awsCredentials } : {}),
    });
    return new AwsLambdaRotator({ functionArn: spec.functionArn, client, timeoutMs: spec.timeoutMs });
  }
  if (spec.kind === "webhook") {
    return new WebhookRotator({
      url: spec.url,
      secret: spec.secret,
      timeoutMs: spec.timeoutMs,
      functionArn: spec.functionArn,
    });
  }
  const rotator: LocalLambdaRotator = new LocalLambdaRotator({
    file: spec.file,
    runtime: spec.runtime,
    handlerName: spec.handlerName,
    functionArn: spec.functionArn,
    timeoutMs: spec.timeoutMs,
    interpreter: spec.interpreter,
    environment: spec.environment,
    path: options.path ?? "/usr/local/bin:/usr/bin:/bin",
    onOutput: options.onOutput && ((info) => options.onOutput?.({ rotator: rotator.description, ...info })),
  });
  return rotator;
}

/**
 * The server's resolver from configuration (`COFFER_ROTATORS`, else `<home>/rotators.json`; none
 * configured is an empty resolver). Throws {@link RotatorConfigError} listing every mistake.
 */
export function loadRotatorResolver(options: {
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  onOutput?: OutputListener;
}): ConfiguredRotatorResolver {
  const { path, required } = rotatorsFileOf(options.home, options.env);
  const specs = readRotatorsFile({ path, required, env: options.env });
  const {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: sessionToken,
  } = options.env;
  return new ConfiguredRotatorResolver(specs, {
    ...(options.env.PATH !== undefined ? { path: options.env.PATH } : {}),
    ...(options.onOutput ? { onOutput: options.onOutput } : {}),
    ...(accessKeyId && secretAccessKey
      ? { awsCredentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {}),
  });
}
