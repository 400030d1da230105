/**
 * What Secrets Manager authorizes: its IAM actions (one per API operation of the service model) and
 * the condition keys its requests carry. The linter uses these to catch typos; the evaluator does
 * not need them.
 */

/** Every `secretsmanager:` IAM action: the 23 operations of model/secretsmanager-2017-10-17.json. */
export const SECRETS_MANAGER_ACTIONS = [
  "secretsmanager:BatchGetSecretValue",
  "secretsmanager:CancelRotateSecret",
  "secretsmanager:CreateSecret",
  "secretsmanager:DeleteResourcePolicy",
  "secretsmanager:DeleteSecret",
  "secretsmanager:DescribeSecret",
  "secretsmanager:GetRandomPassword",
  "secretsmanager:GetResourcePolicy",
  "secretsmanager:GetSecretValue",
  "secretsmanager:ListSecretVersionIds",
  "secretsmanager:ListSecrets",
  "secretsmanager:PutResourcePolicy",
  "secretsmanager:PutSecretValue",
  "secretsmanager:RemoveRegionsFromReplication",
  "secretsmanager:ReplicateSecretToRegions",
  "secretsmanager:RestoreSecret",
  "secretsmanager:RotateSecret",
  "secretsmanager:StopReplicationToReplica",
  "secretsmanager:TagResource",
  "secretsmanager:UntagResource",
  "secretsmanager:UpdateSecret",
  "secretsmanager:UpdateSecretVersionStage",
  "secretsmanager:ValidateResourcePolicy",
] as const;

export type SecretsManagerAction = (typeof SECRETS_MANAGER_ACTIONS)[number];

/**
 * Coffer's actions for reading the audit trail through the admin API (`coffer.<Operation>`, authorized
 * as `coffer:<Operation>` on `*`), each separate so a policy can grant audit reading alone:
 * QueryAuditEvents for `coffer audit query|export`, TailAuditEvents for `tail`, VerifyAuditTrail for `verify`.
 */
export const COFFER_AUDIT_ACTIONS = [
  "coffer:QueryAuditEvents",
  "coffer:TailAuditEvents",
  "coffer:VerifyAuditTrail",
] as const;

/**
 * Coffer's actions for the console's Observability data (docs/activity.md), each authorized on `*`:
 * GetActivity and GetClientMetrics read figures from the audit trail, ListIdleSecrets names secrets
 * nobody reads (only those the caller may also `secretsmanager:ListSecrets`), ReportClientMetrics is
 * what `@coffer/client` and the agent call to report their cache figures.
 */
export const COFFER_ACTIVITY_ACTIONS = [
  "coffer:GetActivity",
  "coffer:GetClientMetrics",
  "coffer:ListIdleSecrets",
  "coffer:ReportClientMetrics",
] as const;

/**
 * Coffer's actions for workload identity (docs/adr/0011): roles and OpenID Connect providers, named
 * as IAM names them, each authorized on the role's ARN (`arn:aws:iam::<account>:role/<name>`) or the
 * provider's (`arn:aws:iam::<account>:oidc-provider/<issuer>`); listing them on `*`.
 */
export const COFFER_WORKLOAD_IDENTITY_ACTIONS = [
  "coffer:CreateOpenIDConnectProvider",
  "coffer:CreateRole",
  "coffer:DeleteOpenIDConnectProvider",
  "coffer:DeleteRole",
  "coffer:DeleteRolePolicy",
  "coffer:GetOpenIDConnectProvider",
  "coffer:GetRole",
  "coffer:GetRolePolicy",
  "coffer:ListOpenIDConnectProviders",
  "coffer:ListRolePolicies",
  "coffer:ListRoles",
  "coffer:PutRolePolicy",
  "coffer:TagRole",
  "coffer:UntagRole",
  "coffer:UpdateAssumeRolePolicy",
  "coffer:UpdateOpenIDConnectProvider",
  "coffer:UpdateRole",
] as const;

/** Every `coffer:` IAM action: the operations of Coffer's admin API (model/coffer-admin-*.json). */
export const COFFER_ADMIN_ACTIONS = [
  "coffer:CreateAccessKey",
  "coffer:CreateSessionCredentials",
  "coffer:CreateUser",
  "coffer:DeleteAccessKey",
  "coffer:DeleteUser",
  "coffer:DeleteUserPolicy",
  "coffer:GetSessionToken",
  "coffer:GetUser",
  "coffer:GetUserPolicy",
  "coffer:LintPolicies",
  "coffer:ListAccessKeys",
  "coffer:ListUserPolicies",
  "coffer:ListUsers",
  "coffer:PutUserPolicy",
  "coffer:TagUser",
  "coffer:UntagUser",
  "coffer:UpdateAccessKey",
  "coffer:WhoCanAccess",
  ...COFFER_AUDIT_ACTIONS,
  ...COFFER_ACTIVITY_ACTIONS,
  ...COFFER_WORKLOAD_IDENTITY_ACTIONS,
] as const;

/** The services whose every action Coffer knows (lower-case prefix → actions). */
const KNOWN_SERVICES = new Map<string, readonly string[]>([
  ["secretsmanager", SECRETS_MANAGER_ACTIONS],
  ["coffer", COFFER_ADMIN_ACTIONS],
]);

/** The actions of a service Coffer authorizes (`secretsmanager`, `coffer`; any case), else undefined. */
export function serviceActions(service: string): readonly string[] | undefined {
  return KNOWN_SERVICES.get(service.toLowerCase());
}

/** Actions that act on no particular secret: IAM authorizes them against resource `*`. */
export const ACCOUNT_LEVEL_ACTIONS: readonly SecretsManagerAction[] = [
  "secretsmanager:GetRandomPassword",
  "secretsmanager:ListSecrets",
  "secretsmanager:BatchGetSecretValue",
];

const byLowerName = new Map<string, SecretsManagerAction>(
  SECRETS_MANAGER_ACTIONS.map((action) => [action.toLowerCase(), action]),
);

/** The canonical spelling of a Secrets Manager action, matched case-insensitively as IAM does. */
export function canonicalAction(action: string): SecretsManagerAction | undefined {
  return byLowerName.get(action.toLowerCase());
}

/** Global condition keys (lower-case) with the prefixes that take a tag key or path after them. */
const GLOBAL_KEYS = [
  "aws:CalledVia",
  "aws:CalledViaFirst",
  "aws:CalledViaLast",
  "aws:CurrentTime",
  "aws:EpochTime",
  "aws:FederatedProvider",
  "aws:MultiFactorAuthAge",
  "aws:MultiFactorAuthPresent",
  "aws:PrincipalAccount",
  "aws:PrincipalArn",
  "aws:PrincipalIsAWSService",
  "aws:PrincipalOrgID",
  "aws:PrincipalOrgPaths",
  "aws:PrincipalServiceName",
  "aws:PrincipalServiceNamesList",
  "aws:PrincipalType",
  "aws:Referer",
  "aws:RequestedRegion",
  "aws:ResourceAccount",
  "aws:ResourceOrgID",
  "aws:ResourceOrgPaths",
  "aws:SecureTransport",
  "aws:SourceAccount",
  "aws:SourceArn",
  "aws:SourceIdentity",
  "aws:SourceIp",
  "aws:SourceOrgID",
  "aws:SourceOrgPaths",
  "aws:SourceVpc",
  "aws:SourceVpce",
  "aws:TagKeys",
  "aws:TokenIssueTime",
  "aws:UserAgent",
  "aws:userid",
  "aws:username",
  "aws:ViaAWSService",
  "aws:VpcSourceIp",
];

const SECRETS_MANAGER_KEYS = [
  "secretsmanager:AddReplicaRegions",
  "secretsmanager:BlockPublicPolicy",
  "secretsmanager:Description",
  "secretsmanager:ForceDeleteWithoutRecovery",
  "secretsmanager:ForceOverwriteReplicaSecret",
  "secretsmanager:KmsKeyId",
  "secretsmanager:ModifyRotationRules",
  "secretsmanager:Name",
  "secretsmanager:RecoveryWindowInDays",
  "secretsmanager:resource/AllowRotationLambdaArn",
  "secretsmanager:RotateImmediately",
  "secretsmanager:RotationLambdaARN",
  "secretsmanager:SecretId",
  "secretsmanager:SecretPrimaryRegion",
  "secretsmanager:VersionId",
  "secretsmanager:VersionStage",
];

const KEY_PREFIXES = [
  "aws:PrincipalTag/",
  "aws:RequestTag/",
  "aws:ResourceTag/",
  "secretsmanager:ResourceTag/",
];

/** Keys that can carry several values in one request (they want ForAnyValue / ForAllValues). */
const MULTI_VALUED_KEYS = [
  "aws:CalledVia",
  "aws:PrincipalOrgPaths",
  "aws:PrincipalServiceNamesList",
  "aws:ResourceOrgPaths",
  "aws:SourceOrgPaths",
  "aws:TagKeys",
  "secretsmanager:AddReplicaRegions",
];

const knownKeys = new Map<string, string>(
  [...GLOBAL_KEYS, ...SECRETS_MANAGER_KEYS].map((k) => [k.toLowerCase(), k]),
);
const multiValued = new Set(MULTI_VALUED_KEYS.map((k) => k.toLowerCase()));

/** The documented spelling of a condition key Secrets Manager requests can carry, if it is one. */
export function knownConditionKey(key: string): string | undefined {
  const lower = key.toLowerCase();
  const exact = knownKeys.get(lower);
  if (exact) return exact;
  for (const prefix of KEY_PREFIXES) {
    if (lower.startsWith(prefix.toLowerCase()) && lower.length > prefix.length) {
      return `${prefix}${key.slice(prefix.length)}`;
    }
  }
  return undefined;
}

/** All documented key names (for "did you mean" suggestions). */
export function conditionKeyNames(): readonly string[] {
  return [...GLOBAL_KEYS, ...SECRETS_MANAGER_KEYS, ...KEY_PREFIXES.map((p) => `${p}<tag-key>`)];
}

/** True when a request may carry several values for the key (see MULTI_VALUED_KEYS). */
export function isMultiValuedKey(key: string): boolean {
  return multiValued.has(key.toLowerCase());
}

/** Levenshtein distance, for "did you mean" hints on short identifiers. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The closest candidate within a small edit distance (case-insensitive), if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 4)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
