import { createHash } from "node:crypto";

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * IAM's unique ids (`AIDA…` for users, `AROA…` for roles), which GetCallerIdentity's `UserId` and
 * an assumed role's `AssumedRoleId` show. Coffer derives them from the principal's ARN, so every
 * node computes the same id without a lookup. (Unlike IAM, a role deleted and made again under the
 * same name gets the same id; trust policies and resource policies name ARNs, so nothing relies on it.)
 */
export function uniqueIdOf(kind: "user" | "role", arn: string): string {
  const digest = createHash("sha256").update(arn).digest();
  let id = kind === "user" ? "AIDA" : "AROA";
  for (let i = 0; i < 17; i++) id += alphabet[(digest[i] as number) % 32];
  return id;
}
