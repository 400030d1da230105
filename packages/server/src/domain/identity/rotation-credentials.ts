import { randomBytes } from "node:crypto";
import type { RotationCredentialIssuer, RotationCredentials } from "../rotation/rotator.js";
import { generateAccessKey, hashSessionToken } from "./access-key-material.js";

/** The role every rotation session assumes: `arn:aws:sts::<account>:assumed-role/CofferRotation/<session>`. */
export const rotationRoleName = "CofferRotation";

/** The actions a rotation function needs on its secret, as AWS's rotation-function execution role grants them. */
export const rotationSecretActions = [
  "secretsmanager:DescribeSecret",
  "secretsmanager:GetSecretValue",
  "secretsmanager:PutSecretValue",
  "secretsmanager:UpdateSecretVersionStage",
] as const;

/** The one identity policy of a rotation session: the rotation actions on that secret, and GetRandomPassword. */
export function rotationPolicy(secretArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "RotateThisSecret", Effect: "Allow", Action: [...rotationSecretActions], Resource: secretArn },
      { Sid: "RandomPasswords", Effect: "Allow", Action: "secretsmanager:GetRandomPassword", Resource: "*" },
    ],
  });
}

/** What authentication needs about a live rotation key (the shape of `auth/access-keys.ts`'s ActiveKey). */
export interface EphemeralKey {
  secret: string;
  principal: string;
  expiresAt: number;
  sessionTokenHash: string;
}

/** Keys that live only in this process's memory; asked before storage. */
export interface EphemeralKeys {
  findKey(accessKeyId: string): EphemeralKey | undefined;
}

/** Principals that live only in this process's memory, with their identity policies. */
export interface EphemeralPrincipals {
  policiesOf(principalArn: string): ReadonlyArray<{ policyName: string; document: string }> | undefined;
}

/** What the audit trail records about rotation credentials: never the secret half or the token. */
export interface RotationCredentialAuditRecord {
  action: "issue" | "revoke";
  secretArn: string;
  region: string;
  principal: string;
  accessKeyId: string;
  expiresAt: number;
  time: number;
}

export interface RotationCredentialVaultDeps {
  accountId: string;
  now: () => number;
  /** Writes the audit event durably; a rejection refuses the issue (fail closed). */
  audit: (record: RotationCredentialAuditRecord) => Promise<void>;
  /** Told when a session ends, so cached authorization data for it is dropped. */
  principalChanged?: ((principalArn: string) => void) | undefined;
  /** Live sessions at most (memory bound); default 10,000. */
  maxLive?: number | undefined;
}

interface LiveSession extends EphemeralKey {
  accessKeyId: string;
  secretArn: string;
  region: string;
  policies: ReadonlyArray<{ policyName: string; document: string }>;
}

const ttlBounds = { minMs: 1_000, maxMs: 12 * 60 * 60 * 1000 };

/**
 * Issues rotation credentials (ASIA… key, secret, session token) held only in this server process's
 * memory, never in storage: they exist for the minutes a rotation runs, the rotator calls back to
 * this very process (`RotationContext.endpoint`), and a restart ends every rotation anyway, so
 * nothing needs them to outlive the process. They cannot be listed, changed or extended through any
 * API; they authenticate only until `expiresAt` (checked on every request) or until revoked, and
 * authorize only {@link rotationPolicy}. Issue and revoke are audited; an issue whose audit event
 * cannot be written fails and leaves no credentials.
 */
export class RotationCredentialVault implements RotationCredentialIssuer, EphemeralKeys, EphemeralPrincipals {
  private readonly byKey = new Map<string, LiveSession>();
  private readonly byPrincipal = new Map<string, LiveSession>();

  constructor(private readonly deps: RotationCredentialVaultDeps) {}

  async issue(request: { secretArn: string; region: string; ttlMs: number }): Promise<RotationCredentials> {
    const { secretArn, region, ttlMs } = request;
    if (!Number.isFinite(ttlMs) || ttlMs < ttlBounds.minMs || ttlMs > ttlBounds.maxMs) {
      throw new RangeError(`rotation credentials live between 1 s and 12 h, not ${ttlMs} ms`);
    }
    if (!secretArn.startsWith("arn:") || /[*?]/.test(secretArn)) {
      throw new RangeError("rotation credentials are issued for one secret ARN");
    }
    this.sweep();
    if (this.byKey.size >= (this.deps.maxLive ?? 10_000)) {
      throw new Error("too many rotation credentials are live at once");
    }
    const principal = `arn:aws:sts::${this.deps.accountId}:assumed-role/${rotationRoleName}/rotation-${randomBytes(8).toString("hex")}`;
    const key = generateAccessKey(principal, "ASIA");
    const sessionToken = randomBytes(48).toString("base64");
    const now = this.deps.now();
    const expiresAt = now + ttlMs;
    await this.deps.audit({
      action: "issue",
      secretArn,
      region,
      principal,
      accessKeyId: key.accessKeyId,
      expiresAt,
      time: now,
    });
    const session: LiveSession = {
      accessKeyId: key.accessKeyId,
      secret: key.secretAccessKey,
      principal,
      expiresAt,
      sessionTokenHash: hashSessionToken(sessionToken),
      secretArn,
      region,
      policies: [{ policyName: "rotation", document: rotationPolicy(secretArn) }],
    };
    this.byKey.set(key.accessKeyId, session);
    this.byPrincipal.set(principal, session);
    return {
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey,
      sessionToken,
      expiresAt: new Date(expiresAt),
    };
  }

  /** Ends the session at once (the very next request with it is refused), then records that it did. */
  async revoke(credentials: RotationCredentials): Promise<void> {
    const session = this.byKey.get(credentials.accessKeyId);
    if (!session) return;
    this.end(session);
    await this.deps.audit({
      action: "revoke",
      secretArn: session.secretArn,
      region: session.region,
      principal: session.principal,
      accessKeyId: session.accessKeyId,
      expiresAt: session.expiresAt,
      time: this.deps.now(),
    });
  }

  /** A live key, or one past its expiry but not yet swept (authentication then says it expired). */
  findKey(accessKeyId: string): EphemeralKey | undefined {
    return this.byKey.get(accessKeyId);
  }

  policiesOf(principalArn: string) {
    return this.byPrincipal.get(principalArn)?.policies;
  }

  /** How many sessions are held (live or expired and not yet swept). */
  get size(): number {
    return this.byKey.size;
  }

  private end(session: LiveSession): void {
    this.byKey.delete(session.accessKeyId);
    this.byPrincipal.delete(session.principal);
    this.deps.principalChanged?.(session.principal);
  }

  /** Forgets sessions expired for more than a minute (until then a caller is told "expired"). */
  private sweep(): void {
    const cutoff = this.deps.now() - 60_000;
    for (const session of this.byKey.values()) if (session.expiresAt < cutoff) this.end(session);
  }
}
