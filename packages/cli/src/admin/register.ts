import type { Command } from "commander";
import type { Output } from "../context.js";
import { collect } from "../key-value.js";
import type { ServerFunctionLoader } from "../server-module.js";
import { runPolicyLint, runWhoCan } from "./access.js";
import type { AdminCall } from "./admin-client.js";
import type { LocalAuditOpener } from "./audit.js";
import { runKeyCreate, runKeyDelete, runKeyList, runKeySetStatus, runSession } from "./keys.js";
import { runAdminRecover } from "./recover.js";
import { registerAuditCommands } from "./register-audit.js";
import { registerWorkloadIdentityCommands } from "./register-workload-identity.js";
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
  /** `coffer admin recover` runs in the server package, where the data folder is. */
  loadServer: ServerFunctionLoader;
  env: NodeJS.ProcessEnv;
  stdout: Output;
  stderr: Output;
}

/**
 * `coffer admin …` (users, keys, policies, sessions, roles, OIDC providers), `coffer access`,
 * `coffer policy` and `coffer audit`.
 */
export function registerAdminCommands(program: Command, run: Runners): void {
  const admin = program
    .command("admin")
    .description("users, access keys, identity policies, session credentials, roles and OIDC providers");

  const user = admin.command("user").description("users (and service identities)");
  user
    .command("create")
    .description("create a user, who can do nothing until a policy allows it")
    .argument("<name>", "user name: letters, digits and +=,.@_-")
    .option("--tag <key=value>", "tag on the user, usable in policy conditions (repeatable)", collect)
    .action((name: string, options: { tag?: string[] }) =>
      run.client((c) => runUserCreate(c, name, options)),
    );
  user
    .command("list")
    .description("list users with their ARNs and tags")
    .option("--json", "print the users as JSON")
    .action((options: { json?: boolean }) => run.client((c) => runUserList(c, options)));
  user
    .command("delete")
    .description("delete a user with its access keys and policies")
    .argument("<name>", "user name")
    .option("--force", "even if it is your own user, or no active key able to administer Coffer would remain")
    .action((name: string, options: { force?: boolean }) =>
      run.client((c) => runUserDelete(c, name, options)),
    );
  user
    .command("tag")
    .description("add or replace tags on a user (aws:PrincipalTag/KEY in policy conditions)")
    .argument("<name>", "user name")
    .argument("<pairs...>", "KEY=VALUE tags")
    .action((name: string, pairs: string[]) => run.client((c) => runUserTag(c, name, pairs)));

  const key = admin.command("key").description("access keys");
  key
    .command("create")
    .description("create an access key for a user; prints its secret once, as export lines")
    .argument("<user>", "user name")
    .option("--expires-in <seconds>", "the key stops working after this many seconds")
    .action((name: string, options: { expiresIn?: string }) =>
      run.client((c) => runKeyCreate(c, name, options)),
    );
  key
    .command("list")
    .description("list a user's access keys, their status, expiry and last use")
    .argument("<user>", "user name")
    .option("--json", "print the keys as JSON")
    .action((name: string, options: { json?: boolean }) => run.client((c) => runKeyList(c, name, options)));
  key
    .command("disable")
    .description("make an access key stop working (it can be enabled again)")
    .argument("<access-key-id>", "the key's id, AKIA…")
    .option("--force", "even if it is the key you call with, or the last active key able to administer")
    .action((id: string, options: { force?: boolean }) =>
      run.client((c) => runKeySetStatus(c, id, "Inactive", options)),
    );
  key
    .command("enable")
    .description("make a disabled access key work again")
    .argument("<access-key-id>", "the key's id, AKIA…")
    .action((id: string) => run.client((c) => runKeySetStatus(c, id, "Active")));
  key
    .command("delete")
    .description("delete an access key for good")
    .argument("<access-key-id>", "the key's id, AKIA…")
    .option("--force", "even if it is the key you call with, or the last active key able to administer")
    .action((id: string, options: { force?: boolean }) => run.client((c) => runKeyDelete(c, id, options)));

  admin
    .command("recover")
    .description(
      "a new admin access key when every admin key is lost; run with the server stopped, where its data folder is (COFFER_HOME, COFFER_MASTER_KEY), audited",
    )
    .action(() => run.local(() => runAdminRecover(run.loadServer, run.env)));

  admin
    .command("session")
    .description("short-lived credentials (ASIA… key, secret, session token) that expire on their own")
    .argument("[user]", "another user (needs coffer:CreateSessionCredentials); default: yourself")
    .option("--duration <seconds>", "how long the credentials last: 900 to 43200 (default 3600)")
    .action((name: string | undefined, options: { duration?: string }) =>
      run.client((c) => runSession(c, name, options)),
    );

  const policy = admin.command("policy").description("identity policies attached to users");
  policy
    .command("put")
    .description("attach an IAM JSON policy to a user under a name, replacing one of that name")
    .argument("<user>", "user name")
    .argument("<policy-name>", "name of the policy within the user")
    .requiredOption("--file <path>", "the IAM JSON policy document")
    .option(
      "--force",
      "even if no active key able to administer Coffer would remain (see `coffer admin recover`)",
    )
    .action((name: string, policyName: string, options: { file: string; force?: boolean }) =>
      run.client((c) => runPolicyPut(c, name, policyName, options)),
    );
  policy
    .command("get")
    .description("print a user's policy document")
    .argument("<user>", "user name")
    .argument("<policy-name>", "name of the policy")
    .action((name: string, p: string) => run.client((c) => runPolicyGet(c, name, p)));
  policy
    .command("delete")
    .description("detach and delete a user's policy")
    .argument("<user>", "user name")
    .argument("<policy-name>", "name of the policy")
    .option(
      "--force",
      "even if no active key able to administer Coffer would remain (see `coffer admin recover`)",
    )
    .action((name: string, p: string, options: { force?: boolean }) =>
      run.client((c) => runPolicyDelete(c, name, p, options)),
    );
  policy
    .command("list")
    .description("list the names of a user's policies")
    .argument("<user>", "user name")
    .action((name: string) => run.client((c) => runPolicyList(c, name)));

  registerWorkloadIdentityCommands(admin, run);

  program
    .command("access")
    .description("who may do what")
    .command("who-can")
    .description(
      "every principal (user, or role: its sessions) that can read a secret (or perform --action on it), and through which statement",
    )
    .argument("<secret>", "secret name or ARN")
    .option("--action <action>", "the action to check (default secretsmanager:GetSecretValue)")
    .option("--json", "print the answer as JSON")
    .action((secret: string, options: { action?: string; json?: boolean }) =>
      run.client((c) => runWhoCan(c, secret, options)),
    );

  program
    .command("policy")
    .description("policy hygiene")
    .command("lint")
    .description(
      "flag actions that do not exist, other services' actions, super-user grants, grants unused in the audit trail, grants broader than their use, and roles' trust policies that let too many in",
    )
    .option("--unused-days <days>", "how far back the audit trail is searched for use (default 90)")
    .option("--json", "print the findings as JSON")
    .action((options: { unusedDays?: string; json?: boolean }) =>
      run.client(async (c) => {
        await runPolicyLint(c, options);
      }),
    );

  registerAuditCommands(program, run);
}
