import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { adminCall, createUserWithPolicy, signJsonCall } from "../testing/admin-call.js";
import {
  type ServerProcess,
  startServerProcess,
  testAccountId,
  testAdmin,
  testRegion,
} from "../testing/server-process.js";

/**
 * A caller who may not act on a secret gets the same answer, byte for byte apart from the request
 * id, whether the secret exists or not: the denial must not be an oracle for which names exist.
 */

type Credentials = { accessKeyId: string; secretAccessKey: string };
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

let server: ServerProcess;
let outsider: Credentials;
const arnPrefix = `arn:aws:secretsmanager:${testRegion}:${testAccountId}:secret:`;
let existingArn: string;

async function call(credentials: Credentials, operation: string, input: object): Promise<Answer> {
  const body = JSON.stringify(input);
  const signed = {
    headers: await signJsonCall(server.url, `secretsmanager.${operation}`, body, credentials),
  };
  const response = await fetch(server.url, { method: "POST", headers: signed.headers, body });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== "x-amzn-requestid" && name !== "date") headers[name] = value;
  });
  return { status: response.status, headers, body: await response.text() };
}

/** Every secret operation, with the id it names (and for BatchGet, the list it names). */
const requests: Array<[string, (id: string) => object]> = [
  ["GetSecretValue", (id) => ({ SecretId: id })],
  ["DescribeSecret", (id) => ({ SecretId: id })],
  ["PutSecretValue", (id) => ({ SecretId: id, SecretString: "x" })],
  ["UpdateSecret", (id) => ({ SecretId: id, Description: "d" })],
  ["DeleteSecret", (id) => ({ SecretId: id })],
  ["RestoreSecret", (id) => ({ SecretId: id })],
  ["TagResource", (id) => ({ SecretId: id, Tags: [{ Key: "k", Value: "v" }] })],
  ["UntagResource", (id) => ({ SecretId: id, TagKeys: ["k"] })],
  ["ListSecretVersionIds", (id) => ({ SecretId: id })],
  [
    "UpdateSecretVersionStage",
    (id) => ({ SecretId: id, VersionStage: "S", MoveToVersionId: "00000000-0000-4000-8000-000000000000" }),
  ],
  ["GetResourcePolicy", (id) => ({ SecretId: id })],
  ["PutResourcePolicy", (id) => ({ SecretId: id, ResourcePolicy: denyOutsider })],
  ["DeleteResourcePolicy", (id) => ({ SecretId: id })],
  ["ValidateResourcePolicy", (id) => ({ SecretId: id, ResourcePolicy: denyOutsider })],
  ["BatchGetSecretValue", (id) => ({ SecretIdList: [id] })],
];

const denyOutsider = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Deny",
      Principal: { AWS: `arn:aws:iam::${testAccountId}:user/outsider` },
      Action: "secretsmanager:*",
      Resource: "*",
    },
  ],
});

before(async () => {
  server = await startServerProcess();
  // The outsider may list and batch-read, and act on its own secrets only.
  outsider = await createUserWithPolicy(server.url, "outsider", {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "secretsmanager:BatchGetSecretValue", Resource: "*" },
      { Effect: "Allow", Action: "secretsmanager:*", Resource: `${arnPrefix}mine/*` },
    ],
  });
  const created = (await callAsAdmin("CreateSecret", { Name: "app/other", SecretString: "v" })) as {
    ARN: string;
  };
  existingArn = created.ARN;
  await callAsAdmin("CreateSecret", { Name: "app/guarded", SecretString: "v" });
  // A resource policy with an explicit deny exists only on a secret that exists.
  await callAsAdmin("PutResourcePolicy", { SecretId: "app/guarded", ResourcePolicy: denyOutsider });
});
after(async () => {
  await server.stop();
  server.cleanup();
});

async function callAsAdmin(operation: string, input: object) {
  return adminCall(server.url, operation, input, testAdmin, `secretsmanager.${operation}`);
}

describe("a denied caller learns nothing about which secrets exist", () => {
  const pairs: Array<[string, string, () => string]> = [
    ["by name", "app/other", () => "app/ghost"],
    ["by name, with a resource policy that denies", "app/guarded", () => "app/ghost"],
    ["by full ARN", "", () => `${existingArn.slice(0, -6)}zzzzzz`],
    ["by partial ARN", `${arnPrefix}app/other`, () => `${arnPrefix}app/ghost`],
  ];
  for (const [label, existingId, missingId] of pairs) {
    test(`${label}: every secret operation answers the same for an existing and a missing secret`, async () => {
      for (const [operation, input] of requests) {
        const existing = existingId === "" ? existingArn : existingId;
        const missing = missingId();
        const [a, b] = await Promise.all([
          call(outsider, operation, input(existing)),
          call(outsider, operation, input(missing)),
        ]);
        // The two names differ; with the caller's names swapped, the answers must match exactly.
        const aNormalized = a.body.split(existing).join("<id>");
        const bNormalized = b.body.split(missing).join("<id>");
        assert.equal(a.status, b.status, `${operation} ${label}: status`);
        assert.deepEqual(a.headers, { ...b.headers, "content-length": a.headers["content-length"] });
        assert.equal(aNormalized, bNormalized, `${operation} ${label}`);
        assert.ok(!a.body.includes(existingArn) || existing === existingArn, `${operation}: ARN leaked`);
        if (operation === "BatchGetSecretValue") {
          assert.equal(a.status, 200);
          assert.match(a.body, /AccessDeniedException/);
        } else {
          assert.equal(a.status, 400, `${operation}: ${a.body}`);
          assert.equal(a.headers["x-amzn-errortype"], "AccessDeniedException");
          // The message names the resource as the caller wrote it, as AWS does.
          assert.ok(a.body.includes(`on resource: ${existing}`), a.body);
        }
      }
    });
  }

  test("the message of a denial names the secret as written, without the ARN's random suffix", async () => {
    const answer = await call(outsider, "GetSecretValue", { SecretId: "app/other" });
    assert.equal(
      JSON.parse(answer.body).message,
      "User: arn:aws:iam::123456789012:user/outsider is not authorized to perform: secretsmanager:GetSecretValue " +
        "on resource: app/other because no identity-based policy allows the secretsmanager:GetSecretValue action",
    );
    assert.ok(!answer.body.includes(existingArn.slice(-6)));
  });
});
