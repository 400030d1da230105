import { roleOfSession } from "../../arns/principal-arns.js";
import { AccessDeniedException } from "../../errors/catalog.js";
import type { EphemeralPrincipals } from "../identity/rotation-credentials.js";
import {
  type AuthorizationResult,
  accessDeniedMessage,
  evaluate,
  type Policy,
  parsePolicy,
  type RequestContextValues,
  type RequestPrincipal,
} from "../policy/index.js";
import type { IdentityStore, RoleSessionRecord } from "../ports/identity-store.js";
import type { Tag } from "../secrets/records.js";

/** Who is calling, as SigV4 and the key registry established it. */
export interface Caller {
  principal: string;
  accessKeyId: string;
  sourceIp: string;
  /** A role session's context: its session tags are its `aws:PrincipalTag/*` over the role's own. */
  session?: RoleSessionRecord | undefined;
}

/** Who asks to assume a role: a signed caller (AssumeRole) or a verified web identity's provider. */
export type TrustRequester = { caller: Caller } | { providerArn: string };

/** What an action is performed on: a secret (with what its conditions can see) or nothing in particular. */
export interface AccessTarget {
  arn: string;
  name?: string | undefined;
  tags?: readonly Tag[] | undefined;
  resourcePolicy?: string | undefined;
}

interface PrincipalView {
  principal: RequestPrincipal;
  policies: Policy[];
  checkedAt: number;
}

/** Principals and policies are re-read at most every second, so changes on other nodes apply quickly. */
const recheckAfterMs = 1_000;
const maxCachedResourcePolicies = 1_000;

/**
 * Authorizes every action as AWS does (explicit deny wins, else an allow from an identity or
 * resource policy, else deny), with the caller's identity policies and tags and the target
 * secret's resource policy and tags. A principal with no policies can do nothing.
 */
export class Authorizer {
  private readonly principals = new Map<string, PrincipalView>();
  private readonly resourcePolicies = new Map<string, Policy>();
  private clock = { at: Number.NaN, iso: "", epoch: "" };

  constructor(
    private readonly deps: {
      identity: IdentityStore;
      accountId: string;
      now: () => number;
      /** Principals held only in memory (rotation sessions), asked before storage. */
      ephemeral?: EphemeralPrincipals | undefined;
    },
  ) {}

  async check(
    caller: Caller,
    action: string,
    target: AccessTarget | "*",
    context: RequestContextValues = {},
  ): Promise<AuthorizationResult> {
    const view = await this.callerView(caller);
    const { request, result } = this.evaluateView(view, action, target, context, caller.sourceIp);
    if (result.decision !== "allow") throw new AccessDeniedException(accessDeniedMessage(request, result));
    return result;
  }

  /**
   * {@link check} for an action on a secret the caller named. `found` is the secret when it exists;
   * `named` is what the caller wrote and the ARN a policy sees for it when it does not exist. A
   * denial names the resource as the caller wrote it (as AWS does) and, when the caller would be
   * denied on a missing secret of that name too, gives that denial's reason: a denied caller gets
   * the same message whether the secret exists or not, so denials do not reveal which secrets exist.
   */
  async checkSecret(
    caller: Caller,
    action: string,
    found: AccessTarget | undefined,
    named: { secretId: string; arnIfMissing: () => string },
    context: RequestContextValues = {},
  ): Promise<AuthorizationResult> {
    const view = await this.callerView(caller);
    const evaluateOn = (target: AccessTarget) =>
      this.evaluateView(view, action, target, context, caller.sourceIp);
    // The ARN a missing secret would have is needed only when the caller is denied: not on the hot path.
    const actual = evaluateOn(found ?? { arn: named.arnIfMissing() });
    if (actual.result.decision === "allow") return actual.result;
    const ifMissing = found ? evaluateOn({ arn: named.arnIfMissing() }).result : actual.result;
    const reason = ifMissing.decision === "allow" ? actual.result : ifMissing;
    throw new AccessDeniedException(
      accessDeniedMessage({ ...actual.request, resource: named.secretId }, reason),
    );
  }

  async evaluate(
    principalArn: string,
    action: string,
    target: AccessTarget | "*",
    context: RequestContextValues = {},
  ) {
    return this.evaluateView(await this.principalView(principalArn), action, target, context);
  }

  /**
   * As {@link evaluate}, with the principal's identity policies replaced by `documents`: what the
   * principal could do after a policy change (the lockout guard asks before PutUserPolicy).
   */
  async evaluateWithPolicies(
    principalArn: string,
    documents: ReadonlyArray<{ policyName: string; document: string }>,
    action: string,
    target: AccessTarget | "*",
  ) {
    const view = await this.principalView(principalArn);
    return this.evaluateView({ ...view, policies: parsedPolicies(documents) }, action, target, {});
  }

  /**
   * A role's trust policy decides whether `requester` may assume it (`sts:AssumeRole`,
   * `sts:AssumeRoleWithWebIdentity`, `sts:TagSession`, `sts:SetSourceIdentity`): IAM's rule — the
   * trust policy must allow; naming only the caller's account also needs the caller's identity
   * policy to allow. A web identity has no identity policies: only a `Federated` entry naming its
   * provider can let it in. A stored trust policy that no longer parses lets nobody in.
   */
  async checkTrust(
    requester: TrustRequester,
    action: string,
    role: { arn: string; trustPolicy: string },
    context: RequestContextValues,
  ): Promise<AuthorizationResult> {
    const view: PrincipalView =
      "caller" in requester
        ? await this.callerView(requester.caller)
        : {
            principal: { arn: requester.providerArn, accountId: this.deps.accountId, federated: true },
            policies: [],
            checkedAt: this.deps.now(),
          };
    let trust: Policy | undefined;
    try {
      trust = parsePolicy(role.trustPolicy, { kind: "resource", trust: true });
    } catch {
      trust = undefined;
    }
    const sourceIp = "caller" in requester ? requester.caller.sourceIp : undefined;
    const { result } = this.evaluateView(view, action, { arn: role.arn }, context, sourceIp, trust ?? null);
    return result;
  }

  private evaluateView(
    view: PrincipalView,
    action: string,
    target: AccessTarget | "*",
    context: RequestContextValues,
    sourceIp?: string,
    /** A role's trust policy instead of the target's resource policy (`null`: one that does not parse). */
    trustPolicy?: Policy | null,
  ) {
    const now = this.deps.now();
    if (now !== this.clock.at) {
      // One clock reading serves every request of the same millisecond.
      this.clock = { at: now, iso: new Date(now).toISOString(), epoch: String(Math.floor(now / 1000)) };
    }
    const values: Record<string, string | readonly string[] | undefined> = {
      "aws:CurrentTime": this.clock.iso,
      "aws:EpochTime": this.clock.epoch,
      "aws:SecureTransport": "false",
    };
    for (const key in context) values[key] = context[key];
    if (sourceIp !== undefined) values["aws:SourceIp"] = sourceIp;
    if (target !== "*") {
      values["secretsmanager:Name"] = target.name;
      for (const tag of target.tags ?? []) values[`aws:ResourceTag/${tag.Key}`] = tag.Value;
    }
    const request = {
      principal: view.principal,
      action,
      resource: target === "*" ? "*" : target.arn,
      context: values,
      identityPolicies: view.policies,
      resourcePolicy:
        trustPolicy !== undefined
          ? (trustPolicy ?? undefined)
          : target === "*"
            ? undefined
            : this.resourcePolicyOf(target.resourcePolicy),
      trust: trustPolicy !== undefined,
    };
    return { request, result: evaluate(request) };
  }

  /** Called after a principal's policies or tags change on this node (a role's: its sessions' views too). */
  forget(principalArn?: string): void {
    if (principalArn === undefined) {
      this.principals.clear();
      return;
    }
    this.principals.delete(principalArn);
    for (const [arn, view] of this.principals) {
      if (view.principal.roleArn === principalArn) this.principals.delete(arn);
    }
  }

  /** The caller's view: a role session's tags override its role's tags of the same key (IAM's rule). */
  private callerView(caller: Caller): PrincipalView | Promise<PrincipalView> {
    const view = this.principalView(caller.principal);
    const tags = caller.session?.tags;
    if (tags === undefined || tags.length === 0) return view;
    const withTags = (base: PrincipalView): PrincipalView => ({
      ...base,
      principal: {
        ...base.principal,
        tags: { ...base.principal.tags, ...Object.fromEntries(tags.map((tag) => [tag.Key, tag.Value])) },
      },
    });
    return view instanceof Promise ? view.then(withTags) : withTags(view);
  }

  private principalView(arn: string): PrincipalView | Promise<PrincipalView> {
    const cached = this.principals.get(arn);
    if (cached && this.deps.now() - cached.checkedAt < recheckAfterMs) return cached;
    const ephemeral = this.deps.ephemeral?.policiesOf(arn);
    if (ephemeral) {
      const view: PrincipalView = {
        principal: { arn, accountId: this.deps.accountId, tags: {} },
        policies: parsedPolicies(ephemeral),
        checkedAt: this.deps.now(),
      };
      if (this.principals.size > 10_000) this.principals.clear();
      this.principals.set(arn, view);
      return view;
    }
    return this.loadPrincipalView(arn);
  }

  private async loadPrincipalView(arn: string): Promise<PrincipalView> {
    const now = this.deps.now();
    // A role session acts with its role's policies and tags.
    const roleArn = roleOfSession(arn)?.roleArn;
    const owner = roleArn ?? arn;
    const record = await this.deps.identity.getPrincipal(owner);
    const policies = record ? await this.deps.identity.listPolicies(owner) : [];
    const view: PrincipalView = {
      principal: {
        arn,
        accountId: this.deps.accountId,
        tags: Object.fromEntries((record?.tags ?? []).map((tag) => [tag.Key, tag.Value])),
        ...(roleArn !== undefined ? { roleArn } : {}),
      },
      policies: parsedPolicies(policies),
      checkedAt: now,
    };
    if (this.principals.size > 10_000) this.principals.clear();
    this.principals.set(arn, view);
    return view;
  }

  private resourcePolicyOf(document: string | undefined): Policy | undefined {
    if (document === undefined) return undefined;
    let policy = this.resourcePolicies.get(document);
    if (!policy) {
      try {
        policy = parsePolicy(document, { kind: "resource" });
      } catch {
        return undefined;
      }
      if (this.resourcePolicies.size >= maxCachedResourcePolicies) this.resourcePolicies.clear();
      this.resourcePolicies.set(document, policy);
    }
    return policy;
  }
}

/** Stored documents were validated when attached; a document that no longer parses grants nothing. */
function parsedPolicies(documents: ReadonlyArray<{ policyName: string; document: string }>): Policy[] {
  return documents.flatMap((p) => {
    try {
      return [parsePolicy(p.document, { kind: "identity", name: p.policyName })];
    } catch {
      return [];
    }
  });
}
