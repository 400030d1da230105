/**
 * Parses and validates an IAM policy document for secrets. Every problem found is collected with
 * its location (`analyzePolicy`), so the linter can list them all; `parsePolicy` throws the first
 * few as one MalformedPolicyDocumentException.
 *
 * What is checked (and how it differs from IAM, where it does):
 * - JSON object with `Version` (2012-10-17 or 2008-10-17; absent = 2008-10-17 rules), `Id`,
 *   `Statement` (an object or a non-empty array); unknown top-level or statement elements are
 *   errors, with a "did you mean" for misspellings such as `effect` or `Actions`.
 * - Size: a resource policy may have at most 20,480 characters (the service model's limit); an
 *   identity policy at most 6,144 characters not counting whitespace (IAM's managed-policy limit).
 *   At most 100 statements either way (not an IAM limit: a bound on evaluation work).
 * - Per statement: `Effect` Allow|Deny; exactly one of Action/NotAction and of Resource/NotResource
 *   (IAM requires Resource in resource policies too; `*` there means "this secret"); in resource
 *   policies exactly one of Principal/NotPrincipal, in identity policies neither.
 * - Principals: `"*"`, `{"AWS": "*"}`, 12-digit account ids, IAM/STS ARNs (no wildcards: IAM
 *   rejects them too), `Service` names. Other principal types are rejected as unsupported.
 * - Actions `service:Action` with `*`/`?`, or `*`. Resources `*` or ARNs whose service segment has
 *   no wildcard. Sids: alphanumeric and unique in identity policies (IAM's rule); free text in
 *   resource policies.
 * - Conditions: every operator of types.ts, any case, `…IfExists` (not for Null), `ForAnyValue:` /
 *   `ForAllValues:` (not for Null); keys `vendor:name`; values a string, number or boolean or a
 *   non-empty array of them, each valid for the operator (numbers, dates, booleans, CIDRs, base64).
 */
import { MalformedPolicyDocumentException } from "../../errors/catalog.js";
import { closest } from "./catalog.js";
import { parseCidr } from "./ip.js";
import {
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
import { isBase64, parseBoolean, parseDate, parseNumber } from "./values.js";

export const RESOURCE_POLICY_MAX_LENGTH = 20_480;
export const IDENTITY_POLICY_MAX_LENGTH = 6_144;
export const MAX_STATEMENTS = 100;

export interface ParseOptions {
  readonly kind: PolicyKind;
  /** A label carried into evaluation results (e.g. the identity policy's name). */
  readonly name?: string;
  /** Overrides the size limit (characters; for identity policies, not counting whitespace). */
  readonly maxLength?: number;
  readonly maxStatements?: number;
  /**
   * A role's trust policy (kind `resource`): `Federated` principals (OIDC providers' ARNs) are
   * allowed, and `Resource` is not (the policy applies to its role), as in IAM.
   */
  readonly trust?: boolean;
}

/** One problem in a document: a stable code, a message for people, and where it is. */
export interface PolicyIssue {
  readonly code: string;
  readonly message: string;
  readonly path: PolicyPath;
}

export interface PolicyAnalysis {
  /** Present exactly when there are no issues. */
  readonly policy?: Policy;
  readonly issues: readonly PolicyIssue[];
}

const TOP_LEVEL_ELEMENTS = ["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS = [
  "Sid",
  "Effect",
  "Principal",
  "NotPrincipal",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
];
const VERSIONS: readonly PolicyVersion[] = ["2012-10-17", "2008-10-17"];
const operatorsByLowerName = new Map<string, BaseOperator>(
  CONDITION_OPERATORS.map((o) => [o.toLowerCase(), o]),
);

/** `Statement[0].Condition.StringEquals["aws:username"]` */
export function formatPath(path: PolicyPath): string {
  let out = "";
  for (const step of path) {
    if (typeof step === "number") out += `[${step}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(step)) out += out === "" ? step : `.${step}`;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out === "" ? "(document)" : out;
}

/** Parses a document or throws MalformedPolicyDocumentException naming what is wrong and where. */
export function parsePolicy(document: string, options: ParseOptions): Policy {
  const { policy, issues } = analyzePolicy(document, options);
  if (policy) return policy;
  throw new MalformedPolicyDocumentException(malformedMessage(issues));
}

/** The exception message for a list of issues: the first three with their locations. */
export function malformedMessage(issues: readonly PolicyIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => {
    const text = /[.?!]\)?$/.test(issue.message) ? issue.message : `${issue.message}.`;
    return `${formatPath(issue.path)}: ${text}`;
  });
  const more = issues.length > 3 ? ` (${issues.length - 3} more problems not shown.)` : "";
  return `The policy document is malformed. ${shown.join(" ")}${more}`;
}

/** Parses a document and collects every problem instead of stopping at the first. */
export function analyzePolicy(document: string, options: ParseOptions): PolicyAnalysis {
  const parser = new Parser(options);
  const policy = parser.document(document);
  return parser.issues.length === 0 && policy
    ? { policy: deepFreeze(policy), issues: [] }
    : { issues: parser.issues };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: Json | undefined): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return `${typeof value} ${String(value)}`;
}

function countNonWhitespace(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) count++;
  }
  return count;
}

function countCodePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff || i + 1 === text.length) count++;
    else {
      const d = text.charCodeAt(i + 1);
      count++;
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return count;
}

const accountIdPattern = /^\d{12}$/;
const principalArnPattern =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc):(iam|sts)::(\d{12}):(.+)$/;
const oidcProviderArnPattern = /^arn:aws:iam::\d{12}:oidc-provider\/[^*?\s]+$/;
const actionPattern = /^[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+$/;
const resourcePattern = /^arn:[^:]*:([^:]+):/;
/** `vendor:name`; a trust policy's vendor is an OIDC issuer, which may have a path (`oidc.eks.<region>.amazonaws.com/id/<id>:sub`). */
const conditionKeyPattern = /^[A-Za-z0-9.*?/-]+:\S/;

class Parser {
  readonly issues: PolicyIssue[] = [];
  private readonly kind: PolicyKind;

  constructor(private readonly options: ParseOptions) {
    this.kind = options.kind;
  }

  private report(code: string, path: PolicyPath, message: string): undefined {
    this.issues.push({ code, path, message });
    return undefined;
  }

  document(text: string): Policy | undefined {
    if (typeof text !== "string")
      return this.report("INVALID_TYPE", [], "The policy document must be a JSON string.");
    if (text.trim() === "") return this.report("EMPTY_DOCUMENT", [], "The policy document is empty.");
    if (this.kind === "resource") {
      const limit = this.options.maxLength ?? RESOURCE_POLICY_MAX_LENGTH;
      if (text.length > limit && countCodePoints(text) > limit) {
        return this.report(
          "POLICY_TOO_LARGE",
          [],
          `A resource policy may have at most ${limit} characters; this one has ${countCodePoints(text)}.`,
        );
      }
    } else {
      const limit = this.options.maxLength ?? IDENTITY_POLICY_MAX_LENGTH;
      const size = text.length > limit ? countNonWhitespace(text) : 0;
      if (size > limit) {
        return this.report(
          "POLICY_TOO_LARGE",
          [],
          `An identity policy may have at most ${limit} characters not counting whitespace; this one has ${size}.`,
        );
      }
    }
    let raw: Json;
    try {
      raw = JSON.parse(text) as Json;
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return this.report("JSON_SYNTAX_ERROR", [], `The policy document is not valid JSON: ${detail}.`);
    }
    if (!isObject(raw)) {
      return this.report(
        "INVALID_TYPE",
        [],
        `The policy document must be a JSON object such as {"Version": "2012-10-17", "Statement": [...]}, not ${describe(raw)}.`,
      );
    }
    const misspelled = this.unknownElements(raw, TOP_LEVEL_ELEMENTS, []);

    let version: PolicyVersion | undefined;
    if (raw.Version !== undefined) {
      if (typeof raw.Version === "string" && (VERSIONS as readonly string[]).includes(raw.Version)) {
        version = raw.Version as PolicyVersion;
      } else {
        this.report(
          "INVALID_VERSION",
          ["Version"],
          `Version must be "2012-10-17" (or the legacy "2008-10-17"), not ${describe(raw.Version)}.`,
        );
      }
    }
    let id: string | undefined;
    if (raw.Id !== undefined) {
      if (typeof raw.Id === "string") id = raw.Id;
      else this.report("INVALID_TYPE", ["Id"], `Id must be a string, not ${describe(raw.Id)}.`);
    }

    if (raw.Statement === undefined && misspelled.has("Statement")) return undefined;
    const statements = this.statements(raw.Statement);
    if (!statements) return undefined;
    const policy: { -readonly [K in keyof Policy]: Policy[K] } = { kind: this.kind, statements };
    if (this.options.name !== undefined) policy.name = this.options.name;
    if (version !== undefined) policy.version = version;
    if (id !== undefined) policy.id = id;
    return policy;
  }

  /** Reports unknown elements; returns the known names they look like (so "missing X" is not repeated). */
  private unknownElements(raw: JsonObject, known: readonly string[], path: PolicyPath): Set<string> {
    const suggested = new Set<string>();
    for (const key of Object.keys(raw)) {
      if (known.includes(key)) continue;
      const caseMatch = known.find((k) => k.toLowerCase() === key.toLowerCase());
      const hint = caseMatch ?? closest(key, known);
      if (hint) suggested.add(hint);
      this.report(
        "UNKNOWN_ELEMENT",
        [...path, key],
        hint
          ? `Unknown element "${key}"; did you mean "${hint}"? (Element names are case-sensitive.)`
          : `Unknown element "${key}"; expected one of ${known.join(", ")}.`,
      );
    }
    return suggested;
  }

  private statements(raw: Json | undefined): Statement[] | undefined {
    if (raw === undefined) {
      return this.report("MISSING_ELEMENT", ["Statement"], "The policy document has no Statement element.");
    }
    const items: Array<[Json, PolicyPath]> = [];
    if (Array.isArray(raw)) {
      if (raw.length === 0)
        return this.report("EMPTY_ARRAY", ["Statement"], "Statement must list at least one statement.");
      raw.forEach((item, index) => {
        items.push([item, ["Statement", index]]);
      });
    } else if (isObject(raw)) {
      items.push([raw, ["Statement"]]);
    } else {
      return this.report(
        "INVALID_TYPE",
        ["Statement"],
        `Statement must be an object or an array of objects, not ${describe(raw)}.`,
      );
    }
    const max = this.options.maxStatements ?? MAX_STATEMENTS;
    if (items.length > max) {
      return this.report(
        "TOO_MANY_STATEMENTS",
        ["Statement"],
        `A policy may have at most ${max} statements; this one has ${items.length}.`,
      );
    }
    const statements: Statement[] = [];
    const sids = new Map<string, PolicyPath>();
    for (const [item, path] of items) {
      const statement = this.statement(item, path);
      if (!statement) continue;
      statements.push(statement);
      if (statement.sid !== undefined && statement.sid !== "" && this.kind === "identity") {
        if (sids.has(statement.sid)) {
          this.report(
            "DUPLICATE_SID",
            [...path, "Sid"],
            `Sid "${statement.sid}" is used by more than one statement; Sids must be unique.`,
          );
        } else sids.set(statement.sid, path);
      }
    }
    return statements.length === items.length ? statements : undefined;
  }

  private statement(raw: Json, path: PolicyPath): Statement | undefined {
    if (!isObject(raw)) {
      return this.report("INVALID_TYPE", path, `Each statement must be an object, not ${describe(raw)}.`);
    }
    const before = this.issues.length;
    const misspelled = this.unknownElements(raw, STATEMENT_ELEMENTS, path);

    let sid: string | undefined;
    if (raw.Sid !== undefined) {
      if (typeof raw.Sid !== "string")
        this.report("INVALID_TYPE", [...path, "Sid"], `Sid must be a string, not ${describe(raw.Sid)}.`);
      else if (this.kind === "identity" && !/^[A-Za-z0-9]*$/.test(raw.Sid)) {
        this.report(
          "INVALID_SID",
          [...path, "Sid"],
          `Sid "${raw.Sid}" may contain only letters and digits (A-Z, a-z, 0-9) in an identity policy.`,
        );
      } else sid = raw.Sid;
    }

    let effect: Effect | undefined;
    if (raw.Effect === undefined) {
      if (!misspelled.has("Effect"))
        this.report(
          "MISSING_ELEMENT",
          [...path, "Effect"],
          'The statement has no Effect; add "Effect": "Allow" or "Effect": "Deny".',
        );
    } else if (raw.Effect === "Allow" || raw.Effect === "Deny") effect = raw.Effect;
    else {
      const hint =
        typeof raw.Effect === "string" && ["allow", "deny"].includes(raw.Effect.toLowerCase())
          ? ` (values are case-sensitive: write "${raw.Effect.charAt(0).toUpperCase()}${raw.Effect.slice(1).toLowerCase()}")`
          : "";
      this.report(
        "INVALID_EFFECT",
        [...path, "Effect"],
        `Effect must be "Allow" or "Deny", not ${describe(raw.Effect)}${hint}.`,
      );
    }

    const principal = this.principals(raw, path, misspelled);
    const action = this.pair(raw, path, "Action", "NotAction", misspelled, (value, at) =>
      this.action(value, at),
    );
    const resource = this.options.trust
      ? this.noResource(raw, path)
      : this.pair(raw, path, "Resource", "NotResource", misspelled, (value, at) => this.resource(value, at));
    const conditions =
      raw.Condition === undefined ? [] : this.conditions(raw.Condition, [...path, "Condition"]);

    if (this.issues.length > before || !effect || !action || !resource || !conditions) return undefined;
    const statement: { -readonly [K in keyof Statement]: Statement[K] } = { effect, conditions };
    if (sid !== undefined) statement.sid = sid;
    if (principal?.principal) statement.principal = principal.principal;
    if (principal?.notPrincipal) statement.notPrincipal = principal.notPrincipal;
    if (action.positive) statement.action = action.positive;
    if (action.negative) statement.notAction = action.negative;
    if (resource.positive) statement.resource = resource.positive;
    if (resource.negative) statement.notResource = resource.negative;
    return statement;
  }

  private principals(
    raw: JsonObject,
    path: PolicyPath,
    misspelled: ReadonlySet<string>,
  ): { principal?: PrincipalSpec; notPrincipal?: PrincipalSpec } | undefined {
    const has = raw.Principal !== undefined;
    const hasNot = raw.NotPrincipal !== undefined;
    if (this.kind === "identity") {
      for (const element of ["Principal", "NotPrincipal"] as const) {
        if (raw[element] !== undefined) {
          this.report(
            "PRINCIPAL_IN_IDENTITY_POLICY",
            [...path, element],
            `An identity policy applies to the identity it is attached to and cannot have ${element}; remove it, or use a resource policy to grant to other principals.`,
          );
        }
      }
      return {};
    }
    if (has && hasNot) {
      return this.report(
        "CONFLICTING_ELEMENTS",
        [...path, "NotPrincipal"],
        "A statement may have Principal or NotPrincipal, not both.",
      );
    }
    if (!has && !hasNot) {
      if (misspelled.has("Principal") || misspelled.has("NotPrincipal")) return undefined;
      return this.report(
        "MISSING_PRINCIPAL",
        [...path, "Principal"],
        'A resource policy statement needs a Principal, e.g. "Principal": {"AWS": "arn:aws:iam::123456789012:role/app"}.',
      );
    }
    const element = has ? "Principal" : "NotPrincipal";
    const spec = this.principal(raw[element] as Json, [...path, element]);
    if (!spec) return undefined;
    return has ? { principal: spec } : { notPrincipal: spec };
  }

  /** A trust policy's statements apply to their role: IAM refuses Resource in them. */
  private noResource(
    raw: JsonObject,
    path: PolicyPath,
  ): { positive?: string[]; negative?: string[] } | undefined {
    for (const element of ["Resource", "NotResource"] as const) {
      if (raw[element] !== undefined) {
        return this.report(
          "RESOURCE_IN_TRUST_POLICY",
          [...path, element],
          `A trust policy applies to the role it belongs to and cannot have ${element}; remove it.`,
        );
      }
    }
    return { positive: ["*"] };
  }

  private principal(raw: Json, path: PolicyPath): PrincipalSpec | undefined {
    if (raw === "*") return "*";
    if (!isObject(raw)) {
      return this.report(
        "INVALID_PRINCIPAL",
        path,
        `${String(path.at(-1))} must be "*" or an object such as {"AWS": "arn:aws:iam::123456789012:root"}, not ${describe(raw)}.`,
      );
    }
    const keys = Object.keys(raw);
    if (keys.length === 0)
      return this.report(
        "INVALID_PRINCIPAL",
        path,
        `${String(path.at(-1))} must name at least one principal.`,
      );
    const spec: { AWS?: string[]; Service?: string[]; Federated?: string[] } = {};
    const before = this.issues.length;
    for (const key of keys) {
      const at = [...path, key];
      if (key === "AWS") {
        const values = this.strings(raw[key] as Json, at, "AWS principal");
        if (values) {
          for (const [index, value] of values.entries()) {
            this.awsPrincipal(value, Array.isArray(raw[key]) ? [...at, index] : at);
          }
          spec.AWS = values;
        }
      } else if (key === "Service") {
        const values = this.strings(raw[key] as Json, at, "service principal");
        if (values) {
          values.forEach((value, index) => {
            if (value === "" || /[*?]/.test(value)) {
              this.report(
                "INVALID_PRINCIPAL",
                Array.isArray(raw[key]) ? [...at, index] : at,
                `"${value}" is not a service principal such as "lambda.amazonaws.com" (no wildcards).`,
              );
            }
          });
          spec.Service = values;
        }
      } else if (key === "Federated" && this.options.trust) {
        const values = this.strings(raw[key] as Json, at, "federated principal");
        if (values) {
          values.forEach((value, index) => {
            if (!oidcProviderArnPattern.test(value)) {
              this.report(
                "INVALID_PRINCIPAL",
                Array.isArray(raw[key]) ? [...at, index] : at,
                `"${value}" is not an OIDC provider's ARN such as arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com (see coffer admin oidc-provider list).`,
              );
            }
          });
          spec.Federated = values;
        }
      } else {
        const known = this.options.trust ? ["AWS", "Service", "Federated"] : ["AWS", "Service"];
        const caseMatch = known.find((k) => k.toLowerCase() === key.toLowerCase());
        this.report(
          "UNSUPPORTED_PRINCIPAL_TYPE",
          at,
          caseMatch
            ? `Unknown principal type "${key}"; did you mean "${caseMatch}"?`
            : `Principal type "${key}" is not supported by Coffer; use "AWS" with an account id or IAM ARN, or "*".`,
        );
      }
    }
    return this.issues.length > before ? undefined : spec;
  }

  private awsPrincipal(value: string, path: PolicyPath): void {
    if (value === "*" || accountIdPattern.test(value)) return;
    const match = principalArnPattern.exec(value);
    if (match && !/[*?]/.test(value)) return;
    if (/[*?]/.test(value)) {
      this.report(
        "INVALID_PRINCIPAL",
        path,
        `Principal "${value}" has a wildcard; principals must be exact. Use "*" with a condition such as {"ArnLike": {"aws:PrincipalArn": "${value}"}} instead.`,
      );
      return;
    }
    this.report(
      "INVALID_PRINCIPAL",
      path,
      `"${value}" is not a valid AWS principal: use "*", a 12-digit account id, or an IAM ARN such as arn:aws:iam::123456789012:user/alice.`,
    );
  }

  /** Exactly one of `positive` / `negative` present, each a non-empty list of valid entries. */
  private pair(
    raw: JsonObject,
    path: PolicyPath,
    positive: "Action" | "Resource",
    negative: "NotAction" | "NotResource",
    misspelled: ReadonlySet<string>,
    check: (value: string, at: PolicyPath) => void,
  ): { positive?: string[]; negative?: string[] } | undefined {
    const has = raw[positive] !== undefined;
    const hasNot = raw[negative] !== undefined;
    if (has && hasNot) {
      return this.report(
        "CONFLICTING_ELEMENTS",
        [...path, negative],
        `A statement may have ${positive} or ${negative}, not both.`,
      );
    }
    if (!has && !hasNot) {
      if (misspelled.has(positive) || misspelled.has(negative)) return undefined;
      const example = positive === "Action" ? '"Action": "secretsmanager:GetSecretValue"' : '"Resource": "*"';
      return this.report(
        positive === "Action" ? "MISSING_ACTION" : "MISSING_RESOURCE",
        [...path, positive],
        `The statement needs ${positive} or ${negative}, e.g. ${example}.`,
      );
    }
    const element = has ? positive : negative;
    const rawValue = raw[element] as Json;
    const values = this.strings(rawValue, [...path, element], element);
    if (!values) return undefined;
    const before = this.issues.length;
    for (const [index, value] of values.entries()) {
      check(value, Array.isArray(rawValue) ? [...path, element, index] : [...path, element]);
    }
    if (this.issues.length > before) return undefined;
    return has ? { positive: values } : { negative: values };
  }

  private action(value: string, path: PolicyPath): void {
    if (value === "*" || actionPattern.test(value)) return;
    this.report(
      "INVALID_ACTION",
      path,
      `"${value}" is not a valid action: write "service:Action" (e.g. "secretsmanager:GetSecretValue", wildcards * and ? allowed) or "*".`,
    );
  }

  private resource(value: string, path: PolicyPath): void {
    if (value === "*") return;
    const match = resourcePattern.exec(value);
    if (match && !/[*?]/.test(match[1] as string)) return;
    this.report(
      "INVALID_RESOURCE",
      path,
      match
        ? `"${value}" has a wildcard in the service segment, which IAM does not allow; name the service (e.g. arn:aws:secretsmanager:...).`
        : `"${value}" is not a valid resource: use "*" or an ARN such as arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-??????.`,
    );
  }

  /** A string or a non-empty array of strings. */
  private strings(raw: Json, path: PolicyPath, what: string): string[] | undefined {
    if (typeof raw === "string") return [raw];
    if (Array.isArray(raw)) {
      if (raw.length === 0) return this.report("EMPTY_ARRAY", path, `${what} must not be an empty array.`);
      const out: string[] = [];
      let ok = true;
      raw.forEach((item, index) => {
        if (typeof item === "string") out.push(item);
        else {
          ok = false;
          this.report(
            "INVALID_TYPE",
            [...path, index],
            `Each ${what} must be a string, not ${describe(item)}.`,
          );
        }
      });
      return ok ? out : undefined;
    }
    return this.report(
      "INVALID_TYPE",
      path,
      `${what} must be a string or an array of strings, not ${describe(raw)}.`,
    );
  }

  private conditions(raw: Json, path: PolicyPath): ConditionClause[] | undefined {
    if (!isObject(raw)) {
      return this.report(
        "INVALID_TYPE",
        path,
        `Condition must be an object such as {"StringEquals": {"aws:PrincipalTag/team": "payments"}}, not ${describe(raw)}.`,
      );
    }
    const clauses: ConditionClause[] = [];
    const before = this.issues.length;
    const seen = new Map<string, string>();
    for (const [operatorText, block] of Object.entries(raw)) {
      const at = [...path, operatorText];
      const operator = this.operator(operatorText, at);
      if (!operator) continue;
      const earlier = seen.get(operator.canonical);
      if (earlier !== undefined) {
        this.report(
          "DUPLICATE_CONDITION_OPERATOR",
          at,
          `"${operatorText}" is the same operator as "${earlier}" (operator names are case-insensitive); merge their keys into one block.`,
        );
        continue;
      }
      seen.set(operator.canonical, operatorText);
      if (!isObject(block)) {
        this.report(
          "INVALID_TYPE",
          at,
          `${operatorText} must map condition keys to values, e.g. {"aws:username": "alice"}, not ${describe(block)}.`,
        );
        continue;
      }
      for (const [key, value] of Object.entries(block)) {
        const keyPath = [...at, key];
        if (!conditionKeyPattern.test(key)) {
          this.report(
            "INVALID_CONDITION_KEY",
            keyPath,
            `"${key}" is not a condition key: keys start with their service prefix, e.g. "aws:SourceIp" or "secretsmanager:Name".`,
          );
          continue;
        }
        const values = this.conditionValues(value, keyPath, operator.base);
        if (!values) continue;
        const clause: { -readonly [K in keyof ConditionClause]: ConditionClause[K] } = {
          operator: operator.canonical,
          base: operator.base,
          ifExists: operator.ifExists,
          key,
          values,
        };
        if (operator.qualifier) clause.qualifier = operator.qualifier;
        clauses.push(clause);
      }
    }
    return this.issues.length > before ? undefined : clauses;
  }

  private operator(
    text: string,
    path: PolicyPath,
  ): { base: BaseOperator; qualifier?: SetQualifier; ifExists: boolean; canonical: string } | undefined {
    let rest = text;
    let qualifier: SetQualifier | undefined;
    const colon = rest.indexOf(":");
    if (colon !== -1) {
      const prefix = rest.slice(0, colon).toLowerCase();
      if (prefix === "foranyvalue") qualifier = "ForAnyValue";
      else if (prefix === "forallvalues") qualifier = "ForAllValues";
      else {
        return this.report(
          "INVALID_CONDITION_OPERATOR",
          path,
          `Unknown set qualifier "${rest.slice(0, colon)}"; use "ForAnyValue:" or "ForAllValues:".`,
        );
      }
      rest = rest.slice(colon + 1);
    }
    let ifExists = false;
    if (rest.toLowerCase().endsWith("ifexists") && rest.length > "ifexists".length) {
      ifExists = true;
      rest = rest.slice(0, -"ifexists".length);
    }
    const base = operatorsByLowerName.get(rest.toLowerCase());
    if (!base) {
      const hint = closest(rest, CONDITION_OPERATORS);
      return this.report(
        "INVALID_CONDITION_OPERATOR",
        path,
        `Unknown condition operator "${text}"${hint ? `; did you mean "${hint}"?` : "."} Supported: ${CONDITION_OPERATORS.join(", ")}, each also as …IfExists (except Null) and with ForAnyValue:/ForAllValues:.`,
      );
    }
    if (base === "Null" && ifExists) {
      return this.report(
        "INVALID_CONDITION_OPERATOR",
        path,
        "Null already tests whether a key exists; it has no IfExists form.",
      );
    }
    if (base === "Null" && qualifier) {
      return this.report(
        "INVALID_CONDITION_OPERATOR",
        path,
        `Null cannot take the ${qualifier}: qualifier; use "Null" alone.`,
      );
    }
    const canonical = `${qualifier ? `${qualifier}:` : ""}${base}${ifExists ? "IfExists" : ""}`;
    return qualifier ? { base, qualifier, ifExists, canonical } : { base, ifExists, canonical };
  }

  private conditionValues(raw: Json, path: PolicyPath, base: BaseOperator): string[] | undefined {
    const items: Array<[Json, PolicyPath]> = [];
    if (Array.isArray(raw)) {
      if (raw.length === 0) {
        return this.report(
          "EMPTY_ARRAY",
          path,
          "A condition key needs at least one value; an empty array can never match.",
        );
      }
      raw.forEach((item, index) => {
        items.push([item, [...path, index]]);
      });
    } else items.push([raw, path]);
    const values: string[] = [];
    const before = this.issues.length;
    for (const [item, at] of items) {
      if (typeof item !== "string" && typeof item !== "number" && typeof item !== "boolean") {
        this.report(
          "INVALID_TYPE",
          at,
          `Condition values must be strings, numbers or booleans, not ${describe(item)}.`,
        );
        continue;
      }
      const value = String(item);
      const problem = valueProblem(base, value);
      if (problem) this.report("INVALID_CONDITION_VALUE", at, problem);
      values.push(value);
    }
    return this.issues.length > before ? undefined : values;
  }
}

/** Why a value is unusable with an operator, or undefined when it is fine. */
function valueProblem(base: BaseOperator, value: string): string | undefined {
  if (base.startsWith("Numeric")) {
    return Number.isNaN(parseNumber(value))
      ? `${base} needs numbers; "${value}" is not a number.`
      : undefined;
  }
  if (base.startsWith("Date")) {
    return Number.isNaN(parseDate(value))
      ? `${base} needs dates; "${value}" is neither ISO 8601 (e.g. 2025-01-31T00:00:00Z) nor epoch seconds.`
      : undefined;
  }
  if (base === "Bool" || base === "Null") {
    return parseBoolean(value) === undefined ? `${base} takes "true" or "false", not "${value}".` : undefined;
  }
  if (base === "IpAddress" || base === "NotIpAddress") {
    return parseCidr(value)
      ? undefined
      : `"${value}" is not an IP address or CIDR block (e.g. 203.0.113.0/24 or 2001:db8::/32).`;
  }
  if (base === "BinaryEquals")
    return isBase64(value) ? undefined : `BinaryEquals takes base64 text; "${value}" is not.`;
  return undefined;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function principalDocument(spec: PrincipalSpec): "*" | { AWS?: string[]; Service?: string[] } {
  if (spec === "*") return "*";
  const out: { AWS?: string[]; Service?: string[] } = {};
  const map: PrincipalMap = spec;
  if (map.AWS) out.AWS = [...map.AWS];
  if (map.Service) out.Service = [...map.Service];
  return out;
}

/**
 * The canonical JSON document of a policy: arrays everywhere, one Condition entry per operator.
 * `parsePolicy(JSON.stringify(policyToDocument(p)), { kind: p.kind })` equals `p` (without `name`).
 */
export function policyToDocument(policy: Policy): PolicyDocument {
  const document: PolicyDocument = { Statement: [] };
  if (policy.version !== undefined) document.Version = policy.version;
  if (policy.id !== undefined) document.Id = policy.id;
  for (const statement of policy.statements) {
    const out: StatementDocument = { Effect: statement.effect };
    if (statement.sid !== undefined) out.Sid = statement.sid;
    if (statement.principal !== undefined) out.Principal = principalDocument(statement.principal);
    if (statement.notPrincipal !== undefined) out.NotPrincipal = principalDocument(statement.notPrincipal);
    if (statement.action) out.Action = [...statement.action];
    if (statement.notAction) out.NotAction = [...statement.notAction];
    if (statement.resource) out.Resource = [...statement.resource];
    if (statement.notResource) out.NotResource = [...statement.notResource];
    if (statement.conditions.length > 0) {
      const condition: Record<string, Record<string, string[]>> = {};
      for (const clause of statement.conditions) {
        const block = condition[clause.operator] ?? {};
        condition[clause.operator] = block;
        block[clause.key] = [...(block[clause.key] ?? []), ...clause.values];
      }
      out.Condition = condition;
    }
    document.Statement.push(out);
  }
  return document;
}
