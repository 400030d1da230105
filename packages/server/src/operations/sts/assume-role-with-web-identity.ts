import { typedOperation } from "../wire-types.js";
import { roleSessionsOf } from "./role-sessions-of.js";
import { issuedSessionToWire, policyArnsFromWire } from "./session-wire.js";

/**
 * STS's AssumeRoleWithWebIdentity: an OIDC token for a role's session credentials. Not signed (the
 * token is its authentication); the domain verifies the token, checks the role's trust policy and
 * names the caller to the audit trail (`noteWebIdentity`) as soon as the token is verified.
 */
export const assumeRoleWithWebIdentity = typedOperation<{
  RoleArn: string;
  RoleSessionName: string;
  WebIdentityToken: string;
  ProviderId?: string;
  PolicyArns?: Array<{ arn?: string }>;
  Policy?: string;
  DurationSeconds?: number;
}>(async (input, context, services) => {
  const sessions = roleSessionsOf(services, "AssumeRoleWithWebIdentity");
  const session = await sessions.assumeRoleWithWebIdentity(
    {
      roleArn: input.RoleArn,
      roleSessionName: input.RoleSessionName,
      webIdentityToken: input.WebIdentityToken,
      durationSeconds: input.DurationSeconds,
      policy: input.Policy,
      policyArns: policyArnsFromWire(input.PolicyArns),
      providerId: input.ProviderId,
      sourceIp: context.sourceIp,
    },
    context.noteWebIdentity,
  );
  return {
    ...issuedSessionToWire(session),
    SubjectFromWebIdentityToken: session.subjectFromWebIdentityToken,
    Provider: session.provider,
    Audience: session.audience,
  };
});
