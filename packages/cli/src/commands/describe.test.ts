import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { testContext } from "../testing/test-context.js";
import { runDescribe } from "./describe.js";

const described = {
  $metadata: { httpStatusCode: 200 },
  ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/db-AbCdEf",
  Name: "prod/db",
  Description: "main database",
  CreatedDate: new Date("2024-05-01T00:00:00Z"),
  LastChangedDate: new Date("2024-05-02T00:00:00Z"),
  DeletedDate: new Date("2024-06-01T00:00:00Z"),
  Tags: [{ Key: "env", Value: "prod" }],
  VersionIdsToStages: { v2: ["AWSCURRENT"], v1: ["AWSPREVIOUS"] },
};

describe("coffer describe", () => {
  it("prints a readable summary with dates, tags and versions", async () => {
    const t = testContext({ respond: () => described });
    await runDescribe(t.context, "prod/db", {});

    assert.deepEqual(t.sent, [{ name: "DescribeSecretCommand", input: { SecretId: "prod/db" } }]);
    const text = t.stdout.text;
    assert.match(text, /^Name: +prod\/db$/m);
    assert.match(text, /^ARN: +arn:aws:secretsmanager:.*prod\/db-AbCdEf$/m);
    assert.match(text, /^Description: +main database$/m);
    assert.match(text, /^KMS key: +\(default\)$/m);
    assert.match(text, /^Created: +2024-05-01T00:00:00Z$/m);
    assert.match(text, /^Last changed: +2024-05-02T00:00:00Z$/m);
    assert.match(text, /^Last accessed: +-$/m);
    assert.match(
      text,
      /^Deleted: +2024-06-01T00:00:00Z \(pending deletion; `coffer restore prod\/db` cancels it\)$/m,
    );
    assert.match(text, /Tags:\n {2}Key +Value\n {2}env +prod\n/);
    assert.match(text, /Versions:\n {2}VersionId +Stages\n {2}v2 +AWSCURRENT\n {2}v1 +AWSPREVIOUS\n/);
  });

  it("leaves out the deletion date when none is scheduled", async () => {
    const { DeletedDate: _, ...live } = described;
    const t = testContext({ respond: () => live });
    await runDescribe(t.context, "prod/db", {});
    assert.doesNotMatch(t.stdout.text, /Deleted/);
  });

  it("shows the rotation configuration and dates when rotation was ever configured", async () => {
    const rotating = {
      ...described,
      RotationEnabled: true,
      RotationLambdaARN: "arn:coffer:rotation:::builtin/random-password",
      RotationRules: { ScheduleExpression: "rate(10 days)", Duration: "3h" },
      LastRotatedDate: new Date("2024-05-03T00:00:00Z"),
      NextRotationDate: new Date("2024-05-13T00:00:00Z"),
    };
    const t = testContext({ respond: () => rotating });
    await runDescribe(t.context, "prod/db", {});
    const text = t.stdout.text;
    assert.match(text, /^Rotation: +enabled$/m);
    assert.match(text, /^Rotation function: +arn:coffer:rotation:::builtin\/random-password$/m);
    assert.match(text, /^Rotation schedule: +rate\(10 days\) \(window 3h\)$/m);
    assert.match(text, /^Last rotated: +2024-05-03T00:00:00Z$/m);
    assert.match(text, /^Next rotation: +2024-05-13T00:00:00Z$/m);
    const plain = testContext({ respond: () => described });
    await runDescribe(plain.context, "prod/db", {});
    assert.doesNotMatch(plain.stdout.text, /Rotation/);
  });

  it("--json prints the raw response without SDK metadata", async () => {
    const t = testContext({ respond: () => described });
    await runDescribe(t.context, "prod/db", { json: true });
    const printed = JSON.parse(t.stdout.text);
    assert.equal(printed.DeletedDate, "2024-06-01T00:00:00.000Z");
    assert.deepEqual(printed.VersionIdsToStages, described.VersionIdsToStages);
    assert.equal("$metadata" in printed, false);
  });
});
