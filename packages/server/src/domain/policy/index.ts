/**
 * IAM policies for secrets: parse and validate documents, evaluate requests as AWS does, detect
 * public policies, and lint. Pure: no I/O, no clock. See each module's header for the semantics.
 */
export {
  type ActionStatus,
  actionStatus,
  assertKnownActions,
  type UnknownAction,
  unknownActionMessage,
  unknownActionsOf,
} from "./actions.js";
export {
  ACCOUNT_LEVEL_ACTIONS,
  COFFER_ACTIVITY_ACTIONS,
  COFFER_ADMIN_ACTIONS,
  COFFER_AUDIT_ACTIONS,
  COFFER_WORKLOAD_IDENTITY_ACTIONS,
  canonicalAction,
  isMultiValuedKey,
  knownConditionKey,
  SECRETS_MANAGER_ACTIONS,
  type SecretsManagerAction,
  serviceActions,
} from "./catalog.js";
export { compilePolicy, type PrincipalMatch, type RequestPrincipal } from "./compile.js";
export {
  type AuthorizationRequest,
  type AuthorizationResult,
  accessDeniedMessage,
  authorize,
  contextMap,
  type Decision,
  evaluate,
  type MatchedStatement,
  type RequestContextValues,
} from "./evaluate.js";
export {
  coversAllSecrets,
  type FindingLocation,
  type FindingType,
  isSuperUserGrant,
  type PathElement,
  type PolicyFinding,
  type PolicyValidation,
  statementActions,
  suggestAction,
  toValidateResourcePolicyResponse,
  unknownActions,
  type ValidateOptions,
  type ValidateResourcePolicyResponse,
  validatePolicy,
} from "./lint.js";
export {
  analyzePolicy,
  formatPath,
  IDENTITY_POLICY_MAX_LENGTH,
  MAX_STATEMENTS,
  type ParseOptions,
  type PolicyAnalysis,
  type PolicyIssue,
  parsePolicy,
  policyToDocument,
  RESOURCE_POLICY_MAX_LENGTH,
} from "./parse.js";
export {
  assertNotPublic,
  hasWildcardPrincipal,
  isPublicPolicy,
  isPublicStatement,
  isRestrictingCondition,
} from "./public.js";
export {
  type BaseOperator,
  CONDITION_OPERATORS,
  type ConditionClause,
  type Effect,
  type Policy,
  type PolicyDocument,
  type PolicyKind,
  type PolicyPath,
  type PolicyVersion,
  type PrincipalMap,
  type PrincipalSpec,
  type SetQualifier,
  type Statement,
  type StatementDocument,
} from "./types.js";
export { compileGlob, compileGlobSet, type GlobOptions, type Matcher, wildcardMatch } from "./wildcard.js";
