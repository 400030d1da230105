import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import {
  type ServerProcess,
  startServerProcess,
  testAccountId,
  testAdmin,
  testRegion,
} from "../testing/server-process.js";

let server: ServerProcess;
let client: SecretsManagerClient;

function clientFor(credentials = testAdmin, region = testRegion) {
  return new SecretsManagerClient({ endpoint: server.url, region, credentials, maxAttempts: 1 });
}

async function rejectsWith(promise: Promise<unknown>, name: string, messagePart?: RegExp) {
  await assert.rejects(promise, (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
    if (messagePart) assert.match(error.message, messagePart);
    return true;
  });
}

before(async () => {
  server = await startServerProcess();
  client = clientFor();
});
after(async () => {
  client.destroy();
  await server.stop();
  server.cleanup();
});

describe("the seed workflow through @aws-sdk/client-secrets-manager", () => {
  test("create, list, put, update, then read the JSON back in two lines", async () => {
    const created = await client.send(
      new CreateSecretCommand({ Name: "alpha-vantage", SecretString: JSON.stringify({ apiKey: "first" }) }),
    );
    assert.match(
      created.ARN ?? "",
      new RegExp(
        `^arn:aws:secretsmanager:${testRegion}:${testAccountId}:secret:alpha-vantage-[A-Za-z0-9]{6}$`,
      ),
    );
    const listed = await client.send(new ListSecretsCommand({}));
    assert.ok(listed.SecretList?.some((s) => s.Name === "alpha-vantage"));
    await client.send(
      new PutSecretValueCommand({ SecretId: "alpha-vantage", SecretString: '{"apiKey":"second"}' }),
    );
    await client.send(
      new UpdateSecretCommand({
        SecretId: created.ARN,
        SecretString: '{"apiKey":"third"}',
        Description: "Alpha Vantage",
      }),
    );

    // The two lines from the README:
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: "alpha-vantage" }));
    const { apiKey } = JSON.parse(SecretString ?? "{}");
    assert.equal(apiKey, "third");

    const described = await client.send(new DescribeSecretCommand({ SecretId: "alpha-vantage" }));
    assert.equal(described.Description, "Alpha Vantage");
    assert.ok(described.CreatedDate instanceof Date);
    assert.equal(
      Object.values(described.VersionIdsToStages ?? {})
        .flat()
        .sort()
        .join(),
      "AWSCURRENT,AWSPREVIOUS",
    );
  });

  test("binary values round-trip as bytes", async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    await client.send(new CreateSecretCommand({ Name: "binary-one", SecretBinary: bytes }));
    const read = await client.send(new GetSecretValueCommand({ SecretId: "binary-one" }));
    assert.deepEqual([...(read.SecretBinary ?? [])], [...bytes]);
    assert.equal(read.SecretString, undefined);
  });

  test("a secret is addressed by name, full ARN and partial ARN", async () => {
    const created = await client.send(new CreateSecretCommand({ Name: "prod/db", SecretString: "pw" }));
    const arn = created.ARN ?? "";
    const partial = arn.slice(0, -7);
    for (const id of ["prod/db", arn, partial]) {
      const read = await client.send(new GetSecretValueCommand({ SecretId: id }));
      assert.equal(read.SecretString, "pw", id);
    }
    await rejectsWith(
      client.send(new GetSecretValueCommand({ SecretId: `${partial}-XXXXXX` })),
      "ResourceNotFoundException",
    );
  });

  test("secrets are regional: another region does not see them", async () => {
    const west = clientFor(testAdmin, "eu-west-1");
    await rejectsWith(
      west.send(new GetSecretValueCommand({ SecretId: "alpha-vantage" })),
      "ResourceNotFoundException",
    );
    await west.send(new CreateSecretCommand({ Name: "alpha-vantage", SecretString: "west" }));
    const read = await west.send(new GetSecretValueCommand({ SecretId: "alpha-vantage" }));
    assert.equal(read.SecretString, "west");
    assert.match(read.ARN ?? "", /:eu-west-1:/);
    west.destroy();
  });

  test("ClientRequestToken makes writes idempotent", async () => {
    const token = "11111111-2222-3333-4444-555555555555";
    await client.send(new CreateSecretCommand({ Name: "idem", SecretString: "v1" }));
    const first = await client.send(
      new PutSecretValueCommand({ SecretId: "idem", SecretString: "v2", ClientRequestToken: token }),
    );
    const again = await client.send(
      new PutSecretValueCommand({ SecretId: "idem", SecretString: "v2", ClientRequestToken: token }),
    );
    assert.equal(again.VersionId, first.VersionId);
    const versions = await client.send(
      new ListSecretVersionIdsCommand({ SecretId: "idem", IncludeDeprecated: true }),
    );
    assert.equal(versions.Versions?.length, 2);
    await rejectsWith(
      client.send(
        new PutSecretValueCommand({ SecretId: "idem", SecretString: "other", ClientRequestToken: token }),
      ),
      "ResourceExistsException",
    );
  });

  test("staging labels move: AWSCURRENT to the new version, AWSPREVIOUS to the old one", async () => {
    const v1 = await client.send(new CreateSecretCommand({ Name: "labels", SecretString: "1" }));
    const v2 = await client.send(new PutSecretValueCommand({ SecretId: "labels", SecretString: "2" }));
    const v3 = await client.send(new PutSecretValueCommand({ SecretId: "labels", SecretString: "3" }));
    const list = await client.send(
      new ListSecretVersionIdsCommand({ SecretId: "labels", IncludeDeprecated: true }),
    );
    const stagesOf = (id?: string) => list.Versions?.find((v) => v.VersionId === id)?.VersionStages ?? [];
    assert.deepEqual(stagesOf(v3.VersionId), ["AWSCURRENT"]);
    assert.deepEqual(stagesOf(v2.VersionId), ["AWSPREVIOUS"]);
    assert.deepEqual(stagesOf(v1.VersionId), []);
    const withoutDeprecated = await client.send(new ListSecretVersionIdsCommand({ SecretId: "labels" }));
    assert.equal(withoutDeprecated.Versions?.length, 2);

    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: "labels", VersionStage: "AWSPREVIOUS" }),
    );
    assert.equal(previous.SecretString, "2");
    const byId = await client.send(
      new GetSecretValueCommand({ SecretId: "labels", VersionId: v1.VersionId }),
    );
    assert.equal(byId.SecretString, "1");

    // Roll back: move AWSCURRENT to v1.
    await rejectsWith(
      client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: "labels",
          VersionStage: "AWSCURRENT",
          MoveToVersionId: v1.VersionId,
        }),
      ),
      "InvalidParameterException",
      /RemoveFromVersionId/,
    );
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: "labels",
        VersionStage: "AWSCURRENT",
        MoveToVersionId: v1.VersionId,
        RemoveFromVersionId: v3.VersionId,
      }),
    );
    assert.equal((await client.send(new GetSecretValueCommand({ SecretId: "labels" }))).SecretString, "1");
    assert.equal(
      (await client.send(new GetSecretValueCommand({ SecretId: "labels", VersionStage: "AWSPREVIOUS" })))
        .SecretString,
      "3",
    );
    // A custom label, then removing it.
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: "labels",
        VersionStage: "blue",
        MoveToVersionId: v2.VersionId,
      }),
    );
    assert.equal(
      (await client.send(new GetSecretValueCommand({ SecretId: "labels", VersionStage: "blue" })))
        .SecretString,
      "2",
    );
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: "labels",
        VersionStage: "blue",
        RemoveFromVersionId: v2.VersionId,
      }),
    );
    await rejectsWith(
      client.send(new GetSecretValueCommand({ SecretId: "labels", VersionStage: "blue" })),
      "ResourceNotFoundException",
    );
  });

  test("delete with a recovery window, refuse reads, restore, and force delete", async () => {
    await client.send(new CreateSecretCommand({ Name: "doomed", SecretString: "x" }));
    const deleted = await client.send(
      new DeleteSecretCommand({ SecretId: "doomed", RecoveryWindowInDays: 7 }),
    );
    const days = ((deleted.DeletionDate?.getTime() ?? 0) - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7, `deletion in ${days} days`);
    await rejectsWith(
      client.send(new GetSecretValueCommand({ SecretId: "doomed" })),
      "InvalidRequestException",
      /marked for deletion/,
    );
    await rejectsWith(
      client.send(new PutSecretValueCommand({ SecretId: "doomed", SecretString: "y" })),
      "InvalidRequestException",
    );
    const hidden = await client.send(
      new ListSecretsCommand({ Filters: [{ Key: "name", Values: ["doomed"] }] }),
    );
    assert.equal(hidden.SecretList?.length, 0);
    const shown = await client.send(
      new ListSecretsCommand({
        IncludePlannedDeletion: true,
        Filters: [{ Key: "name", Values: ["doomed"] }],
      }),
    );
    assert.equal(shown.SecretList?.length, 1);
    assert.ok(shown.SecretList?.[0]?.DeletedDate instanceof Date);
    await rejectsWith(
      client.send(new CreateSecretCommand({ Name: "doomed", SecretString: "z" })),
      "InvalidRequestException",
    );
    await client.send(new RestoreSecretCommand({ SecretId: "doomed" }));
    assert.equal((await client.send(new GetSecretValueCommand({ SecretId: "doomed" }))).SecretString, "x");

    await rejectsWith(
      client.send(new DeleteSecretCommand({ SecretId: "doomed", RecoveryWindowInDays: 3 })),
      "InvalidParameterException",
    );
    await rejectsWith(
      client.send(
        new DeleteSecretCommand({
          SecretId: "doomed",
          RecoveryWindowInDays: 7,
          ForceDeleteWithoutRecovery: true,
        }),
      ),
      "InvalidParameterException",
    );
    await client.send(new DeleteSecretCommand({ SecretId: "doomed", ForceDeleteWithoutRecovery: true }));
    await rejectsWith(
      client.send(new GetSecretValueCommand({ SecretId: "doomed" })),
      "ResourceNotFoundException",
    );
    await client.send(new CreateSecretCommand({ Name: "doomed", SecretString: "reborn" }));
  });

  test("tags: add, overwrite, filter by, remove", async () => {
    await client.send(
      new CreateSecretCommand({ Name: "tagged", SecretString: "t", Tags: [{ Key: "team", Value: "data" }] }),
    );
    await client.send(
      new TagResourceCommand({
        SecretId: "tagged",
        Tags: [
          { Key: "env", Value: "prod" },
          { Key: "team", Value: "ml" },
        ],
      }),
    );
    const described = await client.send(new DescribeSecretCommand({ SecretId: "tagged" }));
    assert.deepEqual(described.Tags, [
      { Key: "team", Value: "ml" },
      { Key: "env", Value: "prod" },
    ]);
    const byTag = await client.send(
      new ListSecretsCommand({ Filters: [{ Key: "tag-value", Values: ["prod"] }] }),
    );
    assert.deepEqual(
      byTag.SecretList?.map((s) => s.Name),
      ["tagged"],
    );
    await client.send(new UntagResourceCommand({ SecretId: "tagged", TagKeys: ["team"] }));
    const after = await client.send(new DescribeSecretCommand({ SecretId: "tagged" }));
    assert.deepEqual(after.Tags, [{ Key: "env", Value: "prod" }]);
    await rejectsWith(
      client.send(
        new TagResourceCommand({ SecretId: "tagged", Tags: [{ Key: "aws:reserved", Value: "x" }] }),
      ),
      "InvalidParameterException",
    );
  });

  test("BatchGetSecretValue by id list reports missing ids as errors, and by filter", async () => {
    const batch = await client.send(
      new BatchGetSecretValueCommand({ SecretIdList: ["prod/db", "labels", "missing-one"] }),
    );
    assert.deepEqual(batch.SecretValues?.map((v) => v.Name).sort(), ["labels", "prod/db"]);
    assert.deepEqual(
      batch.Errors?.map((e) => [e.SecretId, e.ErrorCode]),
      [["missing-one", "ResourceNotFoundException"]],
    );
    const byFilter = await client.send(
      new BatchGetSecretValueCommand({ Filters: [{ Key: "name", Values: ["prod/"] }] }),
    );
    assert.deepEqual(
      byFilter.SecretValues?.map((v) => v.SecretString),
      ["pw"],
    );
    await rejectsWith(
      client.send(
        new BatchGetSecretValueCommand({ SecretIdList: ["a"], Filters: [{ Key: "name", Values: ["a"] }] }),
      ),
      "InvalidParameterException",
    );
  });

  test("GetRandomPassword honours its parameters", async () => {
    const { RandomPassword } = await client.send(
      new GetRandomPasswordCommand({
        PasswordLength: 40,
        ExcludePunctuation: true,
        ExcludeCharacters: "abc",
      }),
    );
    assert.equal(RandomPassword?.length, 40);
    assert.match(RandomPassword ?? "", /^[A-Za-z0-9]+$/);
    assert.doesNotMatch(RandomPassword ?? "", /[abc]/);
  });

  test("RotateSecret with no rotation function configured answers AWS's error", async () => {
    await rejectsWith(
      client.send(new RotateSecretCommand({ SecretId: "labels" })),
      "InvalidRequestException",
      /doesn't already have a Lambda function ARN configured/,
    );
  });
});

describe("errors through @aws-sdk/client-secrets-manager", () => {
  test("unknown secret", async () => {
    await rejectsWith(
      client.send(new GetSecretValueCommand({ SecretId: "no-such-secret" })),
      "ResourceNotFoundException",
    );
  });
  test("existing name", async () => {
    await rejectsWith(
      client.send(new CreateSecretCommand({ Name: "alpha-vantage", SecretString: "x" })),
      "ResourceExistsException",
    );
  });
  test("invalid name characters", async () => {
    await rejectsWith(
      client.send(new CreateSecretCommand({ Name: "bad name!", SecretString: "x" })),
      "ValidationException",
    );
  });
  test("both SecretString and SecretBinary", async () => {
    await rejectsWith(
      client.send(
        new CreateSecretCommand({ Name: "both", SecretString: "x", SecretBinary: new Uint8Array([1]) }),
      ),
      "InvalidParameterException",
    );
  });
  test("value over 65,536 bytes", async () => {
    const big = "é".repeat(40_000); // 80,000 bytes in UTF-8, 40,000 characters
    await rejectsWith(
      client.send(new CreateSecretCommand({ Name: "big", SecretString: big })),
      "InvalidParameterException",
      /65536/,
    );
  });
  test("model constraint violation", async () => {
    await rejectsWith(
      client.send(new ListSecretsCommand({ MaxResults: 1000 })),
      "ValidationException",
      /maxResults/i,
    );
  });
  test("tampered NextToken", async () => {
    await rejectsWith(
      client.send(new ListSecretsCommand({ NextToken: "garbage" })),
      "InvalidNextTokenException",
    );
  });
  test("unknown access key", async () => {
    const stranger = clientFor({
      accessKeyId: "AKIAUNKNOWN000000000",
      secretAccessKey: "whatever-secret-000000",
    });
    await rejectsWith(stranger.send(new ListSecretsCommand({})), "UnrecognizedClientException");
    stranger.destroy();
  });
  test("wrong secret key", async () => {
    const wrong = clientFor({
      accessKeyId: testAdmin.accessKeyId,
      secretAccessKey: "not-the-right-secret-key",
    });
    await rejectsWith(wrong.send(new ListSecretsCommand({})), "InvalidSignatureException");
    wrong.destroy();
  });
  test("clock skew beyond five minutes", async () => {
    const skewed = new SecretsManagerClient({
      endpoint: server.url,
      region: testRegion,
      credentials: testAdmin,
      maxAttempts: 1,
      systemClockOffset: -10 * 60 * 1000,
    });
    await rejectsWith(
      skewed.send(new ListSecretsCommand({})),
      "InvalidSignatureException",
      /Signature expired/,
    );
    skewed.destroy();
  });
});
