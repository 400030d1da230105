import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { outcomeOf, resultClassOf } from "./outcome.js";

describe("request outcomes as label values", () => {
  test("success, denial, authentication failure and server faults have their own class", () => {
    assert.equal(outcomeOf("secretsmanager", 200, undefined), "ok");
    assert.equal(outcomeOf("secretsmanager", 400, "AccessDeniedException"), "denied");
    assert.equal(outcomeOf("sts", 403, "AccessDenied"), "denied");
    for (const name of [
      "MissingAuthenticationTokenException",
      "IncompleteSignatureException",
      "InvalidSignatureException",
      "UnrecognizedClientException",
      "ExpiredTokenException",
    ]) {
      assert.equal(outcomeOf("secretsmanager", 403, name), "auth_failure", name);
      assert.equal(outcomeOf("coffer", 400, name), "auth_failure", name);
    }
    for (const code of [
      "SignatureDoesNotMatch",
      "InvalidClientTokenId",
      "ExpiredToken",
      "MissingAuthenticationToken",
    ]) {
      assert.equal(outcomeOf("sts", 403, code), "auth_failure", code);
    }
    // STS's own ExpiredTokenException is an expired web identity token: a client error by name.
    assert.equal(outcomeOf("sts", 400, "ExpiredTokenException"), "ExpiredTokenException");
    assert.equal(outcomeOf("secretsmanager", 500, "InternalServiceError"), "server_error");
    assert.equal(outcomeOf("secretsmanager", 503, "ServiceUnavailableException"), "server_error");
    assert.equal(outcomeOf("secretsmanager", 400, "ResourceNotFoundException"), "ResourceNotFoundException");
    assert.equal(outcomeOf("secretsmanager", 400, undefined), "client_error");
  });

  test("any error text becomes a bounded, label-safe value", () => {
    const fixed = new Set(["ok", "denied", "auth_failure", "server_error", "client_error"]);
    fc.assert(
      fc.property(
        fc.constantFrom("secretsmanager", "coffer", "sts", "x"),
        fc.integer({ min: 100, max: 599 }),
        fc.option(fc.string()),
        (api, status, errorType) => {
          const outcome = outcomeOf(api, status, errorType ?? undefined);
          assert.ok(fixed.has(outcome) || /^[A-Za-z][A-Za-z0-9]{0,63}$/.test(outcome), outcome);
          if (status < 400) assert.equal(outcome, "ok");
          if (status >= 500) assert.equal(outcome, "server_error");
          assert.ok(
            ["ok", "client_error", "denied", "auth_failure", "server_error"].includes(resultClassOf(outcome)),
          );
        },
      ),
    );
  });

  test("client errors by name fall in the client_error class", () => {
    assert.equal(resultClassOf("ResourceNotFoundException"), "client_error");
    assert.equal(resultClassOf("denied"), "denied");
    assert.equal(resultClassOf("ok"), "ok");
  });
});
