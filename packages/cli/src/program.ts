import { createSecrets } from "@coffer/client";
import { Command, CommanderError } from "commander";
import type { AdminCall } from "./admin/admin-client.js";
import { openLocalAuditTrail } from "./admin/audit.js";
import { registerAdminCommands } from "./admin/register.js";
import type { Connect, Connection, ConnectionOptions } from "./client.js";
import { AGENT_HELP, type AgentCommandOptions, runAgent } from "./commands/agent.js";
import { type DeleteOptions, runDelete } from "./commands/delete.js";
import { type DescribeOptions, runDescribe } from "./commands/describe.js";
import { type GetOptions, runGet } from "./commands/get.js";
import { type HistoryOptions, runHistory } from "./commands/history.js";
import { runKeysRotate } from "./commands/keys-rotate.js";
import { type ListOptions, runList } from "./commands/list.js";
import { type PutOptions, runPut } from "./commands/put.js";
import { runRestore } from "./commands/restore.js";
import { RUN_HELP, type RunOptions, runRun } from "./commands/run.js";
import { runServe } from "./commands/serve.js";
import type { CommandContext, InteractiveContext, Output } from "./context.js";
import { DEFAULT_ENDPOINT } from "./endpoint.js";
import { describeFailure } from "./errors.js";
import { EXIT_CODES_HELP, ExitCode } from "./exit-codes.js";
import { collect } from "./key-value.js";
import type { ServerFunctionLoader } from "./server-module.js";

/** Everything the CLI touches outside itself, so tests can run it with fakes. */
export interface CliDependencies extends InteractiveContext {
  stdout: Output;
  stderr: Output;
  connect: Connect;
  loadServer: ServerFunctionLoader;
  env: NodeJS.ProcessEnv;
  version: string;
}

type ClientCommandContext = CommandContext & InteractiveContext & { admin: AdminCall };

const ENVIRONMENT_HELP = `Endpoint, the first one set (the same for every command, \`coffer run\`,
\`coffer agent\` and the @coffer/client library):
  --endpoint-url URL
  COFFER_ENDPOINT
  AWS_ENDPOINT_URL_SECRETS_MANAGER
  AWS_ENDPOINT_URL
  endpoint_url in the AWS profile (--profile or AWS_PROFILE)
  ${DEFAULT_ENDPOINT}, a local \`coffer serve\`
AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns off the three AWS settings.

Time-outs: --connect-timeout / COFFER_CONNECT_TIMEOUT (default 3 seconds) to
connect, --read-timeout / COFFER_READ_TIMEOUT (default 10 seconds) for an
answer; then the command ends with exit code 4.

Credentials: the AWS SDK's default chain, that is AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, else the profile (--profile or
AWS_PROFILE) in ~/.aws/credentials and ~/.aws/config.
Region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else
us-east-1.

Messages go to stderr, data to stdout; only \`coffer get\` prints secret values.`;

/**
 * Parses `args` (without the node and script paths), runs the command and returns the exit code:
 * an {@link ExitCode}, or for `coffer run` the child's own.
 */
export async function runCli(args: readonly string[], deps: CliDependencies): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const program = buildProgram(deps, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (error) {
    // exitOverride turns commander's process.exit into this throw; it has already printed its message.
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    throw error;
  }
  return exitCode;
}

/** The command tree (exported for tests that inspect it); `runCli` parses with it. */
export function buildProgram(deps: CliDependencies, setExitCode: (code: number) => void): Command {
  const program = new Command("coffer");
  program
    .description("Client for Coffer, a self-hosted secrets manager speaking the AWS Secrets Manager API.")
    .version(deps.version)
    .option("--endpoint-url <url>", `server URL (default: see "Endpoint" below, finally ${DEFAULT_ENDPOINT})`)
    .option("--region <region>", "region used to sign requests")
    .option("--profile <name>", "AWS profile for credentials, region and endpoint_url")
    .option("--connect-timeout <seconds>", "give up connecting after this long (default 3)")
    .option("--read-timeout <seconds>", "give up waiting for an answer after this long (default 10)")
    // Set before adding subcommands: commander copies these settings into each one.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => deps.stdout.write(text),
      writeErr: (text) => deps.stderr.write(text),
    })
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", `\n${ENVIRONMENT_HELP}\n\n${EXIT_CODES_HELP}\n`);

  const clientCommand = async (action: (context: ClientCommandContext) => Promise<void>) => {
    setExitCode(await runWithClient(deps, program.opts<ConnectionOptions>(), action));
  };
  const localCommand = async (action: () => Promise<void>) => {
    setExitCode(await runReportingFailure(deps.stderr, undefined, action));
  };
  const childCommand = async (action: () => Promise<number>) => {
    let childExitCode: number = ExitCode.Ok;
    const failure = await runReportingFailure(deps.stderr, undefined, async () => {
      childExitCode = await action();
    });
    setExitCode(failure === ExitCode.Ok ? childExitCode : failure);
  };

  program
    .command("serve")
    .description("run the Coffer server in the foreground (configured by its environment variables)")
    .option(
      "--acknowledge-audit-gap",
      "start even though the audit trail was cut or lost, recording an AuditTrailGapAcknowledged event (same as COFFER_ACKNOWLEDGE_AUDIT_GAP=1)",
    )
    .option(
      "--store <location>",
      "where the data lives: sqlite (a file in COFFER_HOME, the default) or postgres://user:password@host:5432/database for several nodes (same as COFFER_STORE)",
    )
    .option(
      "--metrics-listen <host:port>",
      "serve Prometheus metrics (GET /metrics) on this separate address, e.g. 127.0.0.1:9464; off by default (same as COFFER_METRICS_LISTEN)",
    )
    .action((options: { acknowledgeAuditGap?: boolean; store?: string; metricsListen?: string }) =>
      localCommand(() =>
        runServe(deps.loadServer, {
          ...deps.env,
          ...(options.acknowledgeAuditGap ? { COFFER_ACKNOWLEDGE_AUDIT_GAP: "1" } : {}),
          ...(options.store !== undefined ? { COFFER_STORE: options.store } : {}),
          ...(options.metricsListen !== undefined ? { COFFER_METRICS_LISTEN: options.metricsListen } : {}),
        }),
      ),
    );

  program
    .command("keys")
    .description("manage the server's master key")
    .command("rotate")
    .description("re-encrypt the store under a new master key (run where the server's data lives)")
    .action(() => localCommand(() => runKeysRotate(deps.loadServer, deps.env)));

  program
    .command("put")
    .description("create a secret, or store a new version of an existing one")
    .argument("<name>", "secret name")
    .argument("[pairs...]", "KEY=VALUE pairs stored as a JSON object; KEY=- prompts for that value")
    .option("--file <path>", "read the value from a JSON file; - reads stdin")
    .option("--raw", "with --file: store the contents as they are, without checking they are JSON")
    .option("--description <text>", "description of a new secret")
    .option("--kms-key-id <id>", "KMS key id of a new secret")
    .option("--tag <key=value>", "tag for a new secret (repeatable)", collect)
    .option("-q, --quiet", "no warning about values given as arguments")
    .addHelpText(
      "after",
      `
With neither --file nor pairs, the value is prompted for without echo (twice, to catch typos).
Examples:
  coffer put prod/db --file db.json
  generate-secret | coffer put prod/token --file - --raw
  coffer put prod/db username=app password=-`,
    )
    .action((name: string, pairs: string[], options: PutOptions) =>
      clientCommand((context) => runPut(context, name, pairs, options)),
    );

  program
    .command("get")
    .description("print a secret's value to stdout")
    .argument("<name>", "secret name or ARN")
    .option("--field <name>", "print one top-level field of a JSON value (exit 1 if it is missing)")
    .option("--json", "print the whole GetSecretValue response as JSON")
    .option("--binary", "write the value's exact bytes, with no trailing newline")
    .option("--version-id <id>", "a specific version")
    .option("--version-stage <label>", "the version with this staging label (default AWSCURRENT)")
    .action((name: string, options: GetOptions) =>
      clientCommand((context) => runGet(context, name, options)),
    );

  program
    .command("list")
    .description("list secrets (all pages)")
    .option("--json", "print the entries as JSON")
    .option("--filter <key=value>", "name, description, tag-key, tag-value or all (repeatable)", collect)
    .option("--include-deleted", "include secrets scheduled for deletion")
    .action((options: ListOptions) => clientCommand((context) => runList(context, options)));

  program
    .command("describe")
    .description("show a secret's metadata, tags and versions (never its value)")
    .argument("<name>", "secret name or ARN")
    .option("--json", "print the DescribeSecret response as JSON")
    .action((name: string, options: DescribeOptions) =>
      clientCommand((context) => runDescribe(context, name, options)),
    );

  program
    .command("history")
    .description("list a secret's versions, newest first")
    .argument("<name>", "secret name or ARN")
    .option("--include-deprecated", "include versions with no staging label")
    .option("--json", "print the versions as JSON")
    .action((name: string, options: HistoryOptions) =>
      clientCommand((context) => runHistory(context, name, options)),
    );

  program
    .command("delete")
    .description("schedule a secret for deletion, or delete it at once with --force")
    .argument("<name>", "secret name or ARN")
    .option("--recovery-days <days>", "days before deletion, 7 to 30 (service default 30)")
    .option("--force", "delete now, with no way to restore")
    .option("-y, --yes", "skip the --force confirmation")
    .action((name: string, options: DeleteOptions) =>
      clientCommand((context) => runDelete(context, name, options)),
    );

  program
    .command("restore")
    .description("cancel a scheduled deletion")
    .argument("<name>", "secret name or ARN")
    .action((name: string) => clientCommand((context) => runRestore(context, name)));

  program
    .command("run")
    .description("run a command with secrets in its environment, masked in its output")
    .argument("<command...>", "the command and its arguments, after --")
    .option(
      "--env <NAME=REFERENCE>",
      "set NAME to a secret, e.g. DB_PASSWORD=prod/db#password (repeatable)",
      collect,
    )
    .option("--env-json <id>", "set one variable per top-level key of a JSON secret (repeatable)", collect)
    .option("--prefix <text>", "put before every --env-json variable name")
    .option("--env-file <path>", "read variables from a dotenv file; coffer:// values in it are resolved")
    .option(
      "--source <list>",
      "sources in order, as COFFER_SOURCE: coffer, aws, env, files[:dir], dotenv[:path], agent[:url] (default: COFFER_SOURCE, else coffer at the endpoint of `coffer --help`)",
    )
    .option("--no-mask", "pass the command's output through unmasked (keeps its terminal)")
    .addHelpText("after", RUN_HELP)
    .action((command: string[], options: RunOptions) =>
      childCommand(() =>
        runRun(command, options, {
          ...deps,
          connection: program.opts<ConnectionOptions>(),
          openSecrets: createSecrets,
        }),
      ),
    );

  program
    .command("agent")
    .description("serve secrets on localhost with the AWS Secrets Manager Agent protocol, for any language")
    .option("--port <port>", "port on 127.0.0.1 (0 picks a free one)", "2773")
    .option("--host <address>", "127.0.0.1 or ::1 (never a network address)")
    .option(
      "--token-file <path>",
      "file holding the token callers send (default: COFFER_AGENT_TOKEN or AWS_TOKEN)",
    )
    .option("--ttl <seconds>", "how long a value is cached (0: no cache; default: the client library's, 300)")
    .option("--max-size <count>", "most secrets cached (default: the client library's, 1000)")
    .option(
      "--source <list>",
      "sources in order, as COFFER_SOURCE: coffer, aws, env, files[:dir], dotenv[:path] (default: COFFER_SOURCE, else coffer at the endpoint of `coffer --help`)",
    )
    .option(
      "--report-metrics <seconds>",
      "report cache hits, misses and cold starts to Coffer every this many seconds (default: COFFER_AGENT_REPORT_METRICS, else off)",
    )
    .addHelpText("after", AGENT_HELP)
    .action((options: AgentCommandOptions) =>
      localCommand(() =>
        runAgent(options, {
          ...deps,
          connection: program.opts<ConnectionOptions>(),
          openSecrets: createSecrets,
        }),
      ),
    );

  registerAdminCommands(program, {
    client: clientCommand,
    local: localCommand,
    openAudit: openLocalAuditTrail(deps.env),
    loadServer: deps.loadServer,
    env: deps.env,
    stdout: deps.stdout,
    stderr: deps.stderr,
  });
  return program;
}

async function runWithClient(
  deps: CliDependencies,
  options: ConnectionOptions,
  action: (context: ClientCommandContext) => Promise<void>,
): Promise<ExitCode> {
  let connection: Connection | undefined;
  try {
    return await runReportingFailure(
      deps.stderr,
      () => connection?.endpoint,
      async () => {
        connection = await deps.connect(options);
        await action({ ...deps, client: connection.client, admin: connection.admin });
      },
    );
  } finally {
    // Free keep-alive sockets so the process exits as soon as the command is done.
    connection?.close();
  }
}

async function runReportingFailure(
  stderr: Output,
  endpoint: (() => string | undefined) | undefined,
  action: () => Promise<void>,
): Promise<ExitCode> {
  try {
    await action();
    return ExitCode.Ok;
  } catch (error) {
    const failure = describeFailure(error, endpoint?.());
    stderr.write(`error: ${failure.message}\n`);
    return failure.exitCode;
  }
}
