// PLACEHOLDER until the sts-oidc branch lands its oidc-names.ts (same exports).
import { InvalidParameterException } from "../../errors/catalog.js";

export function oidcProviderArn(accountId: string, issuer: string): string {
  return `arn:aws:iam::${accountId}:oidc-provider/${issuer.replace(/^https?:\/\//, "").replace(/\/$/, "")}`;
}

export function assertIssuerUrl(url: string, what = "issuer"): void {
  if (!/^https:\/\//.test(url)) throw new InvalidParameterException(`The ${what} must be an https URL.`);
}

export function oidcConditionPrefix(issuer: string): string {
  return issuer.replace(/^https?:\/\//, "").replace(/\/$/, "");
}
