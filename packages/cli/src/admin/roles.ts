import { UsageError } from "../errors.js";
import { parseTags } from "../key-value.js";
import { formatDate, formatFields, formatTable, toJson } from "../output.js";
import { type AdminContext, dateOf } from "./context.js";
import { readInputFile } from "./input-file.js";

interface Role {
  RoleName: string;
  Arn: string;
  RoleId: string;
  CreateDate: number;
  AssumeRolePolicyDocument: string;
  MaxSessionDuration: number;
  Description?: string;
  Tags: Array<{ Key: string; Value: string }>;
}

/** `--max-session-duration`: whole seconds, 3600 to 43200 (the server says so too; this says it sooner). */
function sessionSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!Number.isInteger(seconds) || seconds < 3_600 || seconds > 43_200) {
    throw new UsageError(`--max-session-duration takes 3600 to 43200 seconds (1 to 12 hours), not "${text}"`);
  }
  return seconds;
}

function duration(seconds: number): string {
  const hours = seconds / 3_600;
  return `${seconds} s (${Number.isInteger(hours) ? hours : hours.toFixed(2)} h)`;
}

function tagsText(tags: Role["Tags"]): string {
  return tags.map((t) => `${t.Key}=${t.Value}`).join(",");
}

export async function runRoleCreate(
  context: AdminContext,
  name: string,
  options: { trustPolicy: string; maxSessionDuration?: string; description?: string; tag?: string[] },
) {
  const maxSessionDuration = sessionSeconds(options.maxSessionDuration);
  const trustPolicy = await readInputFile(options.trustPolicy, "the trust policy file");
  const { Role } = (await context.admin("CreateRole", {
    RoleName: name,
    AssumeRolePolicyDocument: trustPolicy,
    MaxSessionDuration: maxSessionDuration,
    Description: options.description,
    Tags: parseTags(options.tag ?? []),
  })) as { Role: Role };
  context.stderr.write(
    `Created role ${Role.RoleName} (${Role.Arn}). Its sessions can do nothing until a policy allows it: coffer admin role policy put ${Role.RoleName} NAME --file policy.json\n`,
  );
  context.stdout.write(
    formatFields([
      ["Role", Role.RoleName],
      ["ARN", Role.Arn],
    ]),
  );
}

export async function runRoleList(context: AdminContext, options: { json?: boolean }) {
  const { Roles } = (await context.admin("ListRoles", {})) as { Roles: Role[] };
  if (options.json) {
    context.stdout.write(toJson(Roles));
    return;
  }
  context.stdout.write(
    formatTable(
      ["Role", "ARN", "Created", "MaxSession", "Description"],
      Roles.map((r) => [
        r.RoleName,
        r.Arn,
        formatDate(dateOf(r.CreateDate)),
        `${r.MaxSessionDuration} s`,
        r.Description ?? "",
      ]),
    ),
  );
}

export async function runRoleGet(context: AdminContext, name: string, options: { json?: boolean }) {
  const { Role } = (await context.admin("GetRole", { RoleName: name })) as { Role: Role };
  const { PolicyNames } = (await context.admin("ListRolePolicies", { RoleName: name })) as {
    PolicyNames: string[];
  };
  if (options.json) {
    context.stdout.write(toJson({ ...Role, PolicyNames }));
    return;
  }
  context.stdout.write(
    formatFields([
      ["Role", Role.RoleName],
      ["ARN", Role.Arn],
      ["Role ID", Role.RoleId],
      ["Created", formatDate(dateOf(Role.CreateDate))],
      ["Max session", duration(Role.MaxSessionDuration)],
      ["Description", Role.Description ?? "-"],
      ["Tags", tagsText(Role.Tags) || "-"],
      ["Policies", PolicyNames.join(", ") || "- (its sessions can do nothing)"],
    ]),
  );
  context.stdout.write(`Trust policy:\n${prettyJson(Role.AssumeRolePolicyDocument)}`);
}

/** A stored document as written, indented if it is JSON (it is: the server parsed it). */
function prettyJson(document: string): string {
  try {
    return toJson(JSON.parse(document));
  } catch {
    return document.endsWith("\n") ? document : `${document}\n`;
  }
}

export async function runRoleDelete(context: AdminContext, name: string) {
  await context.admin("DeleteRole", { RoleName: name });
  context.stderr.write(`Deleted role ${name} with its policies; its sessions stopped working.\n`);
}

export async function runRoleUpdate(
  context: AdminContext,
  name: string,
  options: { maxSessionDuration?: string; description?: string; trustPolicy?: string },
) {
  const maxSessionDuration = sessionSeconds(options.maxSessionDuration);
  if (
    maxSessionDuration === undefined &&
    options.description === undefined &&
    options.trustPolicy === undefined
  ) {
    throw new UsageError("nothing to update: give --max-session-duration, --description or --trust-policy");
  }
  const trustPolicy =
    options.trustPolicy === undefined
      ? undefined
      : await readInputFile(options.trustPolicy, "the trust policy file");
  const changed: string[] = [];
  try {
    // The trust policy first: it is the change the server is likeliest to refuse (a malformed document).
    if (trustPolicy !== undefined) {
      await context.admin("UpdateAssumeRolePolicy", { RoleName: name, PolicyDocument: trustPolicy });
      changed.push("its trust policy");
    }
    if (maxSessionDuration !== undefined || options.description !== undefined) {
      await context.admin("UpdateRole", {
        RoleName: name,
        MaxSessionDuration: maxSessionDuration,
        Description: options.description,
      });
      if (maxSessionDuration !== undefined)
        changed.push(`its longest session to ${duration(maxSessionDuration)}`);
      if (options.description !== undefined) changed.push("its description");
    }
  } catch (error) {
    // Two calls, not one transaction: say what was done before the one that failed.
    if (changed.length > 0) context.stderr.write(`Updated role ${name}: ${changed.join(", ")}; then:\n`);
    throw error;
  }
  context.stderr.write(`Updated role ${name}: ${changed.join(", ")}.\n`);
}

export async function runRolePolicyPut(
  context: AdminContext,
  role: string,
  policyName: string,
  options: { file: string },
) {
  const document = await readInputFile(options.file, "the policy file");
  await context.admin("PutRolePolicy", { RoleName: role, PolicyName: policyName, PolicyDocument: document });
  context.stderr.write(`Attached policy ${policyName} to role ${role}.\n`);
}

export async function runRolePolicyGet(context: AdminContext, role: string, policyName: string) {
  const { PolicyDocument } = (await context.admin("GetRolePolicy", {
    RoleName: role,
    PolicyName: policyName,
  })) as {
    PolicyDocument: string;
  };
  context.stdout.write(prettyJson(PolicyDocument));
}

export async function runRolePolicyDelete(context: AdminContext, role: string, policyName: string) {
  await context.admin("DeleteRolePolicy", { RoleName: role, PolicyName: policyName });
  context.stderr.write(`Deleted policy ${policyName} of role ${role}.\n`);
}

export async function runRolePolicyList(context: AdminContext, role: string) {
  const { PolicyNames } = (await context.admin("ListRolePolicies", { RoleName: role })) as {
    PolicyNames: string[];
  };
  context.stdout.write(PolicyNames.map((name) => `${name}\n`).join(""));
}
