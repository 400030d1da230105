import type { Command } from "commander";
import type { Output } from "../context.js";
import { UsageError } from "../errors.js";
import { collect } from "../key-value.js";
import { runPolicyLint, runWhoCan } from "./access.js";
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
import { runKeyCreate, runKeyDelete, runKeyList, runKeySetStatus, runSession } from "./keys.js";
import {
  runPolicyDelete,
  runPolicyGet,
  runPolicyList,
  runPolicyPut,
  runUserCreate,
  runUserDelete,
  runUserList,
  runUserTag,
} from "./users.js";

interface Runners {
  client(
    action: (context: { admin: AdminCall; stdout: Output; stderr: Output }) => Promise<void>,
  ): Promise<void>;
  local(action: () => Promise<void>): Promise<void>;
  openAudit: LocalAuditOpener;
  stdout: Output;
  stderr: Output;
}

/** `coffer admin …` (users, keys, policies, sessions), `coffer access`, `coffer policy` and `coffer audit`. */
export function registerAdminCommands(program: Command, run: Runners): void {
  const admin = program
    .command("admin")
    .description("users, access keys, identity policies and session credentials");

  const user = admin.command("user").description("users (and service identities)");
  user
    .command("create")
    .argument("<name>")
    .option("--tag <key=value>", "tag on the user, usable in policy conditions (repeatable)", collect)
    .action((name: string, options: { tag?: string[] }) =>
      run.client((c) => runUserCreate(c, name, options)),
    );
  user
    .command("list")
    .option("--json")
    .action((options: { json?: boolean }) => run.client((c) => runUserList(c, options)));
  user
    .command("delete")
    .argument("<name>")
    .action((name: string) => run.client((c) => runUserDelete(c, name)));
  user
    .command("tag")
    .argument("<name>")
    .argument("<pairs...>", "KEY=VALUE")
    .action((name: string, pairs: string[]) => run.client((c) => runUserTag(c, name, pairs)));

  const key = admin.command("key").description("access keys");
  key
    .command("create")
    .argument("<user>")
    .option("--expires-in <seconds>", "the key stops working after this many seconds")
    .action((name: string, options: { expiresIn?: string }) =>
      run.client((c) => runKeyCreate(c, name, options)),
    );
  key
    .command("list")
    .argument("<user>")
    .option("--json")
    .action((name: string, options: { json?: boolean }) => run.client((c) => runKeyList(c, name, options)));
  key
    .command("disable")
    .argument("<access-key-id>")
    .action((id: string) => run.client((c) => runKeySetStatus(c, id, "Inactive")));
  key
    .command("enable")
    .argument("<access-key-id>")
    .action((id: string) => run.client((c) => runKeySetStatus(c, id, "Active")));
  key
    .command("delete")
    .argument("<access-key-id>")
    .action((id: string) => run.client((c) => runKeyDelete(c, id)));

  admin
    .command("session")
    .description("short-lived credentials (ASIA… key, secret, session token) that expire on their own")
    .argument("[user]", "another user (needs coffer:CreateSessionCredentials); default: yourself")
    .option("--duration <seconds>", "900 to 43200 (default 3600)")
    .action((name: string | undefined, options: { duration?: string }) =>
      run.client((c) => runSession(c, name, options)),
    );

  const policy = admin.command("policy").description("identity policies attached to users");
  policy
    .command("put")
    .argument("<user>")
    .argument("<policy-name>")
    .requiredOption("--file <path>", "the IAM JSON policy document")
    .action((name: string, policyName: string, options: { file: string }) =>
      run.client((c) => runPolicyPut(c, name, policyName, options)),
    );
  policy
    .command("get")
    .argument("<user>")
    .argument("<policy-name>")
    .action((name: string, p: string) => run.client((c) => runPolicyGet(c, name, p)));
  policy
    .command("delete")
    .argument("<user>")
    .argument("<policy-name>")
    .action((name: string, p: string) => run.client((c) => runPolicyDelete(c, name, p)));
  policy
    .command("list")
    .argument("<user>")
    .action((name: string) => run.client((c) => runPolicyList(c, name)));

  program
    .command("access")
    .description("who may do what")
    .command("who-can")
    .description(
      "every principal that can read a secret (or perform --action on it), and through which statement",
    )
    .argument("<secret>")
    .option("--action <action>", "default secretsmanager:GetSecretValue")
    .option("--json")
    .action((secret: string, options: { action?: string; json?: boolean }) =>
      run.client((c) => runWhoCan(c, secret, options)),
    );

  program
    .command("policy")
    .description("policy hygiene")
    .command("lint")
    .description(
      "flag super-user grants, grants unused in the audit trail, and grants broader than their use",
    )
    .option("--unused-days <days>", "how far back the audit trail is searched for use (default 90)")
    .option("--json")
    .action((options: { unusedDays?: string; json?: boolean }) =>
      run.client(async (c) => {
        await runPolicyLint(c, options);
      }),
    );

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
