import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CliError, describeFailure, UsageError } from "./errors.js";
import { ExitCode } from "./exit-codes.js";
import { serviceError } from "./testing/fake-client.js";

const endpoint = "http://127.0.0.1:7373";

function networkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, $metadata: { attempts: 2 } });
}

describe("describeFailure", () => {
  it("reports a refused connection as unreachable, naming the endpoint", () => {
    const error = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:7373"), { code: "ECONNREFUSED" });
    assert.deepEqual(describeFailure(error, endpoint), {
      exitCode: ExitCode.Unreachable,
      message:
        "cannot reach Coffer at http://127.0.0.1:7373: connection refused — is `coffer serve` running?",
    });
  });

  it("treats time-outs as unreachable, saying how to wait longer", () => {
    for (const error of [
      networkError("ETIMEDOUT", "connect ETIMEDOUT"),
      Object.assign(new Error("socket timed out"), { name: "TimeoutError" }),
    ]) {
      const failure = describeFailure(error, "http://coffer.internal:7373");
      assert.equal(failure.exitCode, ExitCode.Unreachable);
      assert.match(
        failure.message,
        /^cannot reach Coffer at http:\/\/coffer\.internal:7373: timed out \(raise --connect-timeout/,
      );
    }
  });

  it("treats unknown hosts and resets as unreachable too", () => {
    const cases: Array<[Error, string]> = [
      [networkError("ENOTFOUND", "getaddrinfo ENOTFOUND coffer.internal"), "host not found"],
      [networkError("ECONNRESET", "socket hang up"), "connection reset"],
      [networkError("EHOSTUNREACH", "connect EHOSTUNREACH"), "host unreachable"],
      [
        new AggregateError(
          [networkError("ECONNREFUSED", "::1"), networkError("ECONNREFUSED", "127.0.0.1")],
          "",
        ),
        "connection refused",
      ],
    ];
    for (const [error, reason] of cases) {
      const failure = describeFailure(error, "http://coffer.internal:7373");
      assert.equal(failure.exitCode, ExitCode.Unreachable, reason);
      assert.equal(
        failure.message,
        `cannot reach Coffer at http://coffer.internal:7373: ${reason} — is \`coffer serve\` running?`,
      );
    }
  });

  it("maps a missing secret to exit code 2", () => {
    const error = serviceError(
      "ResourceNotFoundException",
      "Secrets Manager can't find the specified secret.",
    );
    assert.deepEqual(describeFailure(error, endpoint), {
      exitCode: ExitCode.NotFound,
      message: "ResourceNotFoundException: Secrets Manager can't find the specified secret.",
    });
  });

  it("maps authentication and authorization failures to exit code 3", () => {
    for (const name of [
      "UnrecognizedClientException",
      "InvalidSignatureException",
      "AccessDeniedException",
      "IncompleteSignatureException",
      "MissingAuthenticationTokenException",
    ]) {
      const failure = describeFailure(serviceError(name, "denied"), endpoint);
      assert.deepEqual(failure, { exitCode: ExitCode.AccessDenied, message: `${name}: denied` });
    }
  });

  it("maps missing credentials to exit code 3 with a hint", () => {
    const error = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    const failure = describeFailure(error, endpoint);
    assert.equal(failure.exitCode, ExitCode.AccessDenied);
    assert.match(failure.message, /no AWS credentials found: set AWS_ACCESS_KEY_ID/);
  });

  it("prints other service errors as <AwsName>: <message> with exit code 5", () => {
    assert.deepEqual(
      describeFailure(serviceError("InvalidRequestException", "scheduled for deletion"), endpoint),
      {
        exitCode: ExitCode.ServiceError,
        message: "InvalidRequestException: scheduled for deletion",
      },
    );
    assert.equal(describeFailure(serviceError("ValidationException", "bad"), endpoint).exitCode, 5);
  });

  it("keeps the CLI's own errors and codes", () => {
    assert.deepEqual(describeFailure(new UsageError("bad flag"), endpoint), {
      exitCode: ExitCode.Usage,
      message: "bad flag",
    });
    assert.equal(describeFailure(new CliError("x", ExitCode.NotFound), endpoint).exitCode, ExitCode.NotFound);
  });

  it("treats a cancelled prompt and the server's configuration errors as exit code 1", () => {
    const cancelled = Object.assign(new Error("User force closed the prompt"), { name: "ExitPromptError" });
    assert.deepEqual(describeFailure(cancelled, endpoint), {
      exitCode: ExitCode.Usage,
      message: "cancelled",
    });
    const config = Object.assign(new Error("COFFER_PORT must be a port number"), { name: "ConfigError" });
    assert.deepEqual(describeFailure(config, endpoint), {
      exitCode: ExitCode.Usage,
      message: "COFFER_PORT must be a port number",
    });
  });

  it("reports unexpected local errors by message with exit code 5", () => {
    assert.deepEqual(describeFailure(new TypeError("boom"), endpoint), {
      exitCode: ExitCode.ServiceError,
      message: "boom",
    });
    assert.equal(describeFailure("thrown string", endpoint).exitCode, ExitCode.ServiceError);
  });
});
