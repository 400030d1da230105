import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AccessDeniedError,
  BackendUnavailableError,
  CofferClientError,
  formatPath,
  SecretNotFoundError,
  SecretValidationError,
  UnresolvedReferencesError,
} from "./errors.js";

describe("errors", () => {
  it("share one base class and carry identifiers", () => {
    const notFound = new SecretNotFoundError("prod/db", { sources: ["env", "coffer"] });
    assert.ok(notFound instanceof CofferClientError);
    assert.equal(notFound.secretId, "prod/db");
    assert.match(notFound.message, /'prod\/db' was not found \(looked in: env, coffer\)/);
    assert.match(
      new SecretNotFoundError("prod/db", { field: "password" }).message,
      /has no field 'password'/,
    );
    assert.equal(new BackendUnavailableError("coffer", "down", { secretId: "x" }).source, "coffer");
    assert.ok(new AccessDeniedError("aws", "no") instanceof CofferClientError);
    assert.equal(new SecretValidationError("x", []).name, "SecretValidationError");
  });

  it("format issue paths", () => {
    assert.equal(formatPath([]), "(root)");
    assert.equal(formatPath(["db", "hosts", 0, "port"]), "db.hosts[0].port");
    assert.equal(formatPath([0]), "[0]");
  });

  it("list every unresolved reference in one message", () => {
    const error = new UnresolvedReferencesError([
      { key: "A", reference: "prod/db#password", error: new SecretNotFoundError("prod/db") },
      { key: "B", reference: "api#key", error: new SecretNotFoundError("api", { field: "key" }) },
      {
        key: "C",
        reference: "coffer://x",
        error: new BackendUnavailableError("coffer", "connect ECONNREFUSED"),
      },
    ]);
    assert.match(error.message, /A → prod\/db#password: not found/);
    assert.match(error.message, /B → api#key: no field 'key'/);
    assert.match(error.message, /C → coffer:\/\/x: BackendUnavailableError: coffer: connect ECONNREFUSED/);
    assert.deepEqual(
      error.missing.map((failure) => failure.key),
      ["A", "B"],
    );
    assert.equal(error.failures.length, 3);
  });
});
