import { typedOperation } from "../wire-types.js";

/**
 * Every principal that can perform an action (default GetSecretValue) on a secret, and through which
 * statement. `Kind` is `user` or `role` (a role's grant is its sessions').
 */
export const whoCanAccess = typedOperation<{ SecretId: string; Action?: string }>(
  async (input, { scope }, { reader, review }) => {
    const action = input.Action ?? "secretsmanager:GetSecretValue";
    const { secret } = await reader.describe(scope, input.SecretId);
    const grants = await review.whoCan(secret, action.includes(":") ? action : `secretsmanager:${action}`);
    return {
      ARN: secret.arn,
      Name: secret.name,
      Action: action,
      Principals: grants.map((grant) => ({
        Principal: grant.principal,
        Kind: grant.kind,
        Source: grant.source,
        ...(grant.policyName !== undefined ? { PolicyName: grant.policyName } : {}),
        ...(grant.sid !== undefined ? { Sid: grant.sid } : {}),
      })),
    };
  },
);

/**
 * Super-user grants, grants unused in the audit trail for N days, grants broader than their use, and
 * roles' trust policies that let too many in (PolicyName `(trust policy)`).
 */
export const lintPolicies = typedOperation<{ UnusedDays?: number }>(async (input, _context, { review }) => {
  const findings = await review.lint({ unusedDays: input.UnusedDays ?? 90 });
  return {
    Findings: findings.map((f) => ({
      Code: f.code,
      Severity: f.severity,
      Principal: f.principal,
      PolicyName: f.policyName,
      Statement: f.statement,
      Message: f.message,
    })),
  };
});
