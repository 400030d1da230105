/**
 * Bad input always gets a 4xx, never a 500: for every operation of both APIs (Secrets Manager and
 * coffer.*), and every member path of its input at any depth (generated from the model), a request
 * that is valid except for null / "" / [] / {} at that path is refused or served, never failed.
 * A null is always refused at validation, naming the path. Runs against a real server process.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { type MemberPath, memberPaths, placeAt, ShapeSampler } from "../protocol/member-paths.test-helper.js";
import { loadAdminModel, loadServiceModel, operationNames, type ServiceModel } from "../protocol/model.js";
import { type ServerProcess, startServerProcess } from "../testing/server-process.js";
import {
  adminTarget,
  type RawResponse,
  type SignedCaller,
  secretsManagerTarget,
  signedCaller,
} from "../testing/signed-call.js";

const TARGET_SECRET = "null-target";
const TARGET_SECRET_VALUE = "null-target-value-do-not-echo";
const TARGET_USER = "null-target-user";

let server: ServerProcess;
let client: SignedCaller;

before(async () => {
  server = await startServerProcess();
  client = signedCaller(server.url, undefined, { timeoutMs: 10_000 });
  await ensureTargets();
});
after(async () => {
  client.close();
  await server.stop();
  server.cleanup();
});

async function ensureTargets(): Promise<void> {
  const restore = await client.call(
    secretsManagerTarget("RestoreSecret"),
    JSON.stringify({ SecretId: TARGET_SECRET }),
  );
  if (restore.status !== 200) {
    const created = await client.call(
      secretsManagerTarget("CreateSecret"),
      JSON.stringify({ Name: TARGET_SECRET, SecretString: TARGET_SECRET_VALUE }),
    );
    assert.equal(created.status, 200, created.body);
  }
  const user = await client.call(adminTarget("CreateUser"), JSON.stringify({ UserName: TARGET_USER }));
  assert.ok(user.status === 200 || user.type === "ResourceExistsException", user.body);
}

interface Api {
  name: string;
  model: ServiceModel;
  target: (operation: string) => string;
}

const apis: Api[] = [
  { name: "secretsmanager", model: loadServiceModel(), target: secretsManagerTarget },
  { name: "coffer", model: loadAdminModel(), target: adminTarget },
];

const REPLACEMENTS: ReadonlyArray<{ label: string; value: unknown }> = [
  { label: "null", value: null },
  { label: '""', value: "" },
  { label: "[]", value: [] },
  { label: "{}", value: {} },
];

/** Points a sampled input at things that exist, so operations get past "not found" and run. */
function aimed(input: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...input };
  if (typeof copy.SecretId === "string") copy.SecretId = TARGET_SECRET;
  if (typeof copy.UserName === "string") copy.UserName = TARGET_USER;
  // TailAuditEvents long-polls: no waiting here (a null or odd value put at this path still is).
  if (typeof copy.WaitTimeSeconds === "number") copy.WaitTimeSeconds = 0;
  return copy;
}

interface Case {
  api: Api;
  operation: string;
  path: MemberPath;
  replacement: { label: string; value: unknown };
}

function casesOf(api: Api): Case[] {
  const cases: Case[] = [];
  for (const operation of operationNames(api.model)) {
    const input = api.model.operations[operation]?.input;
    if (input === undefined) continue;
    for (const path of memberPaths(api.model, input.shape)) {
      for (const replacement of REPLACEMENTS) cases.push({ api, operation, path, replacement });
    }
  }
  return cases;
}

async function send(testCase: Case, sampler: ShapeSampler): Promise<RawResponse> {
  const { api, operation, path, replacement } = testCase;
  const inputShape = api.model.operations[operation]?.input?.shape as string;
  const base = aimed(sampler.sample(inputShape) as Record<string, unknown>);
  const input = placeAt(api.model, sampler, base, path, replacement.value);
  const response = await client
    .call(api.target(operation), JSON.stringify(input))
    .catch((error: Error) => ({ status: 0, body: error.message, type: "" }));
  // Destructive operations may have removed the targets the next cases aim at.
  if (response.status === 200 && /^Delete(Secret|User)$/.test(operation)) await ensureTargets();
  return response;
}

function describeCase(testCase: Case, response: RawResponse): string {
  const { api, operation, path, replacement } = testCase;
  return `${api.name} ${operation} ${path.awsPath}=${replacement.label}: ${response.status} ${response.body}`;
}

function checkResponse(testCase: Case, response: RawResponse): string | undefined {
  const what = describeCase(testCase, response);
  if (response.status >= 500 || response.status < 200) return `server failed: ${what}`;
  if (response.status !== 200 && response.type === "") return `error without an AWS type: ${what}`;
  if (response.body.includes(TARGET_SECRET_VALUE) && testCase.operation !== "GetSecretValue")
    return `secret value echoed: ${what}`;
  // A sampled input near its size limits may be refused before validation, for its size.
  if (testCase.replacement.value === null && response.status !== 413) {
    if (response.status !== 400 || response.type !== "ValidationException")
      return `null not refused at validation: ${what}`;
    if (!response.body.includes(`Value null at '${testCase.path.awsPath}'`))
      return `null refused without naming its path: ${what}`;
  }
  return undefined;
}

describe("null and empty values at every member path", () => {
  for (const api of apis) {
    test(`${api.name}: every operation, every path, null / "" / [] / {} gives 4xx, never 5xx`, async () => {
      const sampler = new ShapeSampler(api.model, 20261203);
      const cases = casesOf(api);
      assert.ok(cases.length > 100, `only ${cases.length} cases generated`);
      const failures: string[] = [];
      for (const testCase of cases) {
        const problem = checkResponse(testCase, await send(testCase, sampler));
        if (problem !== undefined) failures.push(problem);
      }
      assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases failed`);
    });
  }

  test("property: random operation, path, base input and odd value never gives 5xx", async () => {
    const cases = apis.flatMap(casesOf);
    const problems: string[] = [];
    await fc
      .assert(
        fc.asyncProperty(
          fc.nat({ max: cases.length - 1 }),
          fc.integer({ min: 1, max: 2 ** 30 }),
          async (index, seed) => {
            const testCase = cases[index] as Case;
            const response = await send(testCase, new ShapeSampler(testCase.api.model, seed));
            const problem = checkResponse(testCase, response);
            if (problem !== undefined) problems.push(problem);
            return problem === undefined;
          },
        ),
        { numRuns: 300, endOnFailure: true },
      )
      .catch((error: unknown) => {
        throw new Error(`${problems.join("\n")}\n${String(error).slice(0, 300)}`);
      });
  });
});

describe("regressions from the fuzzer (issue 8, defect 1)", () => {
  const named: Array<{ target: string; input: object; type: string; path?: string }> = [
    {
      target: secretsManagerTarget("TagResource"),
      input: { SecretId: TARGET_SECRET, Tags: [{}] },
      type: "InvalidParameterException",
    },
    {
      target: secretsManagerTarget("CreateSecret"),
      input: { Name: "tags-without-key", SecretString: "x", Tags: [{}] },
      type: "InvalidParameterException",
    },
    {
      target: secretsManagerTarget("CreateSecret"),
      input: { Name: "tags-value-only", SecretString: "x", Tags: [{ Value: "v" }] },
      type: "InvalidParameterException",
    },
    {
      target: secretsManagerTarget("ListSecrets"),
      input: { Filters: null },
      type: "ValidationException",
      path: "filters",
    },
    {
      target: secretsManagerTarget("BatchGetSecretValue"),
      input: { Filters: null },
      type: "ValidationException",
      path: "filters",
    },
    {
      target: secretsManagerTarget("CreateSecret"),
      input: { Name: "replicas-null", SecretString: "x", AddReplicaRegions: null },
      type: "ValidationException",
      path: "addReplicaRegions",
    },
    {
      target: secretsManagerTarget("TagResource"),
      input: { SecretId: TARGET_SECRET, Tags: [{ Key: null, Value: "v" }] },
      type: "ValidationException",
      path: "tags.1.member.key",
    },
    {
      target: secretsManagerTarget("PutSecretValue"),
      input: { SecretId: TARGET_SECRET, SecretString: null },
      type: "ValidationException",
      path: "secretString",
    },
    {
      target: adminTarget("CreateUser"),
      input: { UserName: "tags-null", Tags: [{ Key: "k", Value: null }] },
      type: "ValidationException",
      path: "tags.1.member.value",
    },
  ];
  for (const { target, input, type, path } of named) {
    test(`${target} ${JSON.stringify(input)} gives ${type}`, async () => {
      const response = await client.call(target, JSON.stringify(input));
      assert.equal(response.status, 400, response.body);
      assert.equal(response.type, type, response.body);
      if (path !== undefined)
        assert.match(response.body, new RegExp(`Value null at '${path.replaceAll(".", "\\.")}'`));
    });
  }

  test("a tag without a Value is stored with an empty Value", async () => {
    const tagged = await client.call(
      secretsManagerTarget("TagResource"),
      JSON.stringify({ SecretId: TARGET_SECRET, Tags: [{ Key: "no-value" }] }),
    );
    assert.equal(tagged.status, 200, tagged.body);
    const described = await client.call(
      secretsManagerTarget("DescribeSecret"),
      JSON.stringify({ SecretId: TARGET_SECRET }),
    );
    const { Tags } = JSON.parse(described.body) as { Tags: Array<{ Key: string; Value: string }> };
    assert.deepEqual(
      Tags.find((tag) => tag.Key === "no-value"),
      { Key: "no-value", Value: "" },
    );
  });
});
