import type { Operation } from "../operation.js";
import { assumeRole } from "./assume-role.js";
import { assumeRoleWithWebIdentity } from "./assume-role-with-web-identity.js";
import { getCallerIdentity } from "./get-caller-identity.js";

/**
 * The STS actions Coffer serves (docs/adr/0011), by their Query `Action`. Every other action of
 * STS's model is answered InvalidAction, saying Coffer does not serve it.
 */
export const stsOperations: Readonly<Record<string, Operation>> = {
  AssumeRoleWithWebIdentity: assumeRoleWithWebIdentity,
  AssumeRole: assumeRole,
  GetCallerIdentity: getCallerIdentity,
};
