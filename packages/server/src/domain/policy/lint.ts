/**
 * Policy validation for ValidateResourcePolicy and `coffer policy lint`.
 *
 * `validatePolicy` never throws: parse problems become ERROR findings (same codes and messages as
 * the MalformedPolicyDocumentException `parsePolicy` would throw), and a document that parses is
 * then checked for the findings below. `valid` is false when any finding is an ERROR or a
 * SECURITY_WARNING. `toValidateResourcePolicyResponse` turns a validation into the wire shape of
 * the service model (`PolicyValidationPassed`, `ValidationErrors: [{CheckName, ErrorMessage}]`),
 * listing the findings that fail validation.
 *
 * | IssueCode                     | type             | when                                                        |
 * | ----------------------------- | ---------------- | ----------------------------------------------------------- |
 * | (parse codes, see parse.ts)   | ERROR            | the document is malformed                                   |
 * | UNKNOWN_ACTION                | ERROR            | a secretsmanager action (or pattern) names no real action   |
 * | LOCKOUT                       | ERROR            | resource policy denies everyone Put/DeleteResourcePolicy    |
 * | LOCKS_OUT_CALLER              | ERROR            | the given caller could not change the policy afterwards     |
 * | PUBLIC_ACCESS                 | SECURITY_WARNING | resource policy Allow to everyone, unrestricted (public.ts) |
 * | SUPER_USER_GRANT              | SECURITY_WARNING | identity Allow of every secretsmanager action on every secret, no condition |
 * | FOR_ALL_VALUES_SINGLE_VALUED  | SECURITY_WARNING | Allow + ForAllValues: on a single-valued key (true when absent) |
 * | SUPER_USER_GRANT              | WARNING          | resource policy Allow of every action on the secret to a principal |
 * | ALLOW_WITH_NOT_PRINCIPAL      | WARNING          | Allow with NotPrincipal                                     |
 * | ALLOW_WITH_NOT_ACTION         | WARNING          | Allow with NotAction (grants future actions too)            |
 * | ACTION_NOT_FOR_SECRETS        | WARNING          | an action of another service                                |
 * | ACCOUNT_LEVEL_ACTION_ON_ARN   | WARNING          | ListSecrets/GetRandomPassword/BatchGetSecretValue only on ARNs |
 * | RESOURCE_NOT_A_SECRET         | WARNING          | a Resource ARN of another service                           |
 * | SECRET_ARN_WITHOUT_SUFFIX     | WARNING          | `…:secret:name` without the random suffix matches no secret |
 * | UNKNOWN_CONDITION_KEY         | WARNING          | a key Secrets Manager requests never carry                  |
 * | POLICY_VARIABLE_IN_OLD_VERSION| WARNING          | `${…}` in a policy without Version 2012-10-17               |
 * | DUPLICATE_SID                 | WARNING          | repeated Sid in a resource policy (identity: parse ERROR)   |
 * | FOR_ANY_VALUE_SINGLE_VALUED   | SUGGESTION       | ForAnyValue: on a single-valued key                         |
 * | MISSING_VERSION               | SUGGESTION       | no Version element                                          |
 * | REDUNDANT_ACTION              | SUGGESTION       | an action already covered by another in the same statement  |
 */

import { actionStatus, unknownActionMessage } from "./actions.js";
import {
  ACCOUNT_LEVEL_ACTIONS,
  canonicalAction,
  closest,
  isMultiValuedKey,
  knownConditionKey,
  SECRETS_MANAGER_ACTIONS,
} from "./catalog.js";
import { evaluate, type RequestPrincipal } from "./evaluate.js";
import { analyzePolicy, formatPath, type PolicyIssue } from "./parse.js";
import { hasWildcardPrincipal, isPublicStatement } from "./public.js";
import type { Policy, PolicyKind, PolicyPath, Statement } from "./types.js";
import { compileGlob, compileGlobSet, hasWildcard } from "./wildcard.js";

export type FindingType = "ERROR" | "SECURITY_WARNING" | "SUGGESTION" | "WARNING";

export type PathElement = { readonly Index: number } | { readonly Key: string };

export interface FindingLocation {
  readonly Path: readonly PathElement[];
}

export interface PolicyFinding {
  /** Stable for a given document: `<IssueCode>@<path>`. */
  readonly FindingId: string;
  readonly FindingType: FindingType;
  readonly IssueCode: string;
  readonly Message: string;
  readonly Locations?: readonly FindingLocation[];
}

export interface PolicyValidation {
  readonly valid: boolean;
  readonly findings: readonly PolicyFinding[];
  /** The parsed policy when the document is well-formed. */
  readonly policy?: Policy;
}

/** ValidateResourcePolicyResponse, as in model/secretsmanager-2017-10-17.json. */
export interface ValidateResourcePolicyResponse {
  PolicyValidationPassed: boolean;
  ValidationErrors: Array<{ CheckName: string; ErrorMessage: string }>;
}

export interface ValidateOptions {
  readonly kind: PolicyKind;
  /**
   * The caller about to put the policy (resource policies): adds LOCKS_OUT_CALLER when the policy
   * would explicitly deny them secretsmanager:PutResourcePolicy on `secretArn`.
   */
  readonly caller?: RequestPrincipal;
  readonly secretArn?: string;
}

const FAILING: ReadonlySet<FindingType> = new Set(["ERROR", "SECURITY_WARNING"]);

function location(path: PolicyPath): FindingLocation[] | undefined {
  if (path.length === 0) return undefined;
  return [{ Path: path.map((step) => (typeof step === "number" ? { Index: step } : { Key: step })) }];
}

function finding(type: FindingType, code: string, message: string, path: PolicyPath): PolicyFinding {
  const locations = location(path);
  const base = {
    FindingId: `${code}@${formatPath(path)}`,
    FindingType: type,
    IssueCode: code,
    Message: message,
  };
  return locations ? { ...base, Locations: locations } : base;
}

/** Validates a document for Secrets Manager; see the table above for what is reported. */
export function validatePolicy(document: string, options: ValidateOptions): PolicyValidation {
  const analysis = analyzePolicy(document, { kind: options.kind });
  if (!analysis.policy) {
    return {
      valid: false,
      findings: analysis.issues.map((issue: PolicyIssue) =>
        finding("ERROR", issue.code, issue.message, issue.path),
      ),
    };
  }
  const policy = analysis.policy;
  const findings = lintPolicy(policy, statementPaths(document), options);
  return { valid: !findings.some((f) => FAILING.has(f.FindingType)), findings, policy };
}

/** ValidateResourcePolicy's answer: passed or not, with the failing findings as ValidationErrors. */
export function toValidateResourcePolicyResponse(
  validation: PolicyValidation,
): ValidateResourcePolicyResponse {
  return {
    PolicyValidationPassed: validation.valid,
    ValidationErrors: validation.findings
      .filter((f) => FAILING.has(f.FindingType))
      .map((f) => ({
        CheckName: f.IssueCode,
        ErrorMessage: f.Locations
          ? `${formatLocation(f.Locations[0] as FindingLocation)}: ${f.Message}`
          : f.Message,
      })),
  };
}

function formatLocation(location: FindingLocation): string {
  return formatPath(location.Path.map((step) => ("Index" in step ? step.Index : step.Key)));
}

/** Whether the document wrote Statement as an array (paths then carry indexes). */
function statementPaths(document: string): (index: number) => PolicyPath {
  let isArray = true;
  try {
    const raw = JSON.parse(document) as { Statement?: unknown };
    isArray = Array.isArray(raw.Statement);
  } catch {
    // analyzePolicy accepted it, so this does not happen
  }
  return (index) => (isArray ? ["Statement", index] : ["Statement"]);
}

// --- Helpers a linter can use ----------------------------------------------------------------------

/** The Secrets Manager actions a statement's Action / NotAction covers (canonical names). */
export function statementActions(statement: Statement): string[] {
  const matcher = compileGlobSet(statement.action ?? statement.notAction ?? [], { ignoreCase: true });
  return SECRETS_MANAGER_ACTIONS.filter(
    (action) => matcher(action.toLowerCase()) === (statement.action !== undefined),
  );
}

/** Action names (or patterns) of a service Coffer authorizes that match no real action of it. */
export function unknownActions(statement: Statement): string[] {
  return (statement.action ?? statement.notAction ?? []).filter(
    (action) => actionStatus(action).kind === "unknown",
  );
}

/** A "did you mean" for a misspelled Secrets Manager action. */
export function suggestAction(action: string): string | undefined {
  return canonicalAction(action) ?? closest(action, SECRETS_MANAGER_ACTIONS);
}

const PROBE_SECRETS = [
  "arn:aws:secretsmanager:us-east-1:111122223333:secret:probe/one-AbCdEf",
  "arn:aws:secretsmanager:eu-west-3:444455556666:secret:Other_Name-zYxWvU",
];

/** True when the statement's resources cover every secret (`*`, `arn:aws:secretsmanager:*:*:secret:*`, any NotResource). */
export function coversAllSecrets(statement: Statement): boolean {
  if (statement.notResource) return !statement.notResource.includes("*");
  const matcher = compileGlobSet(statement.resource ?? [], { arn: true });
  return PROBE_SECRETS.every((arn) => matcher(arn));
}

/**
 * A super-user grant: an unconditioned Allow of every Secrets Manager action on every secret (in a
 * resource policy: on the secret it is attached to, to whichever principal it names).
 */
export function isSuperUserGrant(statement: Statement): boolean {
  return (
    statement.effect === "Allow" &&
    statement.conditions.length === 0 &&
    statementActions(statement).length === SECRETS_MANAGER_ACTIONS.length &&
    coversAllSecrets(statement)
  );
}

/** True when every principal (and no condition) is denied the action: nobody could undo it. */
function deniesEveryone(statement: Statement, action: string): boolean {
  if (statement.effect !== "Deny" || statement.conditions.length > 0 || !hasWildcardPrincipal(statement))
    return false;
  if (statement.notPrincipal || !coversAllSecrets(statement)) return false;
  const matcher = compileGlobSet(statement.action ?? statement.notAction ?? [], { ignoreCase: true });
  return matcher(action.toLowerCase()) === (statement.action !== undefined);
}

const SECRET_WITHOUT_SUFFIX = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)$/;

function lintPolicy(
  policy: Policy,
  pathOf: (index: number) => PolicyPath,
  options: ValidateOptions,
): PolicyFinding[] {
  const findings: PolicyFinding[] = [];
  const add = (type: FindingType, code: string, message: string, path: PolicyPath) =>
    findings.push(finding(type, code, message, path));
  const resourcePolicy = policy.kind === "resource";

  if (policy.version === undefined) {
    add(
      "SUGGESTION",
      "MISSING_VERSION",
      'Add "Version": "2012-10-17"; without it IAM applies the 2008 rules (no policy variables).',
      [],
    );
  }
  const sids = new Set<string>();
  policy.statements.forEach((statement, index) => {
    const at = pathOf(index);
    if (resourcePolicy && statement.sid) {
      if (sids.has(statement.sid))
        add("WARNING", "DUPLICATE_SID", `Sid "${statement.sid}" is used by more than one statement.`, [
          ...at,
          "Sid",
        ]);
      sids.add(statement.sid);
    }
    lintActions(statement, at, add, resourcePolicy);
    lintResources(statement, at, add, resourcePolicy, policy.version === "2012-10-17");
    lintConditions(statement, at, add, policy.version === "2012-10-17");

    if (resourcePolicy && isPublicStatement(statement)) {
      add(
        "SECURITY_WARNING",
        "PUBLIC_ACCESS",
        "This statement allows access to everyone. Name the principals, or add a condition on aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalArn, aws:SourceVpce or aws:SourceIp.",
        at,
      );
    } else if (isSuperUserGrant(statement)) {
      if (resourcePolicy) {
        add(
          "WARNING",
          "SUPER_USER_GRANT",
          "This statement gives its principals every Secrets Manager action on this secret, including PutResourcePolicy and DeleteSecret.",
          at,
        );
      } else {
        add(
          "SECURITY_WARNING",
          "SUPER_USER_GRANT",
          "This statement allows every Secrets Manager action on every secret; grant only the actions and secrets needed.",
          at,
        );
      }
    }
    if (statement.effect === "Allow" && statement.notPrincipal) {
      add(
        "WARNING",
        "ALLOW_WITH_NOT_PRINCIPAL",
        "Allow with NotPrincipal grants to everyone not listed; list the principals in Principal instead.",
        [...at, "NotPrincipal"],
      );
    }
    if (statement.effect === "Allow" && statement.notAction) {
      add(
        "WARNING",
        "ALLOW_WITH_NOT_ACTION",
        "Allow with NotAction grants every other action, including ones added later; list the actions to allow instead.",
        [...at, "NotAction"],
      );
    }
  });

  if (resourcePolicy) {
    policy.statements.forEach((statement, index) => {
      for (const action of ["secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy"]) {
        if (deniesEveryone(statement, action)) {
          add(
            "ERROR",
            "LOCKOUT",
            `This statement denies ${action} to every principal without a condition, so nobody could change or remove this policy afterwards.`,
            pathOf(index),
          );
          return;
        }
      }
    });
    if (options.caller) {
      const result = evaluate({
        principal: options.caller,
        action: "secretsmanager:PutResourcePolicy",
        resource: options.secretArn ?? "*",
        identityPolicies: [],
        resourcePolicy: policy,
      });
      if (result.decision === "explicit-deny" && result.matched) {
        add(
          "ERROR",
          "LOCKS_OUT_CALLER",
          `This policy would deny you (${options.caller.arn}) secretsmanager:PutResourcePolicy, so you could not change it afterwards.`,
          pathOf(result.matched.statementIndex),
        );
      }
    }
  }
  return findings;
}

type Add = (type: FindingType, code: string, message: string, path: PolicyPath) => void;

function lintActions(statement: Statement, at: PolicyPath, add: Add, resourcePolicy: boolean): void {
  const element = statement.action ? "Action" : "NotAction";
  const actions = statement.action ?? statement.notAction ?? [];
  const unknown = new Set(unknownActions(statement));
  actions.forEach((action, i) => {
    const path = actions.length > 1 ? [...at, element, i] : [...at, element];
    const status = actionStatus(action);
    if (unknown.has(action) && status.kind === "unknown") {
      add("ERROR", "UNKNOWN_ACTION", unknownActionMessage(action, status), path);
      return;
    }
    const service = action.slice(0, action.indexOf(":")).toLowerCase();
    const adminActionInIdentityPolicy = service === "coffer" && !resourcePolicy;
    if (
      action !== "*" &&
      !hasWildcard(service) &&
      service !== "secretsmanager" &&
      !adminActionInIdentityPolicy
    ) {
      add(
        "WARNING",
        "ACTION_NOT_FOR_SECRETS",
        `"${action}" is not a Secrets Manager action; it grants nothing in Coffer${resourcePolicy ? " and a secret's policy cannot grant it" : ""}.`,
        path,
      );
    }
    if (statement.action) {
      const lower = action.toLowerCase();
      const covering = actions.find(
        (other) => other.toLowerCase() !== lower && compileGlob(other, { ignoreCase: true })(lower),
      );
      const duplicate = actions.findIndex((other) => other.toLowerCase() === lower) < i;
      if (covering || duplicate) {
        add(
          "SUGGESTION",
          "REDUNDANT_ACTION",
          covering ? `"${action}" is already covered by "${covering}".` : `"${action}" is listed twice.`,
          path,
        );
      }
    }
  });
  if (!resourcePolicy && statement.action && statement.resource && !statement.resource.includes("*")) {
    const resourceless = statementActions(statement).filter((a) =>
      (ACCOUNT_LEVEL_ACTIONS as readonly string[]).includes(a),
    );
    const named = resourceless.filter((a) => actions.some((x) => x.toLowerCase() === a.toLowerCase()));
    if (named.length > 0) {
      add(
        "WARNING",
        "ACCOUNT_LEVEL_ACTION_ON_ARN",
        `${named.join(", ")} ${named.length > 1 ? "are" : "is"} authorized against resource "*", so a statement limited to secret ARNs never grants ${named.length > 1 ? "them" : "it"}; move ${named.length > 1 ? "them" : "it"} to a statement with "Resource": "*".`,
        [...at, "Resource"],
      );
    }
  }
}

function lintResources(
  statement: Statement,
  at: PolicyPath,
  add: Add,
  resourcePolicy: boolean,
  variables: boolean,
): void {
  const element = statement.resource ? "Resource" : "NotResource";
  const resources = statement.resource ?? statement.notResource ?? [];
  resources.forEach((resource, i) => {
    const path = resources.length > 1 ? [...at, element, i] : [...at, element];
    if (!variables && resource.includes("${")) {
      add(
        "WARNING",
        "POLICY_VARIABLE_IN_OLD_VERSION",
        `"${resource}" looks like it uses a policy variable, but variables only work with "Version": "2012-10-17"; here it is literal text.`,
        path,
      );
    }
    if (resource === "*") return;
    const service = resource.split(":")[2] ?? "";
    if (service !== "secretsmanager") {
      add(
        "WARNING",
        "RESOURCE_NOT_A_SECRET",
        `"${resource}" is not a secret ARN (arn:aws:secretsmanager:...); it never matches a secret${resourcePolicy ? ' (in a secret\'s policy, "*" means this secret)' : ""}.`,
        path,
      );
      return;
    }
    const name = SECRET_WITHOUT_SUFFIX.exec(resource)?.[1];
    if (name !== undefined && !hasWildcard(name) && !name.includes("${") && !/-[A-Za-z0-9]{6}$/.test(name)) {
      add(
        "WARNING",
        "SECRET_ARN_WITHOUT_SUFFIX",
        `"${resource}" has no random suffix, and secret ARNs always end in "-" and six characters, so it matches no secret; write "${resource}-??????".`,
        path,
      );
    }
  });
}

function lintConditions(statement: Statement, at: PolicyPath, add: Add, variables: boolean): void {
  for (const clause of statement.conditions) {
    const path = [...at, "Condition", clause.operator, clause.key];
    if (!knownConditionKey(clause.key)) {
      add(
        "WARNING",
        "UNKNOWN_CONDITION_KEY",
        `Secrets Manager requests never carry "${clause.key}", so this condition sees it as absent.`,
        path,
      );
    }
    if (!variables && clause.values.some((v) => v.includes("${"))) {
      add(
        "WARNING",
        "POLICY_VARIABLE_IN_OLD_VERSION",
        `A value of "${clause.key}" looks like a policy variable, but variables only work with "Version": "2012-10-17"; here it is literal text.`,
        path,
      );
    }
    if (clause.qualifier && knownConditionKey(clause.key) && !isMultiValuedKey(clause.key)) {
      if (clause.qualifier === "ForAllValues" && statement.effect === "Allow") {
        add(
          "SECURITY_WARNING",
          "FOR_ALL_VALUES_SINGLE_VALUED",
          `ForAllValues: on the single-valued key "${clause.key}" is also true when the key is absent, which makes this Allow broader than it reads; drop the qualifier.`,
          path,
        );
      } else {
        add(
          "SUGGESTION",
          "FOR_ANY_VALUE_SINGLE_VALUED",
          `"${clause.key}" has at most one value; drop the ${clause.qualifier}: qualifier.`,
          path,
        );
      }
    }
  }
}
