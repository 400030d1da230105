import { randomInt } from "node:crypto";

const suffixAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** AWS appends six random characters so a re-created secret of the same name gets a new ARN. */
export function randomArnSuffix(): string {
  let suffix = "";
  for (let i = 0; i < 6; i++) suffix += suffixAlphabet[randomInt(suffixAlphabet.length)];
  return suffix;
}

export function secretArn(region: string, accountId: string, name: string, suffix: string): string {
  return `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${suffix}`;
}

export type SecretIdentifier =
  | { kind: "name"; name: string }
  | { kind: "arn"; arn: string; region: string; accountId: string; resource: string };

const arnPattern = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]*):(\d*):secret:(.+)$/;

/** A SecretId is a name, a full ARN, or a partial ARN (a full one without the random suffix). */
export function parseSecretId(secretId: string): SecretIdentifier {
  const match = arnPattern.exec(secretId);
  if (!match) return { kind: "name", name: secretId };
  return {
    kind: "arn",
    arn: secretId,
    region: match[1] ?? "",
    accountId: match[2] ?? "",
    resource: match[3] ?? "",
  };
}
