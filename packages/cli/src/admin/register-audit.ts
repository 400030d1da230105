import type { Command } from "commander";
import type { Output } from "../context.js";
import { UsageError } from "../errors.js";
import type { AdminCall } from "./admin-client.js";
import {
  type AuditContext,
  type AuditFilterOptions,
  type LocalAuditOpener,
  runAuditExport,
  runAuditQuery,
  runAuditTail,
  runAuditVerify,
} from "./audit.js";

interface AuditRunners {
  client(
    action: (context: { admin: AdminCall; stdout: Output; stderr: Output }) => Promise<void>,
  ): Promise<void>;
  local(action: () => Promise<void>): Promise<void>;
  openAudit: LocalAuditOpener;
  stdout: Output;
  stderr: Output;
}

/** `coffer audit verify|query|tail|export`: through the API, or a data folder with `--data-dir`. */
export function registerAuditCommands(program: Command, run: AuditRunners): void {
  const audit = program
    .command("audit")
    .description(
      "the tamper-evident audit trail: through the API (coffer:*Audit* actions), or a data folder with --data-dir",
    )
    .addHelpText(
      "after",
      `
Where the trail is read:
  by default, the server at the usual endpoint (--endpoint-url, AWS_ENDPOINT_URL…),
    signed with your credentials; needs coffer:QueryAuditEvents (query, export),
    coffer:TailAuditEvents (tail) or coffer:VerifyAuditTrail (verify)
  --data-dir DIR, or --data-dir alone for COFFER_HOME (default ~/.coffer): the files
    of a data folder, no server or credentials needed (offline, forensics, a server that
    is down). Writes nothing but the query index audit.db beside audit.log, and only for
    query and export; a folder without audit.log is refused (exit 1).
The output is the same either way. Tails leave out their own polling (successful
TailAuditEvents calls); query and export show them.`,
    );
  const auditAction =
    (action: (context: AuditContext) => Promise<void>) => async (options: { dataDir?: string | true }) => {
      if (options.dataDir === undefined) {
        return run.client((c) => action({ call: c.admin, stdout: c.stdout, stderr: c.stderr }));
      }
      const dataDir = options.dataDir;
      return run.local(async () => {
        if (program.opts<{ endpointUrl?: string }>().endpointUrl !== undefined) {
          throw new UsageError("give --data-dir or --endpoint-url, not both");
        }
        const local = await run.openAudit(dataDir);
        try {
          await action({ call: local.call, stdout: run.stdout, stderr: run.stderr });
        } finally {
          await local.close();
        }
      });
    };
  const source = (command: Command) =>
    command.option(
      "--data-dir [dir]",
      "read the trail from this data folder instead of the API (alone: COFFER_HOME, else ~/.coffer)",
    );
  const withFilters = (command: Command) =>
    source(command)
      .option("--secret <id>", "name or ARN")
      .option("--principal <arn-or-key-id>")
      .option("--action <operation>", "e.g. GetSecretValue")
      .option("--outcome <outcome>", "allowed, denied, error or success")
      .option("--since <time>", "ISO time or a duration back from now: 15m, 24h, 7d")
      .option("--until <time>");
  source(
    audit
      .command("verify")
      .description("check the hash chain; says where an event was modified, deleted, inserted or reordered"),
  )
    .option("--anchor <seq:hash>", "a head printed by an earlier verify, to detect a rewritten tail")
    .action((options: { anchor?: string; dataDir?: string | true }) =>
      auditAction((context) => runAuditVerify(context, options))(options),
    );
  withFilters(audit.command("query").description("events, newest first"))
    .option("--limit <n>", "1 to 1000 (default 100)")
    .option("--json", "CloudTrail records, one per line")
    .action((options: AuditFilterOptions & { limit?: string; json?: boolean; dataDir?: string | true }) =>
      auditAction((context) => runAuditQuery(context, options))(options),
    );
  source(audit.command("tail").description("the latest events; --follow keeps printing new ones"))
    .option("--follow")
    .option("--last <n>", "how many past events to print first, 0 to 1000 (default 20)")
    .option("--json")
    .action((options: { follow?: boolean; last?: string; json?: boolean; dataDir?: string | true }) =>
      auditAction((context) => {
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        process.once("SIGINT", onSignal);
        process.once("SIGTERM", onSignal);
        return runAuditTail(context, options, stop.signal).finally(() => {
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
        });
      })(options),
    );
  withFilters(audit.command("export").description("JSON Lines for a SIEM, oldest first"))
    .option("--chain", "include seq and hashes so the receiver can check the chain")
    .action((options: AuditFilterOptions & { chain?: boolean; dataDir?: string | true }) =>
      auditAction((context) => runAuditExport(context, options))(options),
    );
}
