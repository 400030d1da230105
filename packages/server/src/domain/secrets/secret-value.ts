import { timingSafeEqual } from "node:crypto";
import type { Envelope } from "../../crypto/envelope.js";
import { InvalidParameterException } from "../../errors/catalog.js";
import type { SealedSecretValue, ValueKind } from "./records.js";

/** A plaintext secret value. Never logged, never put in an error message. */
export interface SecretValue {
  kind: ValueKind;
  bytes: Buffer;
}

export const maxSecretValueBytes = 65_536;

export function assertValueSize(value: SecretValue): void {
  if (value.bytes.length > maxSecretValueBytes) {
    const field = value.kind === "string" ? "SecretString" : "SecretBinary";
    throw new InvalidParameterException(
      `${field} is ${value.bytes.length} bytes; the maximum size of a secret value is ${maxSecretValueBytes} bytes.`,
    );
  }
}

/**
 * The AAD context binds a ciphertext to its secret (full ARN, suffix included), its version and its
 * kind, so it cannot be moved to another row, and a string cannot be served as SecretBinary.
 */
function contextOf(arn: string, versionId: string, kind: ValueKind): string {
  return `coffer/v2\n${arn}\n${versionId}\n${kind}`;
}

/** Before ADR 0006 the kind was not bound; only the one-time re-seal at start-up reads this. */
function legacyContextOf(arn: string, versionId: string): string {
  return `${arn}\n${versionId}`;
}

export function sealValue(
  envelope: Envelope,
  arn: string,
  versionId: string,
  value: SecretValue,
): SealedSecretValue {
  return { kind: value.kind, ...envelope.seal(value.bytes, contextOf(arn, versionId, value.kind)) };
}

export function openValue(
  envelope: Envelope,
  arn: string,
  versionId: string,
  sealed: SealedSecretValue,
): SecretValue {
  return { kind: sealed.kind, bytes: envelope.open(sealed, contextOf(arn, versionId, sealed.kind)) };
}

/** Opens a value sealed before the kind was bound (see reseal.ts); throws DecryptionFailure otherwise. */
export function openLegacyValue(
  envelope: Envelope,
  arn: string,
  versionId: string,
  sealed: SealedSecretValue,
): SecretValue {
  return { kind: sealed.kind, bytes: envelope.open(sealed, legacyContextOf(arn, versionId)) };
}

export function rewrapValue(
  envelope: Envelope,
  arn: string,
  versionId: string,
  sealed: SealedSecretValue,
): SealedSecretValue {
  return { kind: sealed.kind, ...envelope.rewrap(sealed, contextOf(arn, versionId, sealed.kind)) };
}

export function sameValue(a: SecretValue, b: SecretValue): boolean {
  return a.kind === b.kind && a.bytes.length === b.bytes.length && timingSafeEqual(a.bytes, b.bytes);
}
