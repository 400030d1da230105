import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { testContext } from "../testing/test-context.js";
import { runRestore } from "./restore.js";

describe("coffer restore", () => {
  it("restores the secret and prints its ARN", async () => {
    const t = testContext({
      respond: () => ({ ARN: "arn:aws:secretsmanager:us-east-1:0:secret:x-AbCdEf", Name: "x" }),
    });
    await runRestore(t.context, "x");
    assert.deepEqual(t.sent, [{ name: "RestoreSecretCommand", input: { SecretId: "x" } }]);
    assert.equal(t.stdout.text, "ARN:  arn:aws:secretsmanager:us-east-1:0:secret:x-AbCdEf\n");
    assert.match(t.stderr.text, /Restored x/);
  });
});
