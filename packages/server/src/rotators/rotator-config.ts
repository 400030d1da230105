import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, isAbsolute, join, resolve } from "node:path";
import type { LambdaRuntime } from "./local-lambda-rotator.js";

/** Where the rotators are configured: `COFFER_ROTATORS`, else `rotators.json` in the data folder. */
export const rotatorsEnvVar = "COFFER_ROTATORS";
export const rotatorsFileName = "rotators.json";

export type RotatorSpec =
  | {
      kind: "handler";
      functionArn: string;
      file: string;
      runtime: LambdaRuntime;
      handlerName: string;
      interpreter: string;
      timeoutMs: number;
      environment: Record<string, string>;
    }
  | { kind: "webhook"; functionArn: string; url: URL; secret: Buffer; timeoutMs: number }
  | {
      kind: "awsLambda";
      functionArn: string;
      region: string;
      /** Another Lambda endpoint (a stand-in, a VPC endpoint); AWS's own when undefined. */
      endpoint: string | undefined;
      timeoutMs: number;
    };

/** A rotators file that cannot be used: the server refuses to start and says where and why. */
export class RotatorConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RotatorConfigError";
  }
}

const lambdaArn =
  /^arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-\d:\d{12}:function:[A-Za-z0-9_-]{1,64}(:(\$LATEST|[A-Za-z0-9_-]{1,128}))?$/;
const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Lambda refuses these as function variables; here the rotator sets them. */
const reservedEnv = /^(AWS_|LAMBDA_|_HANDLER$|_X_AMZN|SECRETS_MANAGER_ENDPOINT$|PATH$|TZ$|LANG$)/;
const defaultTimeoutSeconds = 30;
/** Lambda's own limit for one invocation. */
const maxTimeoutSeconds = 900;
const minWebhookSecretBytes = 16;

/** Which file configures the rotators, and whether it must exist (it must when named explicitly). */
export function rotatorsFileOf(home: string, env: Readonly<Record<string, string | undefined>>) {
  const named = env[rotatorsEnvVar];
  if (named !== undefined && named !== "") return { path: resolve(named), required: true };
  return { path: join(home, rotatorsFileName), required: false };
}

/**
 * Reads and checks a rotators file: every key a Lambda function ARN, every entry either a local
 * handler (`handler`: a `.py` or `.js`/`.mjs`/`.cjs` file, relative to the file's folder) or a
 * `webhook` (an http(s) URL and its shared secret from `secretEnv` or `secretFile`). Every mistake
 * is reported at once, each with the entry and the field, so the server refuses to start with all
 * of them rather than fail a rotation later.
 */
export function readRotatorsFile(options: {
  path: string;
  required: boolean;
  env: Readonly<Record<string, string | undefined>>;
}): RotatorSpec[] {
  if (!existsSync(options.path)) {
    if (options.required)
      throw new RotatorConfigError(`${options.path}: no such rotators file (${rotatorsEnvVar})`);
    return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(options.path, "utf8"));
  } catch (error) {
    throw new RotatorConfigError(
      `${options.path}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return parseRotators(parsed, { baseDir: dirname(options.path), env: options.env, source: options.path });
}

export function parseRotators(
  parsed: unknown,
  context: { baseDir: string; env: Readonly<Record<string, string | undefined>>; source: string },
): RotatorSpec[] {
  const problems: string[] = [];
  const specs: RotatorSpec[] = [];
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new RotatorConfigError(
      `${context.source}: expected an object mapping Lambda function ARNs to rotators, e.g. {"arn:aws:lambda:us-east-1:123456789012:function:my-rotator": {"handler": "./rotate.py"}}`,
    );
  }
  for (const [arn, entry] of Object.entries(parsed)) {
    const at = (field?: string) => (field ? `"${arn}".${field}` : `"${arn}"`);
    const problem = (field: string | undefined, text: string) => problems.push(`${at(field)}: ${text}`);
    if (!lambdaArn.test(arn)) {
      problem(
        undefined,
        "not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>])",
      );
      continue;
    }
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      problem(undefined, 'expected an object with "handler" or "webhook"');
      continue;
    }
    const e = entry as Record<string, unknown>;
    const kinds = ["handler", "webhook", "awsLambda"].filter((k) => k in e);
    if (kinds.length !== 1) {
      problem(
        undefined,
        'give exactly one of "handler" (a local file), "webhook" (a URL) or "awsLambda" (invoke the function in AWS)',
      );
      continue;
    }
    const allowed =
      kinds[0] === "handler"
        ? ["handler", "function", "runtime", "interpreter", "timeoutSeconds", "environment"]
        : kinds[0] === "webhook"
          ? ["webhook", "secretEnv", "secretFile", "timeoutSeconds"]
          : ["awsLambda", "timeoutSeconds"];
    for (const key of Object.keys(e))
      if (!allowed.includes(key)) problem(key, `unknown field (allowed: ${allowed.join(", ")})`);
    const timeoutMs = timeoutOf(e.timeoutSeconds, (text) => problem("timeoutSeconds", text));
    if (kinds[0] === "handler") {
      const spec = handlerSpec(arn, e, timeoutMs, context, problem);
      if (spec) specs.push(spec);
    } else if (kinds[0] === "webhook") {
      const spec = webhookSpec(arn, e, timeoutMs, context, problem);
      if (spec) specs.push(spec);
    } else {
      const spec = awsLambdaSpec(arn, e.awsLambda, timeoutMs, problem);
      if (spec) specs.push(spec);
    }
  }
  if (problems.length > 0) {
    throw new RotatorConfigError(`${context.source}:\n  ${problems.join("\n  ")}`);
  }
  return specs;
}

function timeoutOf(value: unknown, problem: (text: string) => void): number {
  if (value === undefined) return defaultTimeoutSeconds * 1000;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > maxTimeoutSeconds) {
    problem(`a whole number of seconds from 1 to ${maxTimeoutSeconds}`);
    return defaultTimeoutSeconds * 1000;
  }
  return value * 1000;
}

function handlerSpec(
  arn: string,
  e: Record<string, unknown>,
  timeoutMs: number,
  context: { baseDir: string; env: Readonly<Record<string, string | undefined>> },
  problem: (field: string | undefined, text: string) => void,
): RotatorSpec | undefined {
  if (typeof e.handler !== "string" || e.handler === "") {
    problem("handler", "a path to a .py, .js, .mjs or .cjs file");
    return undefined;
  }
  const file = isAbsolute(e.handler) ? e.handler : resolve(context.baseDir, e.handler);
  const extension = extname(file);
  const byExtension: LambdaRuntime | undefined =
    extension === ".py" ? "python" : [".js", ".mjs", ".cjs"].includes(extension) ? "node" : undefined;
  let runtime = byExtension;
  if (e.runtime !== undefined) {
    if (e.runtime !== "python" && e.runtime !== "node") problem("runtime", '"python" or "node"');
    else runtime = e.runtime;
  }
  if (!runtime) {
    problem("handler", `${e.handler}: a .py, .js, .mjs or .cjs file (or say "runtime")`);
    return undefined;
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    problem("handler", `${file} does not exist or is not a file`);
    return undefined;
  }
  const handlerName = e.function ?? (runtime === "python" ? "lambda_handler" : "handler");
  if (typeof handlerName !== "string" || !/^[A-Za-z_$][\w$]*$/.test(handlerName)) {
    problem("function", "the name of the exported function, e.g. lambda_handler");
    return undefined;
  }
  const environment: Record<string, string> = {};
  if (e.environment !== undefined) {
    if (typeof e.environment !== "object" || e.environment === null || Array.isArray(e.environment)) {
      problem("environment", "an object of variable names to string values");
    } else {
      for (const [name, value] of Object.entries(e.environment)) {
        if (!envName.test(name)) problem(`environment.${name}`, "not a valid variable name");
        else if (reservedEnv.test(name))
          problem(`environment.${name}`, "reserved: Coffer sets it for the function");
        else if (typeof value !== "string") problem(`environment.${name}`, "must be a string");
        else environment[name] = value;
      }
    }
  }
  const interpreter = interpreterOf(runtime, e.interpreter, context.env, (text) =>
    problem("interpreter", text),
  );
  if (interpreter === undefined) return undefined;
  return {
    kind: "handler",
    functionArn: arn,
    file,
    runtime,
    handlerName,
    interpreter,
    timeoutMs,
    environment,
  };
}

/**
 * The interpreter as an absolute path, found once at start: Python asked for its `sys.executable`
 * (so a pyenv shim or virtualenv works without its environment), Node.js is this process's own.
 */
function interpreterOf(
  runtime: LambdaRuntime,
  configured: unknown,
  env: Readonly<Record<string, string | undefined>>,
  problem: (text: string) => void,
): string | undefined {
  if (configured !== undefined && (typeof configured !== "string" || configured === "")) {
    problem("a command or path, e.g. python3 or /usr/bin/python3");
    return undefined;
  }
  if (runtime === "node" && configured === undefined) return process.execPath;
  const command = (configured as string | undefined) ?? "python3";
  const probe = runtime === "python" ? "import sys; print(sys.executable)" : "console.log(process.execPath)";
  const found = spawnSync(command, [runtime === "python" ? "-c" : "-e", probe], {
    env: { PATH: env.PATH ?? "", HOME: env.HOME ?? "" },
    encoding: "utf8",
    timeout: 10_000,
  });
  const path = found.stdout?.trim();
  if (found.status !== 0 || !path || !isAbsolute(path)) {
    problem(
      `${command} does not run (${found.error ? (found.error as NodeJS.ErrnoException).code : `exit ${found.status}`})`,
    );
    return undefined;
  }
  return path;
}

function webhookSpec(
  arn: string,
  e: Record<string, unknown>,
  timeoutMs: number,
  context: { baseDir: string; env: Readonly<Record<string, string | undefined>> },
  problem: (field: string | undefined, text: string) => void,
): RotatorSpec | undefined {
  let url: URL | undefined;
  try {
    url = typeof e.webhook === "string" ? new URL(e.webhook) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    problem("webhook", "an http:// or https:// URL");
    return undefined;
  }
  if (url.username || url.password) {
    problem("webhook", "no user or password in the URL: the request is signed instead");
    return undefined;
  }
  const sources = ["secretEnv", "secretFile"].filter((k) => e[k] !== undefined);
  if (sources.length !== 1) {
    problem(
      undefined,
      'give the shared secret with exactly one of "secretEnv" (a variable name) or "secretFile" (a path)',
    );
    return undefined;
  }
  let secret: string | undefined;
  if (e.secretEnv !== undefined) {
    if (typeof e.secretEnv !== "string" || !envName.test(e.secretEnv)) {
      problem("secretEnv", "the name of an environment variable");
      return undefined;
    }
    secret = context.env[e.secretEnv];
    if (secret === undefined || secret === "") {
      problem("secretEnv", `${e.secretEnv} is not set in the server's environment`);
      return undefined;
    }
  } else {
    if (typeof e.secretFile !== "string" || e.secretFile === "") {
      problem("secretFile", "a path to a file holding the shared secret");
      return undefined;
    }
    const path = isAbsolute(e.secretFile) ? e.secretFile : resolve(context.baseDir, e.secretFile);
    try {
      secret = readFileSync(path, "utf8").trim();
    } catch (error) {
      problem("secretFile", `${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
      return undefined;
    }
  }
  if (Buffer.byteLength(secret, "utf8") < minWebhookSecretBytes) {
    // The value itself is never quoted.
    problem(sources[0], `the shared secret must be at least ${minWebhookSecretBytes} bytes`);
    return undefined;
  }
  return { kind: "webhook", functionArn: arn, url, secret: Buffer.from(secret, "utf8"), timeoutMs };
}

/** `"awsLambda": true`, or `{"region": ..., "endpoint": ...}`; the region defaults to the ARN's. */
function awsLambdaSpec(
  arn: string,
  value: unknown,
  timeoutMs: number,
  problem: (field: string | undefined, text: string) => void,
): RotatorSpec | undefined {
  const arnRegion = arn.split(":")[3] as string;
  if (value === true)
    return { kind: "awsLambda", functionArn: arn, region: arnRegion, endpoint: undefined, timeoutMs };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problem("awsLambda", 'true, or an object with optional "region" and "endpoint"');
    return undefined;
  }
  const { region, endpoint, ...rest } = value as Record<string, unknown>;
  for (const key of Object.keys(rest))
    problem(`awsLambda.${key}`, "unknown field (allowed: region, endpoint)");
  if (region !== undefined && (typeof region !== "string" || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region))) {
    problem("awsLambda.region", "an AWS region, e.g. us-east-1");
    return undefined;
  }
  let url: URL | undefined;
  if (endpoint !== undefined) {
    try {
      url = typeof endpoint === "string" ? new URL(endpoint) : undefined;
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
      problem("awsLambda.endpoint", "an http:// or https:// URL");
      return undefined;
    }
  }
  return {
    kind: "awsLambda",
    functionArn: arn,
    region: (region as string | undefined) ?? arnRegion,
    endpoint: url?.toString().replace(/\/$/, ""),
    timeoutMs,
  };
}
