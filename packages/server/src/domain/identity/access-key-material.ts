import { createHash, randomBytes, randomInt } from "node:crypto";
import type { RoleSessionRecord } from "../ports/identity-store.js";

/** An access key as created: its secret is shown once, then stored sealed. */
export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  principal: string;
}

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** AWS-style key ids: AKIA… for long-term keys, ASIA… for temporary session credentials. */
export function generateAccessKey(principal: string, prefix: "AKIA" | "ASIA" = "AKIA"): AccessKey {
  let id = prefix;
  for (let i = 0; i < 16; i++) id += idAlphabet[randomInt(idAlphabet.length)];
  const secretAccessKey = randomBytes(30).toString("base64").replace(/\+/g, "A").replace(/\//g, "z");
  return { accessKeyId: id, secretAccessKey, principal };
}

export function isTemporaryKey(accessKeyId: string): boolean {
  return accessKeyId.startsWith("ASIA");
}

export function hashSessionToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Where the identity service hands a new key to be sealed and stored, and says that a key changed
 * so authentication stops trusting what it remembered (`auth/access-keys.ts` implements it).
 */
export interface AccessKeyKeeper {
  save(
    key: AccessKey,
    extra?: {
      expiresAt?: number | undefined;
      sessionTokenHash?: string | undefined;
      session?: RoleSessionRecord | undefined;
    },
  ): Promise<void>;
  forget(accessKeyId: string): void;
}
