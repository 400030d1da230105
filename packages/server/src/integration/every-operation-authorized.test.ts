/**
 * No operation runs unauthorized (docs/adr/0007): for every operation of both APIs, a valid request
 * (sampled from the model, aimed at a secret and a user that exist) from a caller with no policy is
 * refused with AccessDeniedException naming the operation's own action, and changes nothing.
 * The one exception is named: GetSessionToken needs no permission (it narrows the caller's own key).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ShapeSampler } from "../protocol/member-paths.test-helper.js";
import { loadAdminModel, loadServiceModel, operationNames, type ServiceModel } from "../protocol/model.js";
import { adminCall, createUserWithPolicy } from "../testing/admin-call.js";
import { type ServerProcess, startServerProcess } from "../testing/server-process.js";
import {
  adminTarget,
  type SignedCaller,
  secretsManagerTarget,
  signedCaller,
} from "../testing/signed-call.js";

const TARGET_SECRET = "authz-target";
const TARGET_USER = "authz-target-user";
const somePolicy = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::123456789012:root" },
      Action: "secretsmanager:GetSecretValue",
      Resource: "*",
    },
  ],
};

let server: ServerProcess;
let admin: SignedCaller;
let nobody: SignedCaller;

before(async () => {
  server = await startServerProcess();
  admin = signedCaller(server.url);
  const created = await admin.call(
    secretsManagerTarget("CreateSecret"),
    JSON.stringify({ Name: TARGET_SECRET, SecretString: "authz-value" }),
  );
  assert.equal(created.status, 200, created.body);
  await adminCall(server.url, "CreateUser", { UserName: TARGET_USER });
  nobody = signedCaller(server.url, await createUserWithPolicy(server.url, "authz-nobody", undefined));
});
after(async () => {
  admin.close();
  nobody.close();
  await server.stop();
  server.cleanup();
});

const apis: Array<{ name: string; model: ServiceModel; target: (operation: string) => string }> = [
  { name: "secretsmanager", model: loadServiceModel(), target: secretsManagerTarget },
  { name: "coffer", model: loadAdminModel(), target: adminTarget },
];

describe("every operation is authorized", () => {
  for (const api of apis) {
    test(`${api.name}: a caller with no policy is denied each operation's own action`, async () => {
      const sampler = new ShapeSampler(api.model, 9);
      const before = await admin.call(
        secretsManagerTarget("DescribeSecret"),
        JSON.stringify({ SecretId: TARGET_SECRET }),
      );
      const problems: string[] = [];
      for (const operation of operationNames(api.model)) {
        const shape = api.model.operations[operation]?.input?.shape;
        let input = shape === undefined ? {} : (sampler.sample(shape) as Record<string, unknown>);
        // A valid input can still be too large for the body cap (65,536 characters of a JWKS
        // document, each escaped to six bytes): draw again until the request is one the server reads.
        for (let draw = 0; shape !== undefined && draw < 20 && tooLarge(input); draw++) {
          input = sampler.sample(shape) as Record<string, unknown>;
        }
        if (typeof input.SecretId === "string") input.SecretId = TARGET_SECRET;
        if (typeof input.UserName === "string") input.UserName = TARGET_USER;
        if (typeof input.WaitTimeSeconds === "number") input.WaitTimeSeconds = 0;
        // Inputs the model allows but the operation's own rules refuse before it reaches the secret.
        if (operation === "CreateSecret") {
          delete input.AddReplicaRegions;
          input.Name = "authz-new-secret";
        }
        delete input.SecretBinary;
        if (input.RecoveryWindowInDays !== undefined) input.RecoveryWindowInDays = 7;
        delete input.ForceDeleteWithoutRecovery;
        if (typeof input.ResourcePolicy === "string") input.ResourcePolicy = JSON.stringify(somePolicy);
        const response = await nobody.call(api.target(operation), JSON.stringify(input));
        const action = `${api.name}:${operation}`;
        if (operation === "GetSessionToken") {
          if (response.status !== 200) problems.push(`${operation}: ${response.status} ${response.body}`);
          continue;
        }
        if (response.type !== "AccessDeniedException" || !response.body.includes(action)) {
          problems.push(`${operation}: ${response.status} ${response.body}`);
        }
      }
      const after = await admin.call(
        secretsManagerTarget("DescribeSecret"),
        JSON.stringify({ SecretId: TARGET_SECRET }),
      );
      assert.equal(after.body, before.body, "the target secret changed");
      assert.deepEqual(problems, []);
    });
  }
});

/** Over the server's 256 KiB request body cap (a 413 before authorization). */
function tooLarge(input: object): boolean {
  return Buffer.byteLength(JSON.stringify(input)) > 256 * 1024;
}
