import type { IssuedRoleSession } from "../../domain/identity/sts/role-sessions.js";
import { epochSeconds } from "../wire.js";

/**
 * The members every role-session answer shares (STS's `Credentials`, `AssumedRoleUser`,
 * `PackedPolicySize`, `SourceIdentity`). `Expiration` is epoch seconds, as every handler answers
 * a timestamp; the XML serializer writes it as ISO 8601.
 */
export function issuedSessionToWire(session: IssuedRoleSession) {
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: epochSeconds(session.expiresAt),
    },
    AssumedRoleUser: { AssumedRoleId: session.assumedRoleId, Arn: session.assumedRoleArn },
    PackedPolicySize: session.packedPolicySize,
    SourceIdentity: session.sourceIdentity,
  };
}

/** STS's `PolicyDescriptorType` list as the domain takes it: the ARNs. */
export function policyArnsFromWire(list: ReadonlyArray<{ arn?: string }> | undefined): string[] | undefined {
  return list?.map((item) => item.arn ?? "");
}
