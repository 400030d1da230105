import { spawn } from "node:child_process";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type RotationContext,
  RotationStepError,
  type RotationStepEvent,
  type Rotator,
} from "../domain/rotation/rotator.js";
import { pythonRuntime } from "./python-runtime.js";
import { trimQuoted } from "./trim.js";

export type LambdaRuntime = "python" | "node";

export interface LocalLambdaOptions {
  /** Absolute path of the handler's file (`.py`, or `.js`/`.mjs`/`.cjs`). */
  file: string;
  runtime: LambdaRuntime;
  /** The exported function: `lambda_handler` (Python) or `handler` (Node.js) unless configured. */
  handlerName: string;
  /** The `RotationLambdaARN` this handler stands for (the context's `invoked_function_arn`). */
  functionArn: string;
  /** Lambda's function timeout for one step; the rotation's own budget (the context's signal) also applies. */
  timeoutMs: number;
  /** The interpreter: an absolute path, or a name found on {@link LocalLambdaOptions.path}. */
  interpreter: string;
  /** The function's own environment variables (Lambda's `Environment.Variables`). */
  environment: Readonly<Record<string, string>>;
  /** `PATH` of the child (where the interpreter's tools are found). */
  path: string;
  /** Told once per step, with sizes only: what the function printed is never kept or logged. */
  onOutput?:
    | ((info: { step: string; stdoutBytes: number; stderrBytes: number; exitCode: number | null }) => void)
    | undefined;
}

const nodeRuntime = join(dirname(fileURLToPath(import.meta.url)), "node-runtime.js");
/** Bounds the result a child writes on fd 3. */
const maxResultBytes = 64 * 1024;

/**
 * Runs a Lambda rotation function locally, one child process per step, as AWS invokes it: the event
 * on its input, Lambda's environment pointing the AWS SDKs at Coffer with the step's short-lived
 * credentials, and nothing of Coffer's own environment (no master key, no admin key). What the
 * function prints is counted and dropped; its exception (type and message, trimmed) is the step's error.
 */
export class LocalLambdaRotator implements Rotator {
  readonly description: string;

  constructor(private readonly options: LocalLambdaOptions) {
    this.description = `local lambda ${basename(options.file)} (${options.runtime})`;
  }

  invoke(event: RotationStepEvent, context: RotationContext): Promise<void> {
    const { options } = this;
    const step = event.Step;
    const fail = (why: string) =>
      new RotationStepError(step, `${step} failed in ${this.description}: ${why}`);
    if (context.signal.aborted)
      return Promise.reject(fail("the rotation's time ran out before the step began"));
    const deadline = Date.now() + options.timeoutMs;
    const functionName = functionNameOf(options.functionArn);
    const args =
      options.runtime === "python"
        ? [
            "-c",
            pythonRuntime,
            options.file,
            options.handlerName,
            String(deadline),
            functionName,
            options.functionArn,
          ]
        : [
            nodeRuntime,
            options.file,
            options.handlerName,
            String(deadline),
            functionName,
            options.functionArn,
          ];
    return new Promise<void>((resolve, reject) => {
      const child = spawn(options.interpreter, args, {
        cwd: dirname(options.file),
        env: lambdaEnvironment(options, context, functionName),
        stdio: ["pipe", "pipe", "pipe", "pipe"],
        // Its own process group, so a step that runs out of time is ended with everything it started.
        detached: true,
      });
      let stdoutBytes = 0;
      let stderrBytes = 0;
      let result = "";
      let stopped: string | undefined;
      child.stdout?.on("data", (chunk: Buffer) => {
        stdoutBytes += chunk.length;
      });
      child.stderr?.on("data", (chunk: Buffer) => {
        stderrBytes += chunk.length;
      });
      const resultStream = child.stdio[3];
      resultStream?.on("data", (chunk: Buffer) => {
        if (result.length < maxResultBytes) result += chunk.toString("utf8");
      });
      resultStream?.on("error", () => undefined);
      child.stdin?.on("error", () => undefined); // a function that exits without reading its event
      child.stdin?.end(JSON.stringify(event));
      const stop = (why: string) => {
        if (stopped !== undefined) return;
        stopped = why;
        try {
          if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
        } catch {
          child.kill("SIGKILL");
        }
      };
      const timer = setTimeout(
        () => stop(`timed out after ${Math.round(options.timeoutMs / 1000)} s (the function's timeout)`),
        options.timeoutMs,
      );
      const onAbort = () => stop("the rotation's time ran out");
      context.signal.addEventListener("abort", onAbort, { once: true });
      child.once("error", (error: NodeJS.ErrnoException) => {
        stopped ??= `could not start ${basename(options.interpreter)} (${error.code ?? error.name})`;
      });
      child.once("close", (exitCode) => {
        clearTimeout(timer);
        context.signal.removeEventListener("abort", onAbort);
        options.onOutput?.({ step, stdoutBytes, stderrBytes, exitCode });
        if (stopped !== undefined) return reject(fail(stopped));
        const outcome = parseOutcome(result);
        if (outcome === undefined) {
          return reject(fail(`the function's process ended (exit code ${exitCode}) without a result`));
        }
        if (outcome.ok) return resolve();
        const type = trimQuoted(outcome.errorType || "Error", 80);
        const message = trimQuoted(outcome.errorMessage ?? "");
        reject(fail(message ? `${type}: ${message}` : type));
      });
    });
  }
}

interface Outcome {
  ok: boolean;
  errorType?: string;
  errorMessage?: string;
}

function parseOutcome(text: string): Outcome | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== "object" || parsed === null || typeof (parsed as Outcome).ok !== "boolean")
      return undefined;
    const { ok, errorType, errorMessage } = parsed as Record<string, unknown>;
    return {
      ok: ok as boolean,
      errorType: typeof errorType === "string" ? errorType : "Error",
      errorMessage: typeof errorMessage === "string" ? errorMessage : "",
    };
  } catch {
    return undefined;
  }
}

/** `arn:aws:lambda:us-east-1:123456789012:function:my-rotator[:alias]` → `my-rotator`. */
export function functionNameOf(functionArn: string): string {
  const match = /:function:([^:]+)/.exec(functionArn);
  return match?.[1] ?? functionArn;
}

/**
 * What AWS Lambda's environment gives a rotation function, pointed at Coffer: the endpoint under
 * every name the SDKs and AWS's rotation templates read, the region, the step's credentials, and
 * no shared config or credentials file, no instance metadata: the SDK can find no other identity.
 */
export function lambdaEnvironment(
  options: Pick<LocalLambdaOptions, "environment" | "path" | "file" | "timeoutMs">,
  context: RotationContext,
  functionName: string,
): Record<string, string> {
  const { credentials } = context;
  const env: Record<string, string> = {
    ...options.environment,
    PATH: options.path,
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    LAMBDA_TASK_ROOT: dirname(options.file),
    AWS_EXECUTION_ENV: "coffer-local-lambda",
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(Math.ceil(options.timeoutMs / 1000)),
    AWS_REGION: context.region,
    AWS_DEFAULT_REGION: context.region,
    AWS_ENDPOINT_URL: context.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: context.endpoint,
    SECRETS_MANAGER_ENDPOINT: context.endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_EC2_METADATA_DISABLED: "true",
    PYTHONUNBUFFERED: "1",
    PYTHONDONTWRITEBYTECODE: "1",
  };
  if (credentials.sessionToken !== undefined) env.AWS_SESSION_TOKEN = credentials.sessionToken;
  return env;
}
