/**
 * The ARNs of principals and role sessions, and how one names the other: pure functions over
 * strings that the domain (who a caller is), the audit trail (how it is recorded) and the wire
 * (what STS answers) share, in a leaf module of their own so none of them imports another for it.
 */

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
