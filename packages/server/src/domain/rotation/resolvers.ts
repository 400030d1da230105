import type { RotationCredentialIssuer, RotationCredentials, Rotator, RotatorResolver } from "./rotator.js";

/** Asks each resolver in turn (built-ins first); the first rotator found wins. */
export function firstResolver(...resolvers: ReadonlyArray<RotatorResolver | undefined>): RotatorResolver {
  return {
    resolve(arn: string): Rotator | undefined {
      for (const resolver of resolvers) {
        const rotator = resolver?.resolve(arn);
        if (rotator) return rotator;
      }
      return undefined;
    },
  };
}

/**
 * The issuer used when none is configured: built-in rotators work through the domain and need no
 * credentials, so it hands out credentials that authenticate nothing (they name no access key).
 */
export const noCredentialIssuer: RotationCredentialIssuer = {
  async issue({ ttlMs }): Promise<RotationCredentials> {
    return { accessKeyId: "", secretAccessKey: "", expiresAt: new Date(Date.now() + ttlMs) };
  },
  async revoke() {},
};
