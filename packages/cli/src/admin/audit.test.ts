import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { outcomeOf, runAuditVerify, secretOf } from "./audit.js";

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

describe("runAuditVerify", () => {
  it("an intact trail with an acknowledged gap still exits 0, and says on every run what was lost", async () => {
    let out = "";
    let err = "";
    await runAuditVerify(
      {
        call: async () => ({
          Intact: true,
          EventCount: 9,
          HeadSeq: 9,
          HeadHash: "a".repeat(64),
          AcknowledgedGaps: [
            {
              Seq: 4,
              EventTime: "2026-12-01T00:00:00.000Z",
              AcknowledgedBy: "root",
              Gap: "truncated",
              RecordedHeadSeq: 6,
              FoundSeq: 3,
            },
          ],
        }),
        stdout: { write: (text) => (out += String(text)) },
        stderr: { write: (text) => (err += String(text)) },
      },
      {},
    );
    assert.match(out, /^audit trail intact: 9 events; head 9:a{64}\n/);
    assert.match(
      out,
      /acknowledged gap at event 4 \(2026-12-01T00:00:00\.000Z, accepted by root\): truncated; the recorded head was seq 6, the trail then ended at seq 3: the events in between were lost\n$/,
    );
    assert.match(err, /--anchor/);
  });
});
