import { loadStsModel } from "../../protocol/model.js";
import { describeApi } from "../describe-api.js";
import type { ApiDescriptor } from "../operation.js";
import { stsOperations } from "./registry.js";

const authorizedByTheDomain = () => undefined;

/**
 * AWS STS as the pipeline serves it: the Query protocol, signed with the signing name `sts`
 * (AssumeRoleWithWebIdentity unsigned, as its model says), authorized as `sts:<Action>`. The
 * pipeline authorizes none of its actions: AssumeRole is authorized by the domain against the
 * caller's identity policy and the role's trust policy together, AssumeRoleWithWebIdentity by the
 * trust policy alone, and GetCallerIdentity needs no permission (as in AWS).
 */
export function createStsApi(): ApiDescriptor {
  return describeApi({
    name: "sts",
    model: loadStsModel(),
    handlers: stsOperations,
    resourceOf: () => authorizedByTheDomain,
  });
}
