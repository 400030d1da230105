import type { SecretsOptions } from "@coffer/client";
import type { ConnectionOptions } from "../client.js";
import type { Output } from "../context.js";
import { UsageError } from "../errors.js";
import { applyProfile, chooseSources } from "../run/choose-sources.js";
import { asCliFailure } from "../run/client-failure.js";
import { parseEnvAssignments } from "../run/env-assignments.js";
import { readEnvFile } from "../run/env-file.js";
import {
  type InjectionRequest,
  needsSecrets,
  type ResolvedEnvironment,
  resolveEnvironment,
} from "../run/resolve-environment.js";
import { type ChildIo, runChild } from "../run/run-child.js";
import type { RunSecrets } from "../run/run-secrets.js";
import { MIN_MASKED_LENGTH, planMasking } from "../run/values-to-mask.js";

export const RUN_HELP = `
The environment and the --env-file may hold coffer://NAME#FIELD references: they are resolved too.
--env-json keys become UPPER_SNAKE_CASE names (apiKey → API_KEY, db-host → DB_HOST); strings are
used as they are, other JSON values as JSON text. If any secret is missing nothing runs: exit 2.
Otherwise coffer exits with the command's code (128 + N if signal N killed it; 127 if it was not
found). SIGINT, SIGTERM and SIGHUP are passed on to the command. Every injected value of
${MIN_MASKED_LENGTH} characters or more is replaced by *** in its stdout and stderr, which are then
pipes, not the terminal (--no-mask keeps the terminal).
Example:
  coffer run --env DB_PASSWORD=prod/db#password --env-json alpha-vantage -- node app.js`;

export interface RunOptions {
  env?: string[];
  envJson?: string[];
  envFile?: string;
  prefix?: string;
  source?: string;
  /** False with --no-mask. */
  mask: boolean;
}

export interface RunDependencies {
  env: NodeJS.ProcessEnv;
  stdout: Output;
  stderr: Output;
  /** The global --endpoint-url and --region. */
  connection: ConnectionOptions;
  /** Called only when there is something to resolve; the client is closed before the child starts. */
  openSecrets: (options: SecretsOptions) => RunSecrets | Promise<RunSecrets>;
  /** Overrides for tests: the child's inherited stdio and the source of forwarded signals. */
  inherit?: ChildIo["inherit"];
  signals?: ChildIo["signals"];
}

/**
 * `coffer run [--env NAME=REF]… [--env-json ID]… [--env-file F] [--prefix P] [--no-mask] -- CMD ARGS…`:
 * resolves the secrets, then runs CMD (no shell) with them in its environment and resolves to the
 * exit code to end with (the child's, or 128 + signal). Nothing starts if any secret is missing.
 */
export async function runRun(
  command: readonly string[],
  options: RunOptions,
  deps: RunDependencies,
): Promise<number> {
  const [program, ...args] = command;
  if (program === undefined || program === "") {
    throw new UsageError(
      "coffer run needs a command after --, e.g. coffer run --env KEY=prod/api -- node app.js",
    );
  }
  const request = await injectionRequest(options, deps.env);
  const resolved = needsSecrets(request)
    ? await resolveWithSecrets(request, () => openForRun(options, deps))
    : { env: { ...request.base }, injected: {} };
  return runChild(
    { command: program, args, env: resolved.env },
    {
      mask: options.mask ? valuesToMask(resolved.injected, deps.stderr) : undefined,
      stdout: deps.stdout,
      stderr: deps.stderr,
      messages: deps.stderr,
      ...(deps.inherit !== undefined && { inherit: deps.inherit }),
      ...(deps.signals !== undefined && { signals: deps.signals }),
    },
  );
}

async function injectionRequest(options: RunOptions, env: NodeJS.ProcessEnv): Promise<InjectionRequest> {
  const fromFile = options.envFile === undefined ? {} : await readEnvFile(options.envFile);
  return {
    base: { ...definedOnly(env), ...fromFile },
    explicit: parseEnvAssignments(options.env ?? []),
    jsonSecretIds: options.envJson ?? [],
    prefix: options.prefix ?? "",
  };
}

async function openForRun(options: RunOptions, deps: RunDependencies): Promise<RunSecrets> {
  applyProfile(deps.connection);
  const sources = await chooseSources(options.source, deps.connection, deps.env);
  // One batch read: no cache worth keeping, no change feed to follow.
  return deps.openSecrets({ sources, changeFeed: false });
}

async function resolveWithSecrets(
  request: InjectionRequest,
  openSecrets: () => RunSecrets | Promise<RunSecrets>,
): Promise<ResolvedEnvironment> {
  let secrets: RunSecrets;
  try {
    secrets = await openSecrets();
  } catch (error) {
    throw asCliFailure(error);
  }
  try {
    return await resolveEnvironment(request, secrets);
  } catch (error) {
    throw asCliFailure(error);
  } finally {
    // Before the child starts: no cache timers or change-feed connection outlive the resolution.
    await secrets.close();
  }
}

/** Undefined when there is nothing to mask: then the child keeps our terminal (colours, line buffering). */
function valuesToMask(injected: Record<string, string>, stderr: Output): string[] | undefined {
  const plan = planMasking(injected);
  if (plan.tooShort.length > 0) {
    const names = plan.tooShort.join(", ");
    stderr.write(`coffer run: not masking ${names} (shorter than ${MIN_MASKED_LENGTH} characters)\n`);
  }
  return plan.values.length > 0 ? plan.values : undefined;
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) defined[name] = value;
  return defined;
}
