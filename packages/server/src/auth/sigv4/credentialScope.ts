import { InvalidSignatureException } from "../../errors/catalog.js";
import type { ParsedAuthorization } from "./parseAuthorization.js";

export const SCOPE_TERMINATOR = "aws4_request";
const REGION = /^[a-z0-9-]{1,64}$/;

/**
 * Checks the credential scope against this service and the signing time. The header parsed fine, so
 * these are wrong values rather than a malformed header: InvalidSignatureException, with the messages
 * AWS sends for the same mistakes.
 */
export function checkCredentialScope(auth: ParsedAuthorization, service: string, amzDate: string): void {
  if (auth.scopeTerminator !== SCOPE_TERMINATOR) {
    throw new InvalidSignatureException(
      `Credential should be scoped with a valid terminator: '${SCOPE_TERMINATOR}', not '${auth.scopeTerminator.slice(0, 64)}'.`,
    );
  }
  if (auth.scopeService !== service) {
    throw new InvalidSignatureException(`Credential should be scoped to correct service: '${service}'.`);
  }
  if (!REGION.test(auth.scopeRegion)) {
    throw new InvalidSignatureException(
      `Credential should be scoped to a valid region, not '${auth.scopeRegion.slice(0, 64)}'.`,
    );
  }
  const requestDay = amzDate.slice(0, 8);
  if (auth.scopeDate !== requestDay) {
    throw new InvalidSignatureException(
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: " +
        `'${auth.scopeDate.slice(0, 64)}' != '${requestDay}', from '${amzDate}'.`,
    );
  }
}
