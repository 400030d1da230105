import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CofferError, SerializationException, ValidationException } from "../../errors/catalog.js";
import { loadStsModel, operationNames } from "../model.js";
import { arbitraryForShape } from "../shape-arbitrary.test-helper.js";
import { createInputValidator } from "../validate.js";
import { parseForm } from "./form.js";
import { createFormDecoder } from "./form-input.js";
import { formBody, queryFormOf } from "./query-form.test-helper.js";

const model = loadStsModel();
const decode = createFormDecoder(model);
const validator = createInputValidator(model);

function inputShapeOf(operation: string): string {
  const shape = model.operations[operation]?.input?.shape;
  assert.ok(shape, `${operation} has an input shape`);
  return shape;
}

const decodeBody = (operation: string, body: string) => decode(operation, parseForm(Buffer.from(body)));

describe("createFormDecoder (STS)", () => {
  it("decodes AssumeRole's members: strings, an integer, lists of structures and of strings", () => {
    const input = decodeBody(
      "AssumeRole",
      "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdeploy" +
        "&RoleSessionName=ci-42&DurationSeconds=900" +
        "&Tags.member.1.Key=team&Tags.member.1.Value=a+b&Tags.member.2.Key=env&Tags.member.2.Value=prod" +
        "&TransitiveTagKeys.member.1=team&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FX" +
        "&Unmodelled=ignored",
    );
    assert.deepEqual(input, {
      RoleArn: "arn:aws:iam::123456789012:role/deploy",
      RoleSessionName: "ci-42",
      DurationSeconds: 900,
      Tags: [
        { Key: "team", Value: "a b" },
        { Key: "env", Value: "prod" },
      ],
      TransitiveTagKeys: ["team"],
      PolicyArns: [{ arn: "arn:aws:iam::aws:policy/X" }],
    });
    validator.validate("AssumeRole", input);
  });

  it("reads list items in their numbered order and `Name=` as an empty list", () => {
    const input = decodeBody(
      "AssumeRole",
      "TransitiveTagKeys.member.2=b&TransitiveTagKeys.member.1=a&Tags=&RoleArn=x&RoleSessionName=y",
    );
    assert.deepEqual(input.TransitiveTagKeys, ["a", "b"]);
    assert.deepEqual(input.Tags, []);
  });

  it("leaves Action, Version and members the model lacks out of the input", () => {
    assert.deepEqual(
      decodeBody("GetCallerIdentity", "Action=GetCallerIdentity&Version=2011-06-15&Extra=1"),
      {},
    );
  });

  it("round-trips every input the model allows, for every STS action", () => {
    for (const operation of operationNames(model)) {
      fc.assert(
        fc.property(arbitraryForShape(model, inputShapeOf(operation)), fc.boolean(), (generated, plus) => {
          const input = generated as Record<string, unknown>;
          const decoded = decode(operation, parseForm(formBody(queryFormOf(model, operation, input), plus)));
          // fast-check's records have no prototype; what matters is every member and value.
          assert.deepEqual(JSON.parse(JSON.stringify(decoded)), JSON.parse(JSON.stringify(input)));
          validator.validate(operation, decoded);
        }),
        { numRuns: 40 },
      );
    }
  });

  it("refuses a value that cannot be read as its type, naming the parameter, not the value", () => {
    const cases: Array<[string, RegExp]> = [
      ["DurationSeconds=CANARY", /'DurationSeconds'.*Integer/],
      ["DurationSeconds=1.5", /'DurationSeconds'/],
      ["DurationSeconds=99999999999999999", /'DurationSeconds'/],
      ["Tags=CANARY", /list is expected at 'Tags'/],
      ["Tags.member.1.Key=a&Tags.member.3.Key=CANARY", /numbered 1 to 2/],
      ["Tags.member.0.Key=CANARY", /numbered 1 to 1/],
      ["Tags.member.01.Key=CANARY", /numbered 1 to 1/],
      ["Tags.item.1.Key=CANARY", /'Tags\.member\.N'/],
      ["RoleArn.x=CANARY", /single value is expected at 'RoleArn'/],
      ["Tags.member.1=CANARY", /structure is expected at 'Tags\.member\.1'/],
    ];
    for (const [body, message] of cases) {
      const error = thrown(() => decodeBody("AssumeRole", body));
      assert.ok(error instanceof SerializationException, `${body}: ${error}`);
      assert.match(error.message, message, body);
      assert.doesNotMatch(error.message, /CANARY/, body);
    }
  });

  it("leaves constraints to the validator: missing, too short, out of range", () => {
    const input = decodeBody("AssumeRole", "RoleSessionName=x&DurationSeconds=60&Tags.member.1.Key=k");
    const error = thrown(() => validator.validate("AssumeRole", input));
    assert.ok(error instanceof ValidationException);
    assert.match(
      error.message,
      /Value null at 'roleArn' failed to satisfy constraint: Member must not be null/,
    );
    assert.match(error.message, /'roleSessionName'.*length greater than or equal to 2/);
    assert.match(error.message, /'durationSeconds'.*value greater than or equal to 900/);
    assert.match(error.message, /'tags\.1\.member\.value'.*must not be null/);
  });

  it("never echoes the web identity token when it breaks a constraint", () => {
    const input = decodeBody("AssumeRoleWithWebIdentity", "RoleArn=a&RoleSessionName=s&WebIdentityToken=CAN");
    const error = thrown(() => validator.validate("AssumeRoleWithWebIdentity", input));
    assert.match(error.message, /at 'webIdentityToken'/);
    assert.doesNotMatch(error.message, /CAN'/);
  });

  it("turns any form into an input or a 4xx CofferError, never another throw", () => {
    const segment = fc.oneof(
      fc.constantFrom(
        "RoleArn",
        "RoleSessionName",
        "DurationSeconds",
        "Tags",
        "TransitiveTagKeys",
        "PolicyArns",
        "member",
        "entry",
        "Key",
        "Value",
        "arn",
        "ProvidedContexts",
        "ContextAssertion",
        "__proto__",
        "constructor",
        "",
      ),
      fc.constantFrom("1", "2", "0", "01", "3", "9999999999", "-1"),
      fc.string({ maxLength: 4 }),
    );
    const name = fc.array(segment, { minLength: 1, maxLength: 6 }).map((segments) => segments.join("."));
    const value = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("", "900", "-1", "1e3", "true"));
    const operation = fc.constantFrom(...operationNames(model));
    fc.assert(
      fc.property(operation, fc.array(fc.tuple(name, value), { maxLength: 12 }), (action, pairs) => {
        try {
          const input = decode(action, parseForm(formBody(dedupe(pairs))));
          validator.validate(action, input);
        } catch (error) {
          assert.ok(error instanceof CofferError, String(error));
          assert.ok(error.status >= 400 && error.status < 500, `${error.status} ${error.message}`);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

function dedupe(pairs: Array<[string, string]>): Array<[string, string]> {
  return [...new Map(pairs)];
}

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  assert.fail("expected a throw");
}
