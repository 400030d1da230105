import { randomBytes } from "node:crypto";
import { assumedRoleArn } from "../../../arns/principal-arns.js";
import { uniqueIdOf } from "../../../arns/unique-ids.js";
import type { Envelope } from "../../../crypto/envelope.js";
import {
  ExpiredWebIdentityTokenException,
  IdpCommunicationErrorException,
  InvalidIdentityTokenException,
  InvalidParameterException,
  StsAccessDeniedException,
  StsValidationError,
} from "../../../errors/catalog.js";
import type { Authorizer } from "../../access/authorizer.js";
import type { RequestContextValues } from "../../policy/index.js";
import type {
  IdentityStore,
  PrincipalRecord,
  RoleSessionRecord,
  RoleSettings,
} from "../../ports/identity-store.js";
import { WebIdentityTokenError, type WebIdentityVerifier } from "../../ports/web-identity.js";
import type { Tag } from "../../secrets/records.js";
import { type AccessKeyKeeper, generateAccessKey, hashSessionToken } from "../access-key-material.js";
import { providerIsIntact, roleTrustIsIntact } from "../identity-binding.js";
import { isRoleSessionName } from "../names.js";
import { issuerUrlProblem, oidcConditionKeyPrefix, oidcProviderArn } from "../oidc-names.js";
import { callerIdentityOf } from "./caller-identity.js";
import type {
  AssumeRoleRequest,
  AssumeRoleWithWebIdentityRequest,
  CallerIdentity,
  IssuedRoleSession,
  RoleSessions,
  StsCaller,
  WebIdentityCaller,
  WebIdentitySession,
} from "./role-sessions.js";
import { type SessionTags, sessionTagsFromToken, sessionTagsOf } from "./session-tags.js";

export interface RoleSessionServiceDeps {
  store: IdentityStore;
  /** Checks the seals of providers and roles' trust (identity-binding.ts). */
  envelope: Envelope;
  accessKeys: AccessKeyKeeper;
  verifier: WebIdentityVerifier;
  authorizer: Pick<Authorizer, "checkTrust">;
  accountId: string;
  now: () => number;
}

/** STS's bounds for DurationSeconds; the upper one is the role's MaxSessionDuration. */
const minDurationSeconds = 900;
const defaultDurationSeconds = 3_600;
/** A session assumed with a role session's credentials lasts at most an hour (IAM's role chaining rule). */
const chainedMaxSeconds = 3_600;

const roleArnPattern = /^arn:aws:iam::(\d{12}):role\/([\w+=,.@-]{1,64})$/;
const notAuthorizedWebIdentity = "Not authorized to perform sts:AssumeRoleWithWebIdentity";

/**
 * Issues role sessions (docs/adr/0011): a web identity token exchanged for a role's credentials, a
 * role assumed by a Coffer user or session, and who a caller is. Sessions are ordinary session
 * credentials with a {@link RoleSessionRecord}; policies then see the role.
 */
export class RoleSessionService implements RoleSessions {
  constructor(private readonly deps: RoleSessionServiceDeps) {}

  async assumeRoleWithWebIdentity(
    request: AssumeRoleWithWebIdentityRequest,
    onVerified?: (who: WebIdentityCaller) => void,
  ): Promise<WebIdentitySession> {
    assertSessionName(request.roleSessionName);
    refuseSessionPolicies(request);
    if (request.providerId !== undefined) {
      throw new InvalidParameterException(
        "ProviderId is for OAuth 2.0 access tokens (Amazon, Facebook); Coffer accepts OpenID Connect ID tokens, which need no ProviderId.",
      );
    }
    // A token file often ends with a newline; the token is what comes before it.
    const token = request.webIdentityToken.trim();
    const issuer = this.deps.verifier.claimedIssuer(token);
    if (issuer === undefined || issuerUrlProblem(issuer) !== undefined) {
      throw new InvalidIdentityTokenException(
        issuer === undefined
          ? "The web identity token is not a valid JWT (no string iss claim)."
          : `No OpenIDConnect provider found in your account for ${issuer.slice(0, 256)}`,
      );
    }
    const provider = await this.deps.store.getOidcProvider(oidcProviderArn(this.deps.accountId, issuer));
    // A provider edited in the database, bypassing Coffer, is no provider (ADR 0006, 0011).
    if (!provider || provider.issuer !== issuer || !providerIsIntact(this.deps.envelope, provider)) {
      throw new InvalidIdentityTokenException(
        `No OpenIDConnect provider found in your account for ${issuer.slice(0, 256)}`,
      );
    }
    const now = this.deps.now();
    let verified: Awaited<ReturnType<WebIdentityVerifier["verify"]>>;
    try {
      verified = await this.deps.verifier.verify(token, provider, now);
    } catch (error) {
      throw refusalOf(error);
    }
    const who: WebIdentityCaller = {
      providerArn: provider.arn,
      issuer: provider.issuer,
      subject: verified.subject,
      audience: verified.audience,
    };
    onVerified?.(who);

    const role = await this.roleNamed(request.roleArn);
    if (!role) throw new StsAccessDeniedException(notAuthorizedWebIdentity);
    const tags = sessionTagsFromToken(verified.claims);
    const sourceIdentity = stringClaim(verified.claims, "https://aws.amazon.com/source_identity");
    const context = webIdentityContext(
      provider.issuer,
      verified.claims,
      verified.audience,
      tags,
      sourceIdentity,
    );
    const requester = { providerArn: provider.arn };
    const trusted = async (action: string) =>
      (await this.deps.authorizer.checkTrust(requester, action, roleTrust(role), context)).decision ===
      "allow";
    if (!(await trusted("sts:AssumeRoleWithWebIdentity"))) {
      throw new StsAccessDeniedException(notAuthorizedWebIdentity);
    }
    if (tags.tags.length > 0 && !(await trusted("sts:TagSession"))) {
      throw new StsAccessDeniedException(
        `${notAuthorizedWebIdentity}: the token carries session tags and the role's trust policy does not allow sts:TagSession`,
      );
    }
    if (sourceIdentity !== undefined && !(await trusted("sts:SetSourceIdentity"))) {
      throw new StsAccessDeniedException(
        `${notAuthorizedWebIdentity}: the token sets a source identity and the role's trust policy does not allow sts:SetSourceIdentity`,
      );
    }
    const seconds = checkedDuration(request.durationSeconds, role.role.maxSessionDurationSeconds);
    // A token never buys a session that outlives the role's limit, but it may outlive the token, as in STS.
    const issued = await this.issue(role, request.roleSessionName, seconds, {
      tags,
      sourceIdentity,
      via: {
        kind: "web-identity",
        providerArn: provider.arn,
        issuer: provider.issuer,
        subject: verified.subject,
        audience: verified.audience,
      },
    });
    return {
      ...issued,
      subjectFromWebIdentityToken: verified.subject,
      audience: verified.audience,
      provider: provider.issuer,
    };
  }

  async assumeRole(caller: StsCaller, request: AssumeRoleRequest): Promise<IssuedRoleSession> {
    assertSessionName(request.roleSessionName);
    refuseSessionPolicies(request);
    const denied = (why = "") =>
      new StsAccessDeniedException(
        `User: ${caller.principal} is not authorized to perform: sts:AssumeRole on resource: ${request.roleArn}${why}`,
      );
    const role = await this.roleNamed(request.roleArn);
    if (!role) throw denied();
    const inherited = caller.session;
    const tags = sessionTagsOf(request.tags ?? [], request.transitiveTagKeys ?? [], inherited);
    if (
      inherited?.sourceIdentity !== undefined &&
      request.sourceIdentity !== undefined &&
      request.sourceIdentity !== inherited.sourceIdentity
    ) {
      throw new StsValidationError(
        "The source identity of a session cannot be changed: a role session passes its SourceIdentity on to the sessions it assumes.",
      );
    }
    const sourceIdentity = request.sourceIdentity ?? inherited?.sourceIdentity;
    const context: Record<string, string | string[]> = {};
    if (request.externalId !== undefined) context["sts:ExternalId"] = request.externalId;
    if (request.roleSessionName) context["sts:RoleSessionName"] = request.roleSessionName;
    if (sourceIdentity !== undefined) context["sts:SourceIdentity"] = sourceIdentity;
    addTagContext(context, tags);
    const requester = { caller: { ...caller, session: caller.session } };
    const trusted = async (action: string) =>
      (await this.deps.authorizer.checkTrust(requester, action, roleTrust(role), context)).decision ===
      "allow";
    if (!(await trusted("sts:AssumeRole"))) throw denied();
    if (request.tags !== undefined && request.tags.length > 0 && !(await trusted("sts:TagSession"))) {
      throw denied(" (session tags need sts:TagSession)");
    }
    if (request.sourceIdentity !== undefined && !(await trusted("sts:SetSourceIdentity"))) {
      throw denied(" (a source identity needs sts:SetSourceIdentity)");
    }
    let seconds = checkedDuration(request.durationSeconds, role.role.maxSessionDurationSeconds);
    if (inherited !== undefined) {
      if (request.durationSeconds !== undefined && request.durationSeconds > chainedMaxSeconds) {
        throw new StsValidationError(
          "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        );
      }
      seconds = Math.min(seconds, chainedMaxSeconds);
    }
    return this.issue(role, request.roleSessionName, seconds, {
      tags,
      sourceIdentity,
      via: { kind: "assume-role", callerArn: caller.principal, callerAccessKeyId: caller.accessKeyId },
    });
  }

  callerIdentity(caller: StsCaller): CallerIdentity {
    return callerIdentityOf(caller.principal);
  }

  /** The role a RoleArn names in this account, or undefined (then STS answers AccessDenied, not NotFound). */
  private async roleNamed(arn: string): Promise<(PrincipalRecord & { role: RoleSettings }) | undefined> {
    const match = roleArnPattern.exec(arn);
    if (!match || match[1] !== this.deps.accountId) return undefined;
    const role = await this.deps.store.getPrincipal(arn);
    if (role?.kind !== "role" || !role.role) return undefined;
    // A trust policy edited in the database, bypassing Coffer, lets nobody in (ADR 0006, 0011).
    if (!roleTrustIsIntact(this.deps.envelope, arn, role.role)) return undefined;
    return role as PrincipalRecord & { role: RoleSettings };
  }

  private async issue(
    role: PrincipalRecord,
    sessionName: string,
    seconds: number,
    details: { tags: SessionTags; sourceIdentity: string | undefined; via: RoleSessionRecord["via"] },
  ): Promise<IssuedRoleSession> {
    const now = this.deps.now();
    const arn = assumedRoleArn(this.deps.accountId, role.name, sessionName);
    const key = generateAccessKey(arn, "ASIA");
    const sessionToken = randomBytes(48).toString("base64");
    const expiresAt = now + seconds * 1000;
    const session: RoleSessionRecord = {
      roleArn: role.arn,
      sessionName,
      issuedAt: now,
      tags: details.tags.tags,
      transitiveTagKeys: details.tags.transitiveTagKeys,
      sourceIdentity: details.sourceIdentity,
      via: details.via,
    };
    await this.deps.accessKeys.save(key, {
      expiresAt,
      sessionTokenHash: hashSessionToken(sessionToken),
      session,
    });
    return {
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey,
      sessionToken,
      expiresAt,
      assumedRoleArn: arn,
      assumedRoleId: `${uniqueIdOf("role", role.arn)}:${sessionName}`,
      packedPolicySize: details.tags.packedPolicySize,
      sourceIdentity: details.sourceIdentity,
    };
  }
}

function roleTrust(role: PrincipalRecord & { role: RoleSettings }) {
  return { arn: role.arn, trustPolicy: role.role.trustPolicy };
}

function assertSessionName(name: string): void {
  if (!isRoleSessionName(name)) {
    throw new StsValidationError(
      "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must have length between 2 and 64 and match [\\w+=,.@-]*",
    );
  }
}

function refuseSessionPolicies(request: { policy?: string | undefined; policyArns?: string[] | undefined }) {
  if (request.policy !== undefined || (request.policyArns !== undefined && request.policyArns.length > 0)) {
    throw new InvalidParameterException(
      "Coffer does not apply session policies (Policy, PolicyArns) yet; call without them. The session gets the role's permissions.",
    );
  }
}

function checkedDuration(requested: number | undefined, roleMax: number): number {
  const seconds = requested ?? Math.min(defaultDurationSeconds, roleMax);
  if (!Number.isInteger(seconds) || seconds < minDurationSeconds) {
    throw new StsValidationError(
      `1 validation error detected: Value '${seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to ${minDurationSeconds}`,
    );
  }
  if (seconds > roleMax) {
    throw new StsValidationError(
      `The requested DurationSeconds exceeds the MaxSessionDuration set for this role (${roleMax} seconds).`,
    );
  }
  return seconds;
}

function refusalOf(error: unknown): Error {
  if (!(error instanceof WebIdentityTokenError)) return error as Error;
  switch (error.refusal) {
    case "ExpiredTokenException":
      return new ExpiredWebIdentityTokenException(error.message);
    case "IDPCommunicationError":
      return new IdpCommunicationErrorException(error.message);
    default:
      return new InvalidIdentityTokenException(error.message);
  }
}

function stringClaim(claims: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * The trust policy's condition keys for a web identity, as IAM names them: `<issuer>:sub`,
 * `<issuer>:aud` and — beyond IAM's few — every other top-level claim whose value is a string,
 * number, boolean or list of strings (`token.actions.githubusercontent.com:repository`,
 * `…:job_workflow_ref`), so a trust policy can pin a workload by any claim its issuer signs.
 */
function webIdentityContext(
  issuer: string,
  claims: Readonly<Record<string, unknown>>,
  audience: string,
  tags: SessionTags,
  sourceIdentity: string | undefined,
): RequestContextValues {
  const prefix = oidcConditionKeyPrefix(issuer);
  const context: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (name.includes(":") || name.startsWith("https://aws.amazon.com/")) continue;
    if (typeof value === "string") context[`${prefix}:${name}`] = value;
    else if (typeof value === "number" || typeof value === "boolean")
      context[`${prefix}:${name}`] = String(value);
    else if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
      context[`${prefix}:${name}`] = value as string[];
    }
  }
  // The audience that matched the provider, even when the token lists several.
  context[`${prefix}:aud`] = audience;
  if (sourceIdentity !== undefined) context["sts:SourceIdentity"] = sourceIdentity;
  addTagContext(context, tags);
  return context;
}

function addTagContext(context: Record<string, string | string[]>, tags: SessionTags): void {
  if (tags.tags.length === 0) return;
  for (const tag of tags.tags) context[`aws:RequestTag/${tag.Key}`] = tag.Value;
  context["aws:TagKeys"] = tags.tags.map((tag: Tag) => tag.Key);
  if (tags.transitiveTagKeys.length > 0) context["sts:TransitiveTagKeys"] = tags.transitiveTagKeys;
}
