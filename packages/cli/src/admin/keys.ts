import { UsageError } from "../errors.js";
import { formatDate, formatTable, toJson } from "../output.js";
import { type AdminContext, dateOf } from "./context.js";

interface KeyMetadata {
  AccessKeyId: string;
  Status: string;
  CreateDate: number;
  Expiration?: number;
  LastUsedDate?: number;
  LastUsedSourceIp?: string;
  Temporary?: boolean;
}

function credentialExports(id: string, secret: string, token?: string): string {
  const lines = [`export AWS_ACCESS_KEY_ID=${id}`, `export AWS_SECRET_ACCESS_KEY=${secret}`];
  if (token !== undefined) lines.push(`export AWS_SESSION_TOKEN=${token}`);
  return `${lines.join("\n")}\n`;
}

export async function runKeyCreate(context: AdminContext, user: string, options: { expiresIn?: string }) {
  const expires = options.expiresIn === undefined ? undefined : Number(options.expiresIn);
  if (expires !== undefined && (!Number.isInteger(expires) || expires < 1)) {
    throw new UsageError("--expires-in takes a whole number of seconds, at least 1");
  }
  const { AccessKey } = (await context.admin("CreateAccessKey", {
    UserName: user,
    ExpiresInSeconds: expires,
  })) as {
    AccessKey: { AccessKeyId: string; SecretAccessKey: string; Expiration?: number };
  };
  context.stderr.write(
    `Created access key ${AccessKey.AccessKeyId} for user ${user}. Its secret is shown only now; hand it over through a safe channel.\n`,
  );
  if (AccessKey.Expiration !== undefined) {
    context.stderr.write(`It expires at ${formatDate(dateOf(AccessKey.Expiration))}.\n`);
  }
  context.stdout.write(credentialExports(AccessKey.AccessKeyId, AccessKey.SecretAccessKey));
}

export async function runKeyList(context: AdminContext, user: string, options: { json?: boolean }) {
  const { AccessKeyMetadata } = (await context.admin("ListAccessKeys", { UserName: user })) as {
    AccessKeyMetadata: KeyMetadata[];
  };
  if (options.json) {
    context.stdout.write(toJson(AccessKeyMetadata));
    return;
  }
  context.stdout.write(
    formatTable(
      ["AccessKeyId", "Status", "Created", "Expires", "LastUsed", "LastUsedFrom"],
      AccessKeyMetadata.map((k) => [
        k.AccessKeyId + (k.Temporary ? " (session)" : ""),
        k.Status,
        formatDate(dateOf(k.CreateDate)),
        formatDate(dateOf(k.Expiration)),
        formatDate(dateOf(k.LastUsedDate)),
        k.LastUsedSourceIp ?? "-",
      ]),
    ),
  );
}

export async function runKeySetStatus(
  context: AdminContext,
  id: string,
  status: "Active" | "Inactive",
  options: { force?: boolean } = {},
) {
  await context.admin("UpdateAccessKey", {
    AccessKeyId: id,
    Status: status,
    ...(options.force ? { Force: true } : {}),
  });
  context.stderr.write(`Access key ${id} is now ${status.toLowerCase()}.\n`);
}

export async function runKeyDelete(context: AdminContext, id: string, options: { force?: boolean } = {}) {
  await context.admin("DeleteAccessKey", { AccessKeyId: id, ...(options.force ? { Force: true } : {}) });
  context.stderr.write(`Deleted access key ${id}.\n`);
}

export async function runSession(
  context: AdminContext,
  user: string | undefined,
  options: { duration?: string },
) {
  const duration = options.duration === undefined ? undefined : Number(options.duration);
  if (duration !== undefined && (!Number.isInteger(duration) || duration < 900 || duration > 43_200)) {
    throw new UsageError("--duration takes 900 to 43200 seconds");
  }
  const { Credentials } = (await (user === undefined
    ? context.admin("GetSessionToken", { DurationSeconds: duration })
    : context.admin("CreateSessionCredentials", { UserName: user, DurationSeconds: duration }))) as {
    Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: number };
  };
  context.stderr.write(`These credentials expire at ${formatDate(dateOf(Credentials.Expiration))}.\n`);
  context.stdout.write(
    credentialExports(Credentials.AccessKeyId, Credentials.SecretAccessKey, Credentials.SessionToken),
  );
}
