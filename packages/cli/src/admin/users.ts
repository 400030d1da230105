import { parseTags } from "../key-value.js";
import { formatDate, formatFields, formatTable, toJson } from "../output.js";
import { type AdminContext, dateOf } from "./context.js";
import { readInputFile } from "./input-file.js";

interface User {
  UserName: string;
  Arn: string;
  CreateDate: number;
  Tags: Array<{ Key: string; Value: string }>;
}

export async function runUserCreate(context: AdminContext, name: string, options: { tag?: string[] }) {
  const { User } = (await context.admin("CreateUser", {
    UserName: name,
    Tags: parseTags(options.tag ?? []),
  })) as {
    User: User;
  };
  context.stderr.write(
    `Created user ${User.UserName} (${User.Arn}). It can do nothing until a policy allows it: coffer admin policy put ${User.UserName} NAME --file policy.json\n`,
  );
  context.stdout.write(
    formatFields([
      ["User", User.UserName],
      ["ARN", User.Arn],
    ]),
  );
}

export async function runUserList(context: AdminContext, options: { json?: boolean }) {
  const { Users } = (await context.admin("ListUsers", {})) as { Users: User[] };
  if (options.json) {
    context.stdout.write(toJson(Users));
    return;
  }
  context.stdout.write(
    formatTable(
      ["User", "ARN", "Created", "Tags"],
      Users.map((u) => [
        u.UserName,
        u.Arn,
        formatDate(dateOf(u.CreateDate)),
        u.Tags.map((t) => `${t.Key}=${t.Value}`).join(","),
      ]),
    ),
  );
}

/** `Force` overrides the server's lockout guard (see `coffer admin key delete --force`). */
const forced = (options: { force?: boolean }) => (options.force ? { Force: true } : {});

export async function runUserDelete(context: AdminContext, name: string, options: { force?: boolean } = {}) {
  await context.admin("DeleteUser", { UserName: name, ...forced(options) });
  context.stderr.write(`Deleted user ${name} with its access keys and policies.\n`);
}

export async function runUserTag(context: AdminContext, name: string, tags: string[]) {
  const parsed = parseTags(tags);
  await context.admin("TagUser", { UserName: name, Tags: parsed });
  context.stderr.write(`Tagged user ${name} with ${parsed.map((t) => `${t.Key}=${t.Value}`).join(", ")}.\n`);
}

export async function runPolicyPut(
  context: AdminContext,
  user: string,
  policyName: string,
  options: { file: string; force?: boolean },
) {
  const document = await readInputFile(options.file, "the policy file");
  await context.admin("PutUserPolicy", {
    UserName: user,
    PolicyName: policyName,
    PolicyDocument: document,
    ...forced(options),
  });
  context.stderr.write(`Attached policy ${policyName} to user ${user}.\n`);
}

export async function runPolicyGet(context: AdminContext, user: string, policyName: string) {
  const { PolicyDocument } = (await context.admin("GetUserPolicy", {
    UserName: user,
    PolicyName: policyName,
  })) as {
    PolicyDocument: string;
  };
  context.stdout.write(toJson(JSON.parse(PolicyDocument)));
}

export async function runPolicyDelete(
  context: AdminContext,
  user: string,
  policyName: string,
  options: { force?: boolean } = {},
) {
  await context.admin("DeleteUserPolicy", { UserName: user, PolicyName: policyName, ...forced(options) });
  context.stderr.write(`Deleted policy ${policyName} of user ${user}.\n`);
}

export async function runPolicyList(context: AdminContext, user: string) {
  const { PolicyNames } = (await context.admin("ListUserPolicies", { UserName: user })) as {
    PolicyNames: string[];
  };
  context.stdout.write(PolicyNames.map((name) => `${name}\n`).join(""));
}
