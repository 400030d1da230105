import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  CreateSecretCommand,
  PutResourcePolicyCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { type AdminCallError, adminCall } from "../testing/admin-call.js";
import { type ServerProcess, startServerProcess, testAdmin, testRegion } from "../testing/server-process.js";

let server: ServerProcess;
let sdk: SecretsManagerClient;

const policy = (...actions: string[]) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }],
  });

before(async () => {
  server = await startServerProcess();
  sdk = new SecretsManagerClient({
    endpoint: server.url,
    region: testRegion,
    credentials: testAdmin,
    maxAttempts: 1,
  });
  await sdk.send(new CreateSecretCommand({ Name: "actions/db", SecretString: "x" }));
  await adminCall(server.url, "CreateUser", { UserName: "typo" });
});
after(async () => {
  sdk.destroy();
  await server.stop();
  server.cleanup();
});

describe("actions that do not exist", () => {
  test("PutUserPolicy answers 400 MalformedPolicyDocumentException naming the action and the closest real one", async () => {
    await assert.rejects(
      adminCall(server.url, "PutUserPolicy", {
        UserName: "typo",
        PolicyName: "read",
        PolicyDocument: policy("secretsmanager:GetSecretValu"),
      }),
      (error: AdminCallError) => {
        assert.equal(error.status, 400);
        assert.equal(error.type, "MalformedPolicyDocumentException");
        assert.match(
          error.message,
          /"secretsmanager:GetSecretValu" is not a Secrets Manager action; did you mean "secretsmanager:GetSecretValue"\?/,
        );
        return true;
      },
    );
    await assert.rejects(
      adminCall(server.url, "PutUserPolicy", {
        UserName: "typo",
        PolicyName: "read",
        PolicyDocument: policy("secretsmanager:Get*Valu"),
      }),
      /matches no Secrets Manager action/,
    );
    const { PolicyNames } = await adminCall(server.url, "ListUserPolicies", { UserName: "typo" });
    assert.deepEqual(PolicyNames, [], "nothing was stored");
  });

  test("PutUserPolicy accepts other services' actions next to real ones, and lint says they grant nothing", async () => {
    await adminCall(server.url, "PutUserPolicy", {
      UserName: "typo",
      PolicyName: "read",
      PolicyDocument: policy("secretsmanager:GetSecretValue", "kms:Decrypt"),
    });
    const { Findings } = (await adminCall(server.url, "LintPolicies", {})) as {
      Findings: Array<{ Code: string; Severity: string; PolicyName: string; Message: string }>;
    };
    const other = Findings.find((f) => f.PolicyName === "read" && f.Code === "OTHER_SERVICE_ACTION");
    assert.ok(other, JSON.stringify(Findings));
    assert.equal(other.Severity, "info");
    assert.match(
      other.Message,
      /"kms:Decrypt" is an action of another AWS service \(kms\); it grants nothing in Coffer/,
    );
  });

  test("PutResourcePolicy rejects them too", async () => {
    await assert.rejects(
      sdk.send(
        new PutResourcePolicyCommand({
          SecretId: "actions/db",
          ResourcePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { AWS: "arn:aws:iam::123456789012:user/typo" },
                Action: "secretsmanager:GetSecretValu",
                Resource: "*",
              },
            ],
          }),
        }),
      ),
      (error: Error) => {
        assert.equal(error.name, "MalformedPolicyDocumentException");
        assert.match(error.message, /did you mean "secretsmanager:GetSecretValue"/);
        return true;
      },
    );
  });
});
