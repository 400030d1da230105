import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  CreateSecretCommand,
  DeleteResourcePolicyCommand,
  GetRandomPasswordCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  ValidateResourcePolicyCommand,
} from "@aws-sdk/client-secrets-manager";
import { openChangeStream } from "../http/change-feed/sse-reader.test.helper.js";
import { adminCall, createUserWithPolicy } from "../testing/admin-call.js";
import {
  type ServerProcess,
  startServerProcess,
  testAccountId,
  testAdmin,
  testRegion,
} from "../testing/server-process.js";

let server: ServerProcess;
let admin: SecretsManagerClient;
const arnPrefix = `arn:aws:secretsmanager:${testRegion}:${testAccountId}:secret:`;

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const clientWith = (credentials: Credentials) =>
  new SecretsManagerClient({ endpoint: server.url, region: testRegion, credentials, maxAttempts: 1 });

async function rejectsWith(promise: Promise<unknown>, name: string, message?: RegExp) {
  await assert.rejects(promise, (error: Error) => {
    assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
    if (message) assert.match(error.message, message);
    return true;
  });
}

const readOnlyAppOne = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "ReadAppOne",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      Resource: `${arnPrefix}app/one-*`,
    },
  ],
};

before(async () => {
  server = await startServerProcess();
  admin = clientWith(testAdmin);
  await admin.send(new CreateSecretCommand({ Name: "app/one", SecretString: "one" }));
  await admin.send(
    new CreateSecretCommand({ Name: "app/two", SecretString: "two", Tags: [{ Key: "team", Value: "data" }] }),
  );
});
after(async () => {
  admin.destroy();
  await server.stop();
  server.cleanup();
});

describe("least privilege", () => {
  test("a new user with no policy can do nothing, not even GetRandomPassword", async () => {
    const nobody = clientWith(await createUserWithPolicy(server.url, "nobody", undefined));
    await rejectsWith(
      nobody.send(new GetSecretValueCommand({ SecretId: "app/one" })),
      "AccessDeniedException",
      /User: arn:aws:iam::123456789012:user\/nobody is not authorized to perform: secretsmanager:GetSecretValue on resource: app\/one because no identity-based policy allows the secretsmanager:GetSecretValue action/,
    );
    await rejectsWith(nobody.send(new GetRandomPasswordCommand({})), "AccessDeniedException");
    await rejectsWith(nobody.send(new ListSecretsCommand({})), "AccessDeniedException");
    await rejectsWith(
      adminCall(server.url, "ListUsers", {}, await createUserWithPolicy(server.url, "nobody2", undefined)),
      "AccessDeniedException",
    );
    nobody.destroy();
  });

  test("a read-only user reads one secret and is denied the other, every write, and listing", async () => {
    const reader = clientWith(await createUserWithPolicy(server.url, "reader", readOnlyAppOne));
    assert.equal((await reader.send(new GetSecretValueCommand({ SecretId: "app/one" }))).SecretString, "one");
    await rejectsWith(
      reader.send(new GetSecretValueCommand({ SecretId: "app/two" })),
      "AccessDeniedException",
      /app\/two/,
    );
    await rejectsWith(
      reader.send(new PutSecretValueCommand({ SecretId: "app/one", SecretString: "x" })),
      "AccessDeniedException",
    );
    await rejectsWith(
      reader.send(new CreateSecretCommand({ Name: "app/one-new", SecretString: "x" })),
      "AccessDeniedException",
    );
    await rejectsWith(reader.send(new ListSecretsCommand({})), "AccessDeniedException");
    // A missing secret outside the grant answers AccessDenied: names do not leak.
    await rejectsWith(
      reader.send(new GetSecretValueCommand({ SecretId: "app/secret-that-does-not-exist" })),
      "AccessDeniedException",
    );
    // Inside the grant, a missing version is still reported as missing.
    await rejectsWith(
      reader.send(new GetSecretValueCommand({ SecretId: "app/one", VersionStage: "nope" })),
      "ResourceNotFoundException",
    );
    reader.destroy();
  });

  test("an explicit deny wins over an allow", async () => {
    const credentials = await createUserWithPolicy(server.url, "denied", {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "secretsmanager:*", Resource: "*" },
        { Effect: "Deny", Action: "secretsmanager:GetSecretValue", Resource: `${arnPrefix}app/two-*` },
      ],
    });
    const client = clientWith(credentials);
    assert.equal((await client.send(new GetSecretValueCommand({ SecretId: "app/one" }))).SecretString, "one");
    await rejectsWith(
      client.send(new GetSecretValueCommand({ SecretId: "app/two" })),
      "AccessDeniedException",
      /with an explicit deny in an identity-based policy/,
    );
    client.destroy();
  });

  test("conditions see principal tags, resource tags and the source address", async () => {
    await adminCall(server.url, "CreateUser", { UserName: "tagged", Tags: [{ Key: "team", Value: "data" }] });
    await adminCall(server.url, "PutUserPolicy", {
      UserName: "tagged",
      PolicyName: "same-team",
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: "secretsmanager:GetSecretValue",
            Resource: "*",
            Condition: {
              // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
              StringEquals: { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" },
              IpAddress: { "aws:SourceIp": ["127.0.0.0/8", "::1/128", "::ffff:127.0.0.0/104"] },
            },
          },
        ],
      }),
    });
    const { AccessKey } = (await adminCall(server.url, "CreateAccessKey", { UserName: "tagged" })) as {
      AccessKey: { AccessKeyId: string; SecretAccessKey: string };
    };
    const client = clientWith({
      accessKeyId: AccessKey.AccessKeyId,
      secretAccessKey: AccessKey.SecretAccessKey,
    });
    assert.equal((await client.send(new GetSecretValueCommand({ SecretId: "app/two" }))).SecretString, "two");
    await rejectsWith(
      client.send(new GetSecretValueCommand({ SecretId: "app/one" })),
      "AccessDeniedException",
    );
    client.destroy();
  });

  test("a resource policy grants a user access that no identity policy gives", async () => {
    const credentials = await createUserWithPolicy(server.url, "partner", undefined);
    const partner = clientWith(credentials);
    await rejectsWith(
      partner.send(new GetSecretValueCommand({ SecretId: "app/two" })),
      "AccessDeniedException",
    );
    const policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${testAccountId}:user/partner` },
          Action: "secretsmanager:GetSecretValue",
          Resource: "*",
        },
      ],
    };
    await admin.send(
      new PutResourcePolicyCommand({
        SecretId: "app/two",
        ResourcePolicy: JSON.stringify(policy),
        BlockPublicPolicy: true,
      }),
    );
    assert.equal(
      (await partner.send(new GetSecretValueCommand({ SecretId: "app/two" }))).SecretString,
      "two",
    );
    const stored = await admin.send(new GetResourcePolicyCommand({ SecretId: "app/two" }));
    assert.deepEqual(JSON.parse(stored.ResourcePolicy ?? "{}"), policy);
    await admin.send(new DeleteResourcePolicyCommand({ SecretId: "app/two" }));
    await rejectsWith(
      partner.send(new GetSecretValueCommand({ SecretId: "app/two" })),
      "AccessDeniedException",
    );
    partner.destroy();
  });

  test("BlockPublicPolicy refuses a policy that grants to everyone; malformed documents are refused", async () => {
    const everyone = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" },
      ],
    };
    await rejectsWith(
      admin.send(
        new PutResourcePolicyCommand({
          SecretId: "app/one",
          ResourcePolicy: JSON.stringify(everyone),
          BlockPublicPolicy: true,
        }),
      ),
      "PublicPolicyException",
    );
    await rejectsWith(
      admin.send(
        new PutResourcePolicyCommand({
          SecretId: "app/one",
          ResourcePolicy: '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe"}]}',
        }),
      ),
      "MalformedPolicyDocumentException",
    );
    await rejectsWith(
      admin.send(new ValidateResourcePolicyCommand({ ResourcePolicy: "not json" })),
      "MalformedPolicyDocumentException",
    );
    const findings = await admin.send(
      new ValidateResourcePolicyCommand({ SecretId: "app/one", ResourcePolicy: JSON.stringify(everyone) }),
    );
    assert.equal(findings.PolicyValidationPassed, false);
    assert.ok((findings.ValidationErrors ?? []).length > 0);
  });

  test("a disabled or deleted key stops working on the very next request", async () => {
    const credentials = await createUserWithPolicy(server.url, "short", readOnlyAppOne);
    const client = clientWith(credentials);
    assert.equal((await client.send(new GetSecretValueCommand({ SecretId: "app/one" }))).SecretString, "one");
    await adminCall(server.url, "UpdateAccessKey", {
      AccessKeyId: credentials.accessKeyId,
      Status: "Inactive",
    });
    await rejectsWith(
      client.send(new GetSecretValueCommand({ SecretId: "app/one" })),
      "UnrecognizedClientException",
    );
    await adminCall(server.url, "UpdateAccessKey", {
      AccessKeyId: credentials.accessKeyId,
      Status: "Active",
    });
    assert.equal((await client.send(new GetSecretValueCommand({ SecretId: "app/one" }))).SecretString, "one");
    const listed = (await adminCall(server.url, "ListAccessKeys", { UserName: "short" })) as {
      AccessKeyMetadata: Array<{ AccessKeyId: string; LastUsedDate?: number; LastUsedSourceIp?: string }>;
    };
    const entry = listed.AccessKeyMetadata.find((k) => k.AccessKeyId === credentials.accessKeyId);
    assert.ok(entry?.LastUsedDate, "last use is recorded");
    assert.match(entry?.LastUsedSourceIp ?? "", /127\.0\.0\.1|::1/);
    await adminCall(server.url, "DeleteAccessKey", { AccessKeyId: credentials.accessKeyId });
    await rejectsWith(
      client.send(new GetSecretValueCommand({ SecretId: "app/one" })),
      "UnrecognizedClientException",
    );
    client.destroy();
  });

  test("session credentials carry the principal's rights and need their token", async () => {
    await createUserWithPolicy(server.url, "platform", readOnlyAppOne);
    const { Credentials } = (await adminCall(server.url, "CreateSessionCredentials", {
      UserName: "platform",
      DurationSeconds: 900,
    })) as {
      Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: number };
    };
    assert.match(Credentials.AccessKeyId, /^ASIA/);
    assert.ok(Math.abs(Credentials.Expiration - (Date.now() / 1000 + 900)) < 60);
    const session = clientWith({
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretAccessKey,
      sessionToken: Credentials.SessionToken,
    });
    assert.equal(
      (await session.send(new GetSecretValueCommand({ SecretId: "app/one" }))).SecretString,
      "one",
    );
    await rejectsWith(
      session.send(new GetSecretValueCommand({ SecretId: "app/two" })),
      "AccessDeniedException",
    );
    const withoutToken = clientWith({
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretAccessKey,
    });
    await rejectsWith(
      withoutToken.send(new GetSecretValueCommand({ SecretId: "app/one" })),
      "UnrecognizedClientException",
    );
    const wrongToken = clientWith({
      ...Credentials,
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretAccessKey,
      sessionToken: "forged",
    });
    await rejectsWith(
      wrongToken.send(new GetSecretValueCommand({ SecretId: "app/one" })),
      "UnrecognizedClientException",
    );
    for (const c of [session, withoutToken, wrongToken]) c.destroy();
  });

  test("the admin API itself is governed by policy", async () => {
    const credentials = await createUserWithPolicy(server.url, "helpdesk", {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["coffer:ListUsers", "coffer:GetUser"], Resource: "*" }],
    });
    const users = (await adminCall(server.url, "ListUsers", {}, credentials)) as {
      Users: Array<{ UserName: string }>;
    };
    assert.ok(users.Users.some((u) => u.UserName === "admin"));
    await rejectsWith(
      adminCall(server.url, "CreateUser", { UserName: "escalate" }, credentials),
      "AccessDeniedException",
    );
    await rejectsWith(
      adminCall(
        server.url,
        "PutUserPolicy",
        { UserName: "helpdesk", PolicyName: "more", PolicyDocument: "{}" },
        credentials,
      ),
      "AccessDeniedException",
    );
  });

  test("an access key with an expiry stops working when it expires", async () => {
    await createUserWithPolicy(server.url, "temporary", readOnlyAppOne);
    const { AccessKey } = (await adminCall(server.url, "CreateAccessKey", {
      UserName: "temporary",
      ExpiresInSeconds: 2,
    })) as {
      AccessKey: { AccessKeyId: string; SecretAccessKey: string; Expiration: number };
    };
    const client = clientWith({
      accessKeyId: AccessKey.AccessKeyId,
      secretAccessKey: AccessKey.SecretAccessKey,
    });
    assert.equal((await client.send(new GetSecretValueCommand({ SecretId: "app/one" }))).SecretString, "one");
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, AccessKey.Expiration * 1000 - Date.now()) + 100),
    );
    await rejectsWith(
      client.send(new GetSecretValueCommand({ SecretId: "app/one" })),
      "ExpiredTokenException",
    );
    client.destroy();
  });

  test("the change feed only tells a caller about secrets it may read", async () => {
    const credentials = await createUserWithPolicy(server.url, "watcher", readOnlyAppOne);
    const stream = await openChangeStream({ baseUrl: server.url, region: testRegion, ...credentials });
    try {
      assert.equal(stream.response.statusCode, 200);
      await admin.send(new PutSecretValueCommand({ SecretId: "app/two", SecretString: "CANARY-feed-two" }));
      await admin.send(new PutSecretValueCommand({ SecretId: "app/one", SecretString: "CANARY-feed-one" }));
      const frame = await stream.reader.next(2_000);
      assert.equal(frame.event, "secret-changed");
      assert.equal((JSON.parse(frame.data) as { Name: string }).Name, "app/one");
      assert.doesNotMatch(stream.reader.raw, /"Name":"app\/two"|secret:app\/two-|CANARY/);
    } finally {
      stream.close();
    }
    await admin.send(new PutSecretValueCommand({ SecretId: "app/one", SecretString: "one" }));
  });
});
