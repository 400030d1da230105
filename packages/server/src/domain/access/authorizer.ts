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
import type { IdentityStore } from "../ports/identity-store.js";
import type { Tag } from "../secrets/records.js";

/** Who is calling, as SigV4 and the key registry established it. */
export interface Caller {
  principal: string;
  accessKeyId: string;
  sourceIp: string;
}

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
    const view = await this.principalView(caller.principal);
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
    const view = await this.principalView(caller.principal);
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

  private evaluateView(
    view: PrincipalView,
    action: string,
    target: AccessTarget | "*",
    context: RequestContextValues,
    sourceIp?: string,
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
      resourcePolicy: target === "*" ? undefined : this.resourcePolicyOf(target.resourcePolicy),
    };
    return { request, result: evaluate(request) };
  }

  /** Called after a principal's policies or tags change on this node. */
  forget(principalArn?: string): void {
    if (principalArn === undefined) this.principals.clear();
    else this.principals.delete(principalArn);
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
    const record = await this.deps.identity.getPrincipal(arn);
    const policies = record ? await this.deps.identity.listPolicies(arn) : [];
    const view: PrincipalView = {
      principal: {
        arn,
        accountId: this.deps.accountId,
        tags: Object.fromEntries((record?.tags ?? []).map((tag) => [tag.Key, tag.Value])),
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
