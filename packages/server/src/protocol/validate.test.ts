import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  CofferError,
  SerializationException,
  UnknownOperationException,
  ValidationException,
} from "../errors/catalog.js";
import { MAX_ECHOED_VALUE_LENGTH, MAX_LISTED_ISSUES } from "./messages.js";
import { loadServiceModel, operationNames, parseServiceModel } from "./model.js";
import { arbitraryForShape } from "./shape-arbitrary.test-helper.js";
import { mutationsOf } from "./shape-mutations.test-helper.js";
import { createInputValidator } from "./validate.js";

const model = loadServiceModel();
const validator = createInputValidator(model);

function inputShapeOf(operation: string): string {
  const shape = model.operations[operation]?.input?.shape;
  assert.ok(shape, `${operation} has an input shape`);
  return shape;
}

function errorOf(operation: string, input: unknown): CofferError {
  return thrownBy(() => validator.validate(operation, input));
}

function thrownBy(run: () => void): CofferError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof CofferError, `expected a CofferError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the input to be rejected");
}

/** The member paths named by a ValidationException's issues, in order. */
function issuePaths(message: string): string[] {
  return [...message.matchAll(/at '([^']*)' failed to satisfy constraint/g)].map((match) => match[1] ?? "");
}

describe("createInputValidator", () => {
  it("has a validator for every operation in the model", () => {
    assert.deepEqual([...validator.operations].sort(), operationNames(model));
    assert.equal(validator.operations.length, Object.keys(model.operations).length);
    for (const operation of operationNames(model)) {
      // Every operation rejects a non-object body, so each one really has a compiled check.
      assert.ok(errorOf(operation, []) instanceof SerializationException, operation);
    }
  });

  it("rejects an operation the model does not define", () => {
    assert.ok(errorOf("GetSecretValues", { SecretId: "x" }) instanceof UnknownOperationException);
  });

  it("accepts the smallest valid GetSecretValue", () => {
    validator.validate("GetSecretValue", { SecretId: "x" });
  });

  it("ignores members the model does not define, as AWS does", () => {
    validator.validate("GetSecretValue", { SecretId: "x", Unknown: [1, { deep: true }], secretId: 5 });
  });

  it("refuses JSON null for an optional member, naming it, as for a missing required one", () => {
    const error = errorOf("GetSecretValue", { SecretId: "x", VersionId: null, VersionStage: null });
    assert.ok(error instanceof ValidationException);
    assert.equal(
      error.message,
      "2 validation errors detected: " +
        "Value null at 'versionId' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'versionStage' failed to satisfy constraint: Member must not be null",
    );
  });

  it("refuses JSON null inside nested structures, list items and map values", () => {
    for (const [operation, input, path] of [
      ["ListSecrets", { Filters: null }, "filters"],
      ["ListSecrets", { Filters: [{ Key: "name", Values: null }] }, "filters.1.member.values"],
      ["TagResource", { SecretId: "x", Tags: [{ Key: null }] }, "tags.1.member.key"],
      ["CreateSecret", { Name: "n", AddReplicaRegions: null }, "addReplicaRegions"],
    ] as const) {
      const error = errorOf(operation, input);
      assert.ok(error instanceof ValidationException, operation);
      assert.match(error.message, new RegExp(`Value null at '${path.replaceAll(".", "\\.")}' failed`));
    }
  });

  it("reports a missing required member like AWS", () => {
    const error = errorOf("GetSecretValue", {});
    assert.ok(error instanceof ValidationException);
    assert.equal(
      error.message,
      "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null",
    );
  });

  it("lists several issues in one message, in AWS format", () => {
    const error = errorOf("ListSecrets", {
      MaxResults: 0,
      SortOrder: "up",
      Filters: [{ Key: "name", Values: ["ok", "no;"] }],
    });
    assert.ok(error instanceof ValidationException);
    assert.equal(
      error.message,
      "3 validation errors detected: " +
        "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
        "Value 'no;' at 'filters.1.member.values.2.member' failed to satisfy constraint: " +
        "Member must satisfy regular expression pattern: ^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$; " +
        "Value 'up' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]",
    );
  });

  it("echoes lists like Java's toString", () => {
    const error = errorOf("RemoveRegionsFromReplication", { SecretId: "x", RemoveReplicaRegions: [] });
    assert.match(
      error.message,
      /^1 validation error detected: Value '\[\]' at 'removeReplicaRegions' failed/,
    );
  });

  it("names wrong JSON types with the field, without echoing the value", () => {
    const error = errorOf("GetRandomPassword", { PasswordLength: "CANARY-type" });
    assert.ok(error instanceof SerializationException);
    assert.equal(error.message, "STRING_VALUE can not be converted to a Long at 'passwordLength'");
    assert.equal(
      errorOf("TagResource", { SecretId: "x", Tags: [{ Key: ["k"] }] }).message,
      "Start of list found where not expected at 'tags.1.member.key'",
    );
    assert.equal(
      errorOf("GetSecretValue", "SecretId").message,
      "STRING_VALUE can not be converted to a structure in the request body",
    );
  });

  it("prefers SerializationException over constraint issues anywhere in the input", () => {
    const error = errorOf("ListSecrets", { MaxResults: 0, SortOrder: "up", IncludePlannedDeletion: "yes" });
    assert.ok(error instanceof SerializationException);
  });

  it("requires integers to be whole numbers in range", () => {
    assert.equal(
      errorOf("ListSecrets", { MaxResults: 2.5 }).message,
      "NUMBER_VALUE can not be converted to an Integer at 'maxResults': not a whole number",
    );
    assert.ok(
      errorOf("DeleteSecret", { SecretId: "x", RecoveryWindowInDays: 2 ** 53 }) instanceof
        SerializationException,
    );
    validator.validate("DeleteSecret", { SecretId: "x", RecoveryWindowInDays: 7 });
  });

  it("counts string length in code points", () => {
    validator.validate("CreateSecret", { Name: "x", Description: "😀".repeat(2048) });
    const error = errorOf("CreateSecret", { Name: "x", Description: "😀".repeat(2049) });
    assert.match(
      error.message,
      /at 'description' failed to satisfy constraint: Member must have length less than or equal to 2048$/,
    );
  });

  it("matches patterns against the whole value, as Java's matches() does", () => {
    validator.validate("RotateSecret", { SecretId: "x", RotationRules: { Duration: "24h" } });
    assert.match(
      errorOf("RotateSecret", { SecretId: "x", RotationRules: { Duration: "x4h" } }).message,
      /'rotationRules.duration'/,
    );
  });

  it("checks blobs as strict base64 and bounds their decoded size", () => {
    validator.validate("PutSecretValue", {
      SecretId: "x",
      SecretBinary: Buffer.alloc(65536).toString("base64"),
    });
    const tooBig = errorOf("PutSecretValue", {
      SecretId: "x",
      SecretBinary: Buffer.alloc(65537).toString("base64"),
    });
    assert.equal(
      tooBig.message,
      "1 validation error detected: Value at 'secretBinary' failed to satisfy constraint: Member must have length less than or equal to 65536",
    );
    for (const bad of ["QQ", "QQ=", "Q Q=", "QQ==\n", "Q-_A", "QQ==QQ==", "===="]) {
      const error = errorOf("PutSecretValue", { SecretId: "x", SecretBinary: bad });
      assert.ok(error instanceof SerializationException, bad);
      assert.equal(
        error.message,
        "Invalid Base64 value at 'secretBinary': expected padded standard Base64 (RFC 4648 section 4)",
      );
    }
  });

  it("lists at most MAX_LISTED_ISSUES issues but counts them all", () => {
    const tags = Array.from({ length: MAX_LISTED_ISSUES + 5 }, () => ({ Key: "" }));
    const error = errorOf("TagResource", { SecretId: "x", Tags: tags });
    assert.match(error.message, new RegExp(`^${MAX_LISTED_ISSUES + 5} validation errors detected: `));
    assert.equal(issuePaths(error.message).length, MAX_LISTED_ISSUES);
  });

  it("truncates long echoed values and neutralises control characters", () => {
    const error = errorOf("CreateSecret", { Name: `${"n".repeat(600)}` });
    assert.ok(error.message.includes(`Value '${"n".repeat(MAX_ECHOED_VALUE_LENGTH)}...' at 'name'`));
    assert.ok(error.message.length < 250);
    const controls = errorOf("ListSecrets", { SortBy: "name\r\nFAKE LOG LINE" });
    assert.doesNotMatch(controls.message, /[\r\n]/);
  });

  it("never echoes a sensitive value, however it is invalid", () => {
    const canary = "CANARY-5f1e9c2a-7d4b-4e0f-9a61-secret";
    const cases: Array<[string, Record<string, unknown>]> = [
      ["CreateSecret", { Name: "x", SecretString: `${canary}${"s".repeat(65536)}` }],
      ["CreateSecret", { Name: "", SecretString: `${canary}${"s".repeat(65536)}` }],
      ["PutSecretValue", { SecretId: "x", SecretString: "", RotationToken: `${canary};` }],
      ["UpdateSecret", { SecretId: "x", SecretString: 5, SecretBinary: canary }],
      ["PutSecretValue", { SecretId: "x", SecretBinary: `${canary}!` }],
    ];
    for (const [operation, input] of cases) {
      const error = errorOf(operation, input);
      assert.ok(!error.message.includes("CANARY"), error.message);
      assert.ok(!error.message.includes("sss"), error.message);
    }
    const tooLong = errorOf("CreateSecret", { Name: "x", SecretString: `${canary}${"s".repeat(65536)}` });
    assert.equal(
      tooLong.message,
      "1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536",
    );
  });

  it("accepts every input generated from the model's shapes", () => {
    for (const operation of operationNames(model)) {
      fc.assert(
        fc.property(arbitraryForShape(model, inputShapeOf(operation)), (input) => {
          validator.validate(operation, input);
        }),
        { numRuns: 60 },
      );
    }
  });

  it("rejects each single-point mutation of a valid input, naming the broken field", () => {
    const operations = operationNames(model);
    const scenario = fc
      .constantFrom(...operations)
      .chain((operation) =>
        fc.tuple(fc.constant(operation), arbitraryForShape(model, inputShapeOf(operation))),
      );
    let checked = 0;
    fc.assert(
      fc.property(scenario, ([operation, input]) => {
        for (const mutation of mutationsOf(model, inputShapeOf(operation), input)) {
          const label = `${operation} ${mutation.path}: ${mutation.what}`;
          const error = errorOf(operation, mutation.apply(input));
          assert.equal(error.awsName, mutation.expected, `${label} → ${error.message}`);
          if (mutation.path === "") {
            assert.match(error.message, /in the request body$/, label);
          } else if (error instanceof ValidationException) {
            const paths = issuePaths(error.message);
            assert.ok(paths.length > 0, label);
            assert.ok(
              paths.every((path) => path === mutation.path),
              `${label} → ${error.message}`,
            );
          } else {
            assert.ok(error.message.includes(` at '${mutation.path}'`), `${label} → ${error.message}`);
          }
          if (mutation.sensitive) assert.doesNotMatch(error.message, /Value '/, label);
          checked++;
        }
      }),
      { numRuns: 300 },
    );
    assert.ok(checked > 1000, `only ${checked} mutations checked`);
  });
});

describe("shapes Secrets Manager inputs do not use", () => {
  // Maps, timestamps, recursion and sensitive structures only appear in outputs of this model, so a
  // small model of its own keeps the validator honest for future models.
  const synthetic = createInputValidator(
    parseServiceModel(
      JSON.stringify({
        metadata: {},
        operations: { Op: { name: "Op", input: { shape: "In" } }, NoInput: { name: "NoInput" } },
        shapes: {
          In: {
            type: "structure",
            members: {
              Labels: { shape: "Labels" },
              At: { shape: "When" },
              Tree: { shape: "Node" },
              Login: { shape: "Login" },
            },
          },
          Labels: { type: "map", key: { shape: "LabelKey" }, value: { shape: "Stages" }, max: 2 },
          LabelKey: { type: "string", min: 1, max: 8, pattern: "[a-z]+" },
          Stages: { type: "list", member: { shape: "LabelKey" }, min: 1 },
          When: { type: "timestamp" },
          Node: {
            type: "structure",
            required: ["Name"],
            members: { Name: { shape: "LabelKey" }, Children: { shape: "Nodes" } },
          },
          Nodes: { type: "list", member: { shape: "Node" } },
          Login: { type: "structure", sensitive: true, members: { User: { shape: "LabelKey" } } },
        },
      }),
    ),
  );

  it("checks map keys, values and size with 1-based entry paths", () => {
    synthetic.validate("Op", { Labels: { prod: ["a"], dev: ["b", "c"] } });
    const error = thrownBy(() => synthetic.validate("Op", { Labels: { prod: ["a"], BAD: [], ok: ["x"] } }));
    assert.equal(
      error.message,
      "3 validation errors detected: " +
        "Value '{prod=[a], BAD=[], ok=[x]}' at 'labels' failed to satisfy constraint: Member must have length less than or equal to 2; " +
        "Value 'BAD' at 'labels.2.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+; " +
        "Value '[]' at 'labels.2.value' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it("accepts epoch seconds and ISO 8601 timestamps only", () => {
    synthetic.validate("Op", { At: 1_700_000_000.5 });
    synthetic.validate("Op", { At: "2024-02-29T12:00:00.123Z" });
    synthetic.validate("Op", { At: "2024-02-29T12:00:00+02:00" });
    for (const bad of ["2024-02-29", "tomorrow", "2024-13-01T00:00:00Z"]) {
      const error = thrownBy(() => synthetic.validate("Op", { At: bad }));
      assert.ok(error instanceof SerializationException, bad);
      assert.equal(
        error.message,
        "Invalid timestamp at 'at': expected epoch seconds or an ISO 8601 date-time",
      );
    }
  });

  it("follows recursive shapes", () => {
    synthetic.validate("Op", { Tree: { Name: "a", Children: [{ Name: "b", Children: [{ Name: "c" }] }] } });
    const error = thrownBy(() =>
      synthetic.validate("Op", { Tree: { Name: "a", Children: [{ Children: [{}] }] } }),
    );
    assert.deepEqual(issuePaths(error.message), [
      "tree.children.1.member.name",
      "tree.children.1.member.children.1.member.name",
    ]);
  });

  it("does not echo values inside a sensitive structure", () => {
    const error = thrownBy(() => synthetic.validate("Op", { Login: { User: "CANARY" } }));
    assert.ok(!error.message.includes("CANARY"), error.message);
    assert.match(error.message, /Value at 'login.user' failed/);
  });

  it("accepts any object for an operation without an input shape", () => {
    synthetic.validate("NoInput", { anything: 1 });
    assert.ok(thrownBy(() => synthetic.validate("NoInput", null)) instanceof SerializationException);
  });
});
