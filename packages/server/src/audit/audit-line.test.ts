import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { loadAdminModel, loadServiceModel, parseServiceModel, type ServiceModel } from "../protocol/model.js";
import { createAuditLineBuilder } from "./audit-line.js";
import { type AuditEventInput, createAuditEventBuilder } from "./build-event.js";
import { canonicalJson } from "./canonical-json.js";
import { ALWAYS_HIDDEN_MEMBERS } from "./redact-request.js";

/** A model with what the bundled ones lack: recursion, maps, two wire names for one CloudTrail name. */
const oddModel = parseServiceModel(
  JSON.stringify({
    metadata: {},
    operations: {
      Op: { name: "Op", input: { shape: "In" } },
      NoInput: { name: "NoInput" },
      Hidden: { name: "Hidden", input: { shape: "Secret" } },
    },
    shapes: {
      In: {
        type: "structure",
        members: {
          Items: { shape: "Items" },
          ByName: { shape: "ByName" },
          Plain: { shape: "Text" },
          ARN: { shape: "Text" },
          Arn: { shape: "Secret" },
          Tree: { shape: "Node" },
          Count: { shape: "Count" },
          Flag: { shape: "Flag" },
          SecretString: { shape: "Text" },
        },
      },
      Items: { type: "list", member: { shape: "Item" } },
      Item: { type: "structure", members: { Pin: { shape: "Secret" }, User: { shape: "Text" } } },
      ByName: { type: "map", key: { shape: "Text" }, value: { shape: "Item" } },
      Secret: { type: "string", sensitive: true },
      Text: { type: "string" },
      Count: { type: "integer" },
      Flag: { type: "boolean" },
      Node: { type: "structure", members: { Child: { shape: "Node" }, Label: { shape: "Text" } } },
    },
  }),
);

const models: Array<[string, ServiceModel]> = [
  ["secretsmanager", loadServiceModel()],
  ["coffer", loadAdminModel()],
  ["odd", oddModel],
];

const text = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 2040, maxLength: 2060 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "",
      "\u2028",
      "\ud800",
      '"\\\n',
      "__proto__",
      "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbC123",
    ),
  },
);

/** A value shaped after a model shape most of the time, and anything at all sometimes. */
function valueFor(model: ServiceModel, shapeName: string, depth: number): fc.Arbitrary<unknown> {
  const shape = model.shapes[shapeName];
  const anything = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(null), fc.constant(-0));
  if (shape === undefined || depth > 4) return anything;
  let typed: fc.Arbitrary<unknown>;
  switch (shape.type) {
    case "structure": {
      const members = Object.entries(shape.members);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, ref] of members) record[name] = valueFor(model, ref.shape, depth + 1);
      typed = fc.record(record, { requiredKeys: [] });
      typed = fc
        .tuple(
          typed,
          fc.dictionary(fc.constantFrom("Unmodelled", ...ALWAYS_HIDDEN_MEMBERS), text, { maxKeys: 2 }),
        )
        .map(([known, extra]) => ({ ...extra, ...(known as object) }));
      break;
    }
    case "list":
      typed = fc.oneof(
        { weight: 5, arbitrary: fc.array(valueFor(model, shape.member.shape, depth + 1), { maxLength: 3 }) },
        { weight: 1, arbitrary: fc.array(fc.string({ maxLength: 2 }), { minLength: 99, maxLength: 103 }) },
      );
      break;
    case "map":
      typed = fc.dictionary(text, valueFor(model, shape.value.shape, depth + 1), { maxKeys: 3 });
      break;
    case "integer":
    case "long":
      typed = fc.oneof(fc.integer(), fc.double());
      break;
    case "boolean":
      typed = fc.boolean();
      break;
    default:
      typed = text;
  }
  return fc.oneof({ weight: 8, arbitrary: typed }, { weight: 1, arbitrary: anything });
}

const arnText = fc.constantFrom(
  "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbC123",
  "arn:aws:secretsmanager:us-east-1::secret:x",
  "not-an-arn",
);

function inputFor(model: ServiceModel): fc.Arbitrary<AuditEventInput> {
  const names = Object.keys(model.operations);
  const operation = fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(...names) },
    { weight: 1, arbitrary: text },
  );
  return operation.chain((op) =>
    fc.record({
      operation: fc.constant(op),
      region: text,
      accountId: fc.constantFrom("123456789012", "", "\u00e9"),
      caller: fc.option(
        fc.record({
          accessKeyId: text,
          principal: fc.oneof(
            text,
            fc.constantFrom(
              "arn:aws:iam::123456789012:user/ops/alice",
              "arn:aws:sts::123456789012:assumed-role/r/s",
              "arn:aws:iam::1:root",
            ),
          ),
        }),
        { nil: undefined },
      ),
      attemptedAccessKeyId: fc.option(fc.oneof(text, fc.constant("AKIAEXAMPLE1234")), { nil: undefined }),
      sourceIp: fc.oneof(text, fc.constantFrom("::ffff:10.0.0.7", "::1", "::ffff:abc")),
      userAgent: fc.option(text, { nil: undefined }),
      request: fc.oneof(
        {
          weight: 8,
          arbitrary: model.operations[op]?.input
            ? valueFor(model, model.operations[op].input.shape, 0)
            : fc.jsonValue({ maxDepth: 2 }),
        },
        { weight: 1, arbitrary: fc.record({ SecretId: fc.oneof(arnText, text) }) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
      ),
      result: fc.oneof(
        fc.record({
          response: fc.oneof(
            fc.record(
              {
                ARN: fc.oneof(arnText, text, fc.integer()),
                Name: fc.oneof(text, fc.integer()),
                VersionId: text,
                VersionStages: fc.oneof(
                  fc.array(text, { maxLength: 3 }),
                  fc.array(fc.jsonValue(), { maxLength: 2 }),
                ),
                SecretString: text,
                SecretValues: fc.array(
                  fc.oneof(fc.record({ ARN: fc.oneof(arnText, text) }), fc.jsonValue()),
                  { maxLength: 3 },
                ),
              },
              { requiredKeys: [] },
            ),
            fc.jsonValue({ maxDepth: 1 }),
          ),
        }),
        fc.record({ error: fc.record({ awsName: text, message: text }) }),
        fc.constant({ intent: true as const }),
      ),
      requestId: text,
      time: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      eventId: fc.option(fc.uuid(), { nil: undefined }),
      durationMs: fc.option(
        fc.oneof(
          fc.double({ min: 0, max: 1e7, noNaN: true }),
          fc.constantFrom(-0, -1, Number.NaN, Number.POSITIVE_INFINITY, 0.001, 12.5),
        ),
        { nil: undefined },
      ),
    }),
  ) as fc.Arbitrary<AuditEventInput>;
}

function arnOf(name: string): string {
  return `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbC123`;
}

describe("createAuditLineBuilder", () => {
  for (const [name, model] of models) {
    it(`writes exactly canonicalJson(the reference builder's event) for random calls (${name})`, () => {
      const line = createAuditLineBuilder(model);
      const reference = createAuditEventBuilder(model);
      fc.assert(
        fc.property(inputFor(model), (raw) => {
          const input = { ...raw, eventId: raw.eventId ?? "00000000-0000-4000-8000-000000000000" };
          assert.equal(line(input), canonicalJson(reference(input)));
        }),
        { numRuns: name === "odd" ? 1000 : 600 },
      );
    });
  }

  it("writes exactly the reference line through its caches: callers, times, regions, agents and ARNs that repeat", () => {
    // One builder for a whole sequence, drawn from small pools, so every cache both hits and misses:
    // callers interleaved, a key whose principal changes, times back and forth across second
    // boundaries, the same ARN answered again.
    const model = loadServiceModel();
    const line = createAuditLineBuilder(model);
    const reference = createAuditEventBuilder(model);
    const accessKeys = ["AKIAEXAMPLE0000001", "AKIAEXAMPLE0000002"];
    const principals = [
      "arn:aws:iam::123456789012:user/ops/alice",
      "arn:aws:iam::123456789012:user/bob",
      "arn:aws:sts::123456789012:assumed-role/r/s",
      "arn:aws:iam::1:root",
    ];
    const secondBoundary = 1_767_225_600_000;
    const call = fc.record({
      operation: fc.constantFrom("GetSecretValue", "DescribeSecret", "PutSecretValue", "NoSuchOperation"),
      region: fc.constantFrom("us-east-1", "eu-west-1", '"\n'),
      accountId: fc.constantFrom("123456789012", "210987654321"),
      caller: fc.option(
        fc.record({ accessKeyId: fc.constantFrom(...accessKeys), principal: fc.constantFrom(...principals) }),
        { nil: undefined, freq: 5 },
      ),
      attemptedAccessKeyId: fc.option(fc.constantFrom(...accessKeys, "bad key"), { nil: undefined }),
      sourceIp: fc.constantFrom("::ffff:10.0.0.7", "10.0.0.7", "::1", "::ffff:abc"),
      userAgent: fc.option(fc.constantFrom("aws-sdk-js/3", "boto3/1.35", "\u2028"), { nil: undefined }),
      request: fc.record({ SecretId: fc.constantFrom("prod/db", arnOf("prod/db")) }),
      result: fc.oneof(
        fc.record({
          response: fc.record(
            {
              ARN: fc.constantFrom(arnOf("prod/db"), arnOf("other"), "not-an-arn"),
              Name: fc.constantFrom("prod/db", "other"),
              VersionStages: fc.constant(["AWSCURRENT"]),
              SecretValues: fc.constant([{ ARN: arnOf("listed") }]),
            },
            { requiredKeys: ["ARN"] },
          ),
        }),
        fc.record({ error: fc.record({ awsName: fc.constant("ResourceNotFoundException"), message: text }) }),
        fc.constant({ intent: true as const }),
      ),
      requestId: fc.uuid(),
      time: fc.oneof(
        fc.integer({ min: secondBoundary - 1500, max: secondBoundary + 1500 }),
        fc.constantFrom(0, -1, -1000, -1001, 8.64e15, -8.64e15),
        fc.integer({ min: 0, max: 2000 }).map((ms) => new Date(secondBoundary + ms)),
      ),
      eventId: fc.uuid(),
    });
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 40 }), (calls) => {
        for (const input of calls) {
          assert.equal(line(input as AuditEventInput), canonicalJson(reference(input as AuditEventInput)));
        }
      }),
      { numRuns: 200 },
    );
  });

  it("refuses a time a Date cannot hold, as the reference does", () => {
    const line = createAuditLineBuilder(loadServiceModel());
    const input: AuditEventInput = {
      operation: "GetSecretValue",
      region: "eu-west-1",
      accountId: "123456789012",
      caller: undefined,
      sourceIp: "::1",
      userAgent: undefined,
      request: {},
      result: { intent: true },
      requestId: "r",
      time: 8.64e15,
    };
    line(input); // the last representable millisecond is written
    assert.throws(() => line({ ...input, time: 8.64e15 + 1 }), RangeError);
    assert.throws(() => line({ ...input, time: -8.64e15 - 1 }), RangeError);
  });

  it("writes a random event id when none is given", () => {
    const line = createAuditLineBuilder(loadServiceModel());
    const input: AuditEventInput = {
      operation: "GetSecretValue",
      region: "eu-west-1",
      accountId: "123456789012",
      caller: undefined,
      sourceIp: "::1",
      userAgent: undefined,
      request: {},
      result: { intent: true },
      requestId: "r",
      time: 0,
    };
    const ids = [line(input), line(input)].map((json) => (JSON.parse(json) as { eventID: string }).eventID);
    assert.match(ids[0] ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(ids[0], ids[1]);
  });

  it("writes a GetSecretValue line without the secret value", () => {
    const line = createAuditLineBuilder(loadServiceModel())({
      operation: "GetSecretValue",
      region: "eu-west-1",
      accountId: "123456789012",
      caller: { accessKeyId: "AKIAEXAMPLE1234567", principal: "arn:aws:iam::123456789012:user/ops/alice" },
      sourceIp: "::ffff:10.0.0.7",
      userAgent: "aws-sdk-js/3",
      request: { SecretId: "prod/db" },
      result: { response: { ARN: "a", Name: "prod/db", SecretString: "canary-7f3a9c" } },
      requestId: "req-1",
      time: 0,
      eventId: "e",
    });
    assert.ok(!line.includes("canary-7f3a9c"));
    assert.match(line, /^\{"awsRegion":"eu-west-1",.*"requestParameters":\{"secretId":"prod\/db"\}/);
  });
});
