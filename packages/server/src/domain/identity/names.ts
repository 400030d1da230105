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
