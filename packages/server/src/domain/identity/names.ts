import { InvalidParameterException } from "../../errors/catalog.js";

const userName = /^[\w+=,.@-]{1,64}$/;
const policyName = /^[\w+=,.@-]{1,128}$/;

export function assertUserName(name: string): void {
  if (!userName.test(name)) {
    throw new InvalidParameterException(
      "Invalid user name: use 1 to 64 letters, digits or any of _+=,.@- (as in IAM).",
    );
  }
}

export function assertPolicyName(name: string): void {
  if (!policyName.test(name)) {
    throw new InvalidParameterException(
      "Invalid policy name: use 1 to 128 letters, digits or any of _+=,.@-.",
    );
  }
}

export function userArn(accountId: string, name: string): string {
  return `arn:aws:iam::${accountId}:user/${name}`;
}

const roleName = /^[\w+=,.@-]{1,64}$/;
const roleSessionName = /^[\w+=,.@-]{2,64}$/;

export function assertRoleName(name: string): void {
  if (!roleName.test(name)) {
    throw new InvalidParameterException(
      "Invalid role name: use 1 to 64 letters, digits or any of _+=,.@- (as in IAM; Coffer's roles have no path).",
    );
  }
}

/** STS's rule for RoleSessionName. */
export function isRoleSessionName(name: string): boolean {
  return roleSessionName.test(name);
}

export function roleArn(accountId: string, name: string): string {
  return `arn:aws:iam::${accountId}:role/${name}`;
}

/** `arn:aws:sts::<account>:assumed-role/<role>/<session>`: a role session's own ARN. */
export function assumedRoleArn(accountId: string, role: string, session: string): string {
  return `arn:aws:sts::${accountId}:assumed-role/${role}/${session}`;
}

const assumedRolePattern = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/([^/]+)$/;

/** The role a session ARN belongs to, or undefined when the ARN is not a role session's. */
export function roleOfSession(
  arn: string,
): { roleArn: string; roleName: string; session: string } | undefined {
  const match = assumedRolePattern.exec(arn);
  if (!match) return undefined;
  const [, account, role, session] = match as unknown as [string, string, string, string];
  return { roleArn: roleArn(account, role), roleName: role, session };
}
