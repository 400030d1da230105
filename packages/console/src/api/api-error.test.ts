import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError, awsErrorName, describeError, jsonError } from "./api-error.js";

test("the AWS error code is read from __type or x-amzn-errortype, prefix and suffix removed", () => {
  assert.equal(awsErrorName("AccessDeniedException"), "AccessDeniedException");
  assert.equal(
    awsErrorName("com.amazonaws.secretsmanager#ResourceNotFoundException"),
    "ResourceNotFoundException",
  );
  assert.equal(
    awsErrorName("InvalidSignatureException:http://internal.amazon.com/"),
    "InvalidSignatureException",
  );
});

test("an AWS JSON error keeps the server's name, message and status", () => {
  const error = jsonError(
    400,
    '{"__type":"AccessDeniedException","message":"User: u is not authorized"}',
    null,
  );
  assert.ok(error instanceof ApiError);
  assert.deepEqual(
    [error.name, error.message, error.status],
    ["AccessDeniedException", "User: u is not authorized", 400],
  );
  const capital = jsonError(404, '{"__type":"x#ResourceNotFoundException","Message":"gone"}', null);
  assert.deepEqual([capital.name, capital.message], ["ResourceNotFoundException", "gone"]);
  const headerOnly = jsonError(503, "not json", "ServiceUnavailableException");
  assert.deepEqual(
    [headerOnly.name, headerOnly.message],
    ["ServiceUnavailableException", "The server answered 503."],
  );
  const nothing = jsonError(502, "", null);
  assert.equal(nothing.name, "HTTP502");
});

test("describeError gives a name and message for anything thrown", () => {
  assert.deepEqual(describeError(new ApiError("ThrottlingException", "slow down", 400)), {
    name: "ThrottlingException",
    message: "slow down",
  });
  assert.deepEqual(describeError(new TypeError("bad")), { name: "TypeError", message: "bad" });
  assert.deepEqual(describeError("text"), { name: "Error", message: "text" });
});
