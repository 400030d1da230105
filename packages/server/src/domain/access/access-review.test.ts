import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openTestStores, requireTestStores } from "../../storage/test-stores.test-helper.js";
import { AccessReview } from "./access-review.js";
import { Authorizer } from "./authorizer.js";

const { skip } = requireTestStores();

describe("a policy stored before actions were checked", { skip }, () => {
  const arn = "arn:aws:iam::123456789012:user/legacy";
  const now = () => Date.UTC(2026, 11, 1);

  it("still loads and authorizes, and policy lint reports its unknown action as an error", async (t) => {
    const opened = await openTestStores();
    t.after(() => opened.close());
    const { identity } = opened.stores;
    const authorizer = new Authorizer({ identity, accountId: "123456789012", now });
    const review = new AccessReview({
      identity,
      authorizer,
      queryAudit: async () => ({ events: [], nextAfter: undefined }),
      now,
    });
    await identity.createPrincipal({ arn, name: "legacy", kind: "user", tags: [], createdAt: now() });
    // Written straight to the store, as PutUserPolicy accepted it before it checked actions.
    await identity.putPolicy({
      principalArn: arn,
      policyName: "old",
      updatedAt: now(),
      document: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "Read",
            Effect: "Allow",
            Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecrett", "kms:Decrypt"],
            Resource: "*",
          },
        ],
      }),
    });
    const { result } = await authorizer.evaluate(arn, "secretsmanager:GetSecretValue", "*");
    assert.equal(result.decision, "allow");

    const findings = await review.lint({ unusedDays: 90 });
    const unknown = findings.find((f) => f.code === "UNKNOWN_ACTION");
    assert.deepEqual(
      unknown && { severity: unknown.severity, statement: unknown.statement, policy: unknown.policyName },
      { severity: "error", statement: "Read", policy: "old" },
    );
    assert.match(
      unknown?.message ?? "",
      /"secretsmanager:DescribeSecrett" is not a Secrets Manager action; did you mean "secretsmanager:DescribeSecret"\?/,
    );
    const other = findings.find((f) => f.code === "OTHER_SERVICE_ACTION");
    assert.equal(other?.severity, "info");
    assert.ok(findings.every((f) => ["error", "warning", "info"].includes(f.severity)));
  });
});
