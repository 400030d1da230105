import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { InvalidParameterException } from "../../errors/catalog.js";
import {
  assertIssuerUrl,
  isLoopbackHost,
  issuerUrlProblem,
  oidcConditionKeyPrefix,
  oidcProviderArn,
} from "./oidc-names.js";

const account = "123456789012";

describe("OIDC provider names", () => {
  test("the ARN is the issuer without its scheme, as IAM names it", () => {
    assert.equal(
      oidcProviderArn(account, "https://token.actions.githubusercontent.com"),
      "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
    );
    assert.equal(
      oidcProviderArn(
        account,
        "https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
      ),
      "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
    );
    // A trailing slash is part of the issuer (Auth0's issuers end with one): kept in the ARN.
    assert.equal(
      oidcProviderArn(account, "https://tenant.auth0.com/"),
      "arn:aws:iam::123456789012:oidc-provider/tenant.auth0.com/",
    );
    assert.equal(
      oidcProviderArn(account, "http://127.0.0.1:8080/realms/dev"),
      "arn:aws:iam::123456789012:oidc-provider/127.0.0.1:8080/realms/dev",
    );
  });

  test("the condition-key prefix has no scheme and no trailing slash", () => {
    assert.equal(
      oidcConditionKeyPrefix("https://token.actions.githubusercontent.com"),
      "token.actions.githubusercontent.com",
    );
    assert.equal(oidcConditionKeyPrefix("https://tenant.auth0.com/"), "tenant.auth0.com");
    assert.equal(oidcConditionKeyPrefix("https://gitlab.example.com/sub/"), "gitlab.example.com/sub");
  });

  test("accepted issuers", () => {
    for (const issuer of [
      "https://accounts.google.com",
      "https://token.actions.githubusercontent.com",
      "https://tenant.auth0.com/",
      "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
      "https://example.com:8443/path",
      "http://localhost:9000",
      "http://127.0.0.1:9000/issuer",
      "http://[::1]:9000",
    ]) {
      assert.equal(issuerUrlProblem(issuer), undefined, issuer);
      assert.doesNotThrow(() => assertIssuerUrl(issuer));
    }
  });

  test("refused issuers, each with a reason", () => {
    for (const issuer of [
      "",
      "accounts.google.com",
      "HTTPS://accounts.google.com",
      "ftp://example.com",
      "http://example.com",
      "http://10.0.0.1",
      "https://example.com/?tenant=a",
      "https://example.com/#x",
      "https://user:pass@example.com",
      "https://exa mple.com",
      "https://example.com\\path",
      "https:///path",
      "https://example.com//",
      "https://example.com//path",
      "https://",
      `https://example.com/${"a".repeat(240)}`,
      "https://exämple.com",
    ]) {
      assert.match(issuerUrlProblem(issuer) ?? "", /issuer/, issuer);
      assert.throws(() => assertIssuerUrl(issuer), InvalidParameterException, issuer);
      assert.throws(() => oidcProviderArn(account, issuer), InvalidParameterException, issuer);
      assert.throws(() => oidcConditionKeyPrefix(issuer), InvalidParameterException, issuer);
    }
  });

  test("loopback hosts", () => {
    assert.ok(isLoopbackHost("localhost"));
    assert.ok(isLoopbackHost("LOCALHOST"));
    assert.ok(isLoopbackHost("127.0.0.1"));
    assert.ok(isLoopbackHost("[::1]"));
    assert.ok(!isLoopbackHost("127.0.0.2.example.com"));
    assert.ok(!isLoopbackHost("localhost.example.com"));
    assert.ok(!isLoopbackHost("0.0.0.0"));
  });

  test("any string: a problem or a name, never another exception", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.webUrl({ withQueryParameters: true, withFragments: true })),
        (s) => {
          const problem = issuerUrlProblem(s);
          if (problem === undefined) {
            assert.ok(oidcProviderArn(account, s).startsWith(`arn:aws:iam::${account}:oidc-provider/`));
            assert.ok(!oidcConditionKeyPrefix(s).endsWith("/"));
          } else {
            assert.throws(() => oidcProviderArn(account, s), InvalidParameterException);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
