import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toGetSecretValueResponse } from "./secret-response.js";

describe("toGetSecretValueResponse", () => {
  it("answers a string secret in AWS's shape and key order", () => {
    const response = toGetSecretValueResponse({
      id: "prod/db",
      source: "coffer",
      name: "prod/db",
      arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
      versionId: "v1",
      versionStages: ["AWSCURRENT"],
      createdDate: new Date(1_790_000_000_123),
      string: '{"password":"x"}',
    });
    assert.equal(
      JSON.stringify(response),
      JSON.stringify({
        ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
        Name: "prod/db",
        VersionId: "v1",
        SecretString: '{"password":"x"}',
        VersionStages: ["AWSCURRENT"],
        CreatedDate: 1_790_000_000.123,
      }),
    );
  });

  it("encodes a binary secret in base64 and leaves out what the source does not know", () => {
    const response = toGetSecretValueResponse({
      id: "tls-key",
      source: "files",
      binary: new Uint8Array([0, 1, 254, 255]),
    });
    assert.deepEqual(JSON.parse(JSON.stringify(response)), { Name: "tls-key", SecretBinary: "AAH+/w==" });
  });
});
