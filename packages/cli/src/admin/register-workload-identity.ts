import type { Command } from "commander";
import type { Output } from "../context.js";
import { collect } from "../key-value.js";
import type { AdminCall } from "./admin-client.js";
import {
  runProviderAdd,
  runProviderGet,
  runProviderList,
  runProviderRemove,
  runProviderUpdate,
} from "./oidc-providers.js";
import {
  runRoleCreate,
  runRoleDelete,
  runRoleGet,
  runRoleList,
  runRolePolicyDelete,
  runRolePolicyGet,
  runRolePolicyList,
  runRolePolicyPut,
  runRoleUpdate,
} from "./roles.js";

interface ClientRunner {
  client(
    action: (context: { admin: AdminCall; stdout: Output; stderr: Output }) => Promise<void>,
  ): Promise<void>;
}

/** `coffer admin role …` and `coffer admin oidc-provider …`: workload identity (docs/adr/0011). */
export function registerWorkloadIdentityCommands(admin: Command, run: ClientRunner): void {
  registerRoleCommands(admin, run);
  registerOidcProviderCommands(admin, run);
}

function registerRoleCommands(admin: Command, run: ClientRunner): void {
  const role = admin
    .command("role")
    .description(
      "roles: identities a workload becomes for a while, by a token or a key its trust policy accepts",
    );
  role
    .command("create")
    .description("create a role, whose sessions can do nothing until a policy allows it")
    .argument("<name>", "role name: letters, digits and +=,.@_-")
    .requiredOption("--trust-policy <file>", "the trust policy: who may assume the role (IAM JSON)")
    .option("--max-session-duration <seconds>", "the longest session: 3600 to 43200 (default 3600)")
    .option("--description <text>", "what the role is for")
    .option("--tag <key=value>", "tag on the role, usable in policy conditions (repeatable)", collect)
    .action(
      (
        name: string,
        options: { trustPolicy: string; maxSessionDuration?: string; description?: string; tag?: string[] },
      ) => run.client((c) => runRoleCreate(c, name, options)),
    );
  role
    .command("list")
    .description("list roles with their ARNs and longest sessions")
    .option("--json", "print the roles as JSON")
    .action((options: { json?: boolean }) => run.client((c) => runRoleList(c, options)));
  role
    .command("get")
    .description("show a role: its trust policy, longest session and attached policies")
    .argument("<name>", "role name")
    .option("--json", "print the role as JSON")
    .action((name: string, options: { json?: boolean }) => run.client((c) => runRoleGet(c, name, options)));
  role
    .command("delete")
    .description("delete a role with its policies; its live sessions stop working")
    .argument("<name>", "role name")
    .action((name: string) => run.client((c) => runRoleDelete(c, name)));
  role
    .command("update")
    .description("change a role's longest session, description or trust policy")
    .argument("<name>", "role name")
    .option("--max-session-duration <seconds>", "the longest session: 3600 to 43200")
    .option("--description <text>", "what the role is for")
    .option("--trust-policy <file>", "replace the trust policy (IAM JSON)")
    .action(
      (name: string, options: { maxSessionDuration?: string; description?: string; trustPolicy?: string }) =>
        run.client((c) => runRoleUpdate(c, name, options)),
    );

  const policy = role.command("policy").description("permission policies attached to a role");
  policy
    .command("put")
    .description("attach an IAM JSON policy to a role under a name, replacing one of that name")
    .argument("<role>", "role name")
    .argument("<policy-name>", "name of the policy within the role")
    .requiredOption("--file <path>", "the IAM JSON policy document")
    .action((name: string, policyName: string, options: { file: string }) =>
      run.client((c) => runRolePolicyPut(c, name, policyName, options)),
    );
  policy
    .command("get")
    .description("print a role's policy document")
    .argument("<role>", "role name")
    .argument("<policy-name>", "name of the policy")
    .action((name: string, policyName: string) => run.client((c) => runRolePolicyGet(c, name, policyName)));
  policy
    .command("delete")
    .description("detach and delete a role's policy")
    .argument("<role>", "role name")
    .argument("<policy-name>", "name of the policy")
    .action((name: string, policyName: string) =>
      run.client((c) => runRolePolicyDelete(c, name, policyName)),
    );
  policy
    .command("list")
    .description("list the names of a role's policies")
    .argument("<role>", "role name")
    .action((name: string) => run.client((c) => runRolePolicyList(c, name)));
}

function registerOidcProviderCommands(admin: Command, run: ClientRunner): void {
  const provider = admin
    .command("oidc-provider")
    .description("OpenID Connect issuers whose tokens workloads exchange for role sessions");
  provider
    .command("add")
    .description(
      "trust tokens of an issuer (GitHub Actions, Kubernetes, GitLab…) minted for the given audiences",
    )
    .requiredOption("--issuer <url>", "the issuer exactly as its tokens carry it in iss (https://…)")
    .requiredOption(
      "--audience <aud>",
      "an aud its tokens must carry, e.g. sts.amazonaws.com (repeatable)",
      collect,
    )
    .option(
      "--jwks-file <file>",
      "its signing keys as a JWKS document (for an issuer the server cannot reach)",
    )
    .option("--jwks-url <url>", "where to fetch its signing keys (default: through its discovery document)")
    .action((options: { issuer: string; audience: string[]; jwksFile?: string; jwksUrl?: string }) =>
      run.client((c) => runProviderAdd(c, options)),
    );
  provider
    .command("list")
    .description("list OIDC providers with their issuers, audiences and where their keys come from")
    .option("--json", "print the providers as JSON")
    .action((options: { json?: boolean }) => run.client((c) => runProviderList(c, options)));
  provider
    .command("get")
    .description("show an OIDC provider")
    .argument("<arn-or-issuer>", "the provider's ARN or issuer URL")
    .option("--json", "print the provider as JSON (with its JWKS document, if stored)")
    .action((arnOrIssuer: string, options: { json?: boolean }) =>
      run.client((c) => runProviderGet(c, arnOrIssuer, options)),
    );
  provider
    .command("update")
    .description(
      "replace an OIDC provider's audiences or where its keys come from (a new JWKS file rotates stored keys)",
    )
    .argument("<arn-or-issuer>", "the provider's ARN or issuer URL")
    .option("--audience <aud>", "the audiences accepted from now on (repeatable; replaces them all)", collect)
    .option("--jwks-file <file>", "its signing keys from now on, as a JWKS document")
    .option("--jwks-url <url>", "fetch its signing keys from this URL from now on")
    .option("--discovery", "fetch its signing keys through its discovery document from now on")
    .action(
      (
        arnOrIssuer: string,
        options: { audience?: string[]; jwksFile?: string; jwksUrl?: string; discovery?: boolean },
      ) => run.client((c) => runProviderUpdate(c, arnOrIssuer, options)),
    );
  provider
    .command("remove")
    .description("stop trusting an OIDC provider's tokens (sessions already issued run until they expire)")
    .argument("<arn-or-issuer>", "the provider's ARN or issuer URL")
    .action((arnOrIssuer: string) => run.client((c) => runProviderRemove(c, arnOrIssuer)));
}
