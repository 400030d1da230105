import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadAdminModel, loadServiceModel, parseServiceModel } from "../protocol/model.js";
import { type AuditEventInput, buildAuditEvent, createAuditEventBuilder } from "./build-event.js";
import { canonicalJson } from "./canonical-json.js";
import { REDACTED } from "./event.js";
import { credentialHintOf } from "./user-identity.js";

const CANARY = "canary-7f3a9c-do-not-log";
const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbC123";

function input(overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    operation: "GetSecretValue",
    region: "eu-west-1",
    accountId: "123456789012",
    caller: { accessKeyId: "AKIAEXAMPLE1234567", principal: "arn:aws:iam::123456789012:user/ops/alice" },
    sourceIp: "::ffff:10.0.0.7",
    userAgent: "aws-sdk-js/3",
    request: { SecretId: "prod/db" },
    result: {
      response: {
        ARN: arn,
        Name: "prod/db",
        VersionId: "v1",
        VersionStages: ["AWSCURRENT"],
        SecretString: CANARY,
      },
    },
    requestId: "req-1",
    time: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
    eventId: "11111111-2222-4333-8444-555555555555",
    ...overrides,
  };
}

describe("buildAuditEvent", () => {
  it("writes a CloudTrail 1.08 record of a successful read", () => {
    assert.deepEqual(buildAuditEvent(input()), {
      eventVersion: "1.08",
      userIdentity: {
        type: "IAMUser",
        arn: "arn:aws:iam::123456789012:user/ops/alice",
        accountId: "123456789012",
        accessKeyId: "AKIAEXAMPLE1234567",
        userName: "alice",
      },
      eventTime: "2026-01-02T03:04:05.006Z",
      eventSource: "secretsmanager.amazonaws.com",
      eventName: "GetSecretValue",
      awsRegion: "eu-west-1",
      sourceIPAddress: "10.0.0.7",
      userAgent: "aws-sdk-js/3",
      requestParameters: { secretId: "prod/db" },
      responseElements: { arn, name: "prod/db", versionId: "v1", versionStages: ["AWSCURRENT"] },
      requestID: "req-1",
      eventID: "11111111-2222-4333-8444-555555555555",
      readOnly: true,
      resources: [{ ARN: arn, accountId: "123456789012", type: "AWS::SecretsManager::Secret" }],
      eventType: "AwsApiCall",
      managementEvent: true,
      eventCategory: "Management",
      recipientAccountId: "123456789012",
    });
  });

  it("redacts every sensitive member of a write, keeps the rest under CloudTrail names", () => {
    const event = buildAuditEvent(
      input({
        operation: "PutSecretValue",
        request: {
          SecretId: arn,
          SecretString: CANARY,
          SecretBinary: Buffer.from(CANARY).toString("base64"),
          RotationToken: CANARY,
          VersionStages: ["AWSCURRENT"],
          ClientRequestToken: "tok-1",
        },
        result: { response: { ARN: arn, Name: "prod/db", VersionId: "v2", VersionStages: ["AWSCURRENT"] } },
      }),
    );
    assert.deepEqual(event.requestParameters, {
      secretId: arn,
      secretString: REDACTED,
      secretBinary: REDACTED,
      rotationToken: REDACTED,
      versionStages: ["AWSCURRENT"],
      clientRequestToken: "tok-1",
    });
    assert.equal(event.readOnly, false);
  });

  it("never records a value, whatever shape the request or answer takes", () => {
    const nastyRequests: unknown[] = [
      { Name: "x", SecretString: { nested: CANARY } },
      { Name: "x", SecretBinary: [CANARY] },
      {
        Name: "x",
        Unmodelled: { deeper: [{ SecretString: CANARY }] },
        Tags: [{ Key: "k", Value: "v", Extra: CANARY }],
      },
      { Name: { SecretString: CANARY } },
      {
        Name: "x",
        Description: "d",
        KmsKeyId: "k",
        ForceOverwriteReplicaSecret: true,
        AddReplicaRegions: [{ Region: "r", Junk: CANARY }],
      },
    ];
    for (const request of nastyRequests) {
      for (const operation of ["CreateSecret", "UpdateSecret", "NoSuchOperation"]) {
        const event = buildAuditEvent(
          input({
            operation,
            request,
            result: { error: { awsName: "ValidationException", message: "bad" } },
          }),
        );
        assert.ok(!canonicalJson(event).includes(CANARY), `${operation} ${JSON.stringify(request)}`);
      }
    }
    const batch = buildAuditEvent(
      input({
        operation: "BatchGetSecretValue",
        request: { SecretIdList: ["prod/db", "other"] },
        result: {
          response: {
            SecretValues: [{ ARN: arn, Name: "prod/db", SecretString: CANARY, SecretBinary: CANARY }],
          },
        },
      }),
    );
    assert.ok(!canonicalJson(batch).includes(CANARY));
    assert.equal(batch.responseElements, null);
    assert.deepEqual(
      batch.resources?.map((r) => r.ARN),
      [arn],
    );
    assert.deepEqual(batch.requestParameters, { secretIdList: ["prod/db", "other"] });
  });

  it("records GetRandomPassword's options but never the password", () => {
    const event = buildAuditEvent(
      input({
        operation: "GetRandomPassword",
        request: { PasswordLength: 40, ExcludePunctuation: true },
        result: { response: { RandomPassword: CANARY } },
      }),
    );
    assert.deepEqual(event.requestParameters, { passwordLength: 40, excludePunctuation: true });
    assert.equal(event.responseElements, null);
    assert.equal(event.readOnly, true);
    assert.ok(!canonicalJson(event).includes(CANARY));
  });

  it("redacts the paths sensitiveMembers names in nested lists and maps", () => {
    const model = parseServiceModel(
      JSON.stringify({
        metadata: {},
        operations: { Op: { name: "Op", input: { shape: "In" } } },
        shapes: {
          In: {
            type: "structure",
            members: { Items: { shape: "Items" }, ByName: { shape: "ByName" }, Plain: { shape: "Text" } },
          },
          Items: { type: "list", member: { shape: "Item" } },
          Item: { type: "structure", members: { Pin: { shape: "Secret" }, User: { shape: "Text" } } },
          ByName: { type: "map", key: { shape: "Text" }, value: { shape: "Secret" } },
          Secret: { type: "string", sensitive: true },
          Text: { type: "string" },
        },
      }),
    );
    const event = createAuditEventBuilder(model)(
      input({
        operation: "Op",
        request: { Items: [{ Pin: CANARY, User: "bob" }], ByName: { db: CANARY }, Plain: "p" },
        result: { response: {} },
      }),
    );
    assert.deepEqual(event.requestParameters, {
      items: [{ pin: REDACTED, user: "bob" }],
      byName: { db: REDACTED },
      plain: "p",
    });
  });

  it("records a refused call with the key it claimed and the error, without a response", () => {
    const hint = credentialHintOf(
      "AWS4-HMAC-SHA256 Credential=AKIAFORGED000000/20260102/eu-west-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=00",
    );
    assert.deepEqual(hint, { accessKeyId: "AKIAFORGED000000", region: "eu-west-1" });
    const event = buildAuditEvent(
      input({
        caller: undefined,
        attemptedAccessKeyId: hint.accessKeyId,
        result: {
          error: {
            awsName: "UnrecognizedClientException",
            message: "The security token included in the request is invalid.",
          },
        },
      }),
    );
    assert.deepEqual(event.userIdentity, {
      type: "Unknown",
      arn: "",
      accountId: "",
      accessKeyId: "AKIAFORGED000000",
    });
    assert.equal(event.errorCode, "UnrecognizedClientException");
    assert.equal(event.responseElements, null);
    assert.equal(event.resources, undefined);
    assert.equal(
      buildAuditEvent(input({ caller: undefined, attemptedAccessKeyId: "<script>" })).userIdentity
        .accessKeyId,
      "",
    );
  });

  it("names assumed roles, bounds long strings and stays deterministic", () => {
    const role = buildAuditEvent(
      input({
        caller: { accessKeyId: "ASIAX", principal: "arn:aws:sts::123456789012:assumed-role/Deploy/ci" },
      }),
    );
    assert.equal(role.userIdentity.type, "AssumedRole");
    assert.equal(role.userIdentity.userName, undefined);
    const long = buildAuditEvent(
      input({ request: { SecretId: "n".repeat(100_000) }, userAgent: "u".repeat(100_000) }),
    );
    assert.ok(canonicalJson(long).length < 10_000);
    assert.equal(canonicalJson(buildAuditEvent(input())), canonicalJson(buildAuditEvent(input())));
    assert.equal(loadServiceModel().operations.GetSecretValue?.name, "GetSecretValue");
  });
});

describe("an audit query naming a secret", () => {
  it("is not recorded as touching it: no resource, no index key", async () => {
    const { auditIndexFields } = await import("./audit-record.js");
    const event = createAuditEventBuilder(loadAdminModel())(
      input({
        operation: "QueryAuditEvents",
        request: { SecretId: arn },
        result: { response: { Events: [] } },
      }),
    );
    assert.equal(event.resources, undefined);
    assert.deepEqual(event.requestParameters, { secretId: arn });
    assert.deepEqual(auditIndexFields(event).secrets, []);
    const read = buildAuditEvent(
      input({
        request: { SecretId: arn },
        result: { error: { awsName: "AccessDeniedException", message: "no" } },
      }),
    );
    assert.deepEqual(auditIndexFields(read).secrets, [arn]);
    assert.equal(read.resources?.[0]?.ARN, arn);
  });
});
