import { InvalidParameterException } from "../../errors/catalog.js";
import { typedOperation } from "../wire-types.js";
import { roleSessionsOf } from "./role-sessions-of.js";
import { issuedSessionToWire, policyArnsFromWire } from "./session-wire.js";

/**
 * STS's AssumeRole: a signed Coffer user or role session asks for a role's session. The domain
 * authorizes it (the caller's identity policy and the role's trust policy, as IAM), not the pipeline.
 * MFA (SerialNumber, TokenCode) and ProvidedContexts are not supported: Coffer has no MFA devices
 * or context providers, and ignoring them would grant a session their conditions meant to refuse.
 */
export const assumeRole = typedOperation<{
  RoleArn: string;
  RoleSessionName: string;
  PolicyArns?: Array<{ arn?: string }>;
  Policy?: string;
  DurationSeconds?: number;
  Tags?: Array<{ Key: string; Value: string }>;
  TransitiveTagKeys?: string[];
  ExternalId?: string;
  SerialNumber?: string;
  TokenCode?: string;
  SourceIdentity?: string;
  ProvidedContexts?: unknown[];
}>(async (input, context, services) => {
  const sessions = roleSessionsOf(services, "AssumeRole");
  if (
    input.SerialNumber !== undefined ||
    input.TokenCode !== undefined ||
    input.ProvidedContexts !== undefined
  ) {
    throw new InvalidParameterException(
      "Coffer has no MFA devices or context providers: call AssumeRole without SerialNumber, TokenCode and ProvidedContexts.",
    );
  }
  const session = await sessions.assumeRole(
    {
      principal: context.caller.principal,
      accessKeyId: context.caller.accessKeyId,
      sourceIp: context.sourceIp,
      session: context.caller.session,
    },
    {
      roleArn: input.RoleArn,
      roleSessionName: input.RoleSessionName,
      durationSeconds: input.DurationSeconds,
      policy: input.Policy,
      policyArns: policyArnsFromWire(input.PolicyArns),
      tags: input.Tags,
      transitiveTagKeys: input.TransitiveTagKeys,
      sourceIdentity: input.SourceIdentity,
      externalId: input.ExternalId,
    },
  );
  return issuedSessionToWire(session);
});
