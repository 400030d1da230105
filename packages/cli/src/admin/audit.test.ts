import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { outcomeOf, secretOf } from "./audit.js";

const base = { eventTime: "2026-12-01T00:00:00.000Z", userIdentity: {}, sourceIPAddress: "127.0.0.1" };
const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123";

describe("secretOf", () => {
  it("shows the ARN a call touched, else the id a denied or failed call asked for", () => {
    assert.equal(secretOf({ ...base, eventName: "GetSecretValue", resources: [{ ARN: arn }] }), arn);
    for (const eventName of ["GetSecretValue", "DescribeSecret", "DeleteSecret", "WhoCanAccess"]) {
      assert.equal(
        secretOf({
          ...base,
          eventName,
          errorCode: "AccessDeniedException",
          requestParameters: { secretId: "prod/db" },
        }),
        "prod/db",
      );
    }
    assert.equal(
      secretOf({
        ...base,
        eventName: "CreateSecret",
        errorCode: "AccessDeniedException",
        requestParameters: { name: "new/one" },
      }),
      "new/one",
    );
    assert.equal(
      secretOf({
        ...base,
        eventName: "BatchGetSecretValue",
        requestParameters: { secretIdList: ["a", "b", "c"] },
      }),
      "a (+2)",
    );
  });

  it("shows - when no secret was named, or when the id only filtered an audit query", () => {
    assert.equal(secretOf({ ...base, eventName: "ListSecrets", requestParameters: {} }), "-");
    assert.equal(secretOf({ ...base, eventName: "ListUsers", requestParameters: null }), "-");
    assert.equal(
      secretOf({ ...base, eventName: "QueryAuditEvents", requestParameters: { secretId: "prod/db" } }),
      "-",
    );
  });
});

describe("outcomeOf", () => {
  it("shows the error, OK, or intent for the write-ahead event of a change", () => {
    assert.equal(outcomeOf({ ...base, eventName: "PutSecretValue" }), "OK");
    assert.equal(
      outcomeOf({ ...base, eventName: "PutSecretValue", errorCode: "AccessDeniedException" }),
      "AccessDeniedException",
    );
    assert.equal(
      outcomeOf({ ...base, eventName: "PutSecretValue", additionalEventData: { auditPhase: "intent" } }),
      "intent",
    );
  });
});
