import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UnknownOperationException } from "../errors/catalog.js";
import { loadServiceModel, operationNames, parseServiceModel } from "./model.js";
import { containsSensitive, sensitiveMembers } from "./sensitive.js";

const model = loadServiceModel();

describe("sensitiveMembers", () => {
  it("lists the secret material each Secrets Manager operation accepts", () => {
    assert.deepEqual(sensitiveMembers(model, "CreateSecret"), ["SecretBinary", "SecretString"]);
    assert.deepEqual(sensitiveMembers(model, "UpdateSecret"), ["SecretBinary", "SecretString"]);
    assert.deepEqual(sensitiveMembers(model, "PutSecretValue"), [
      "SecretBinary",
      "SecretString",
      "RotationToken",
    ]);
    assert.deepEqual(sensitiveMembers(model, "GetSecretValue"), []);
    assert.deepEqual(sensitiveMembers(model, "GetRandomPassword"), []);
  });

  it("lists exactly the top-level members whose shape is sensitive, for every operation", () => {
    for (const operation of operationNames(model)) {
      const input = model.shapes[model.operations[operation]?.input?.shape ?? ""];
      assert.equal(input?.type, "structure");
      if (input?.type !== "structure") continue;
      const expected = Object.entries(input.members)
        .filter(([, ref]) => model.shapes[ref.shape]?.sensitive === true)
        .map(([name]) => name);
      assert.deepEqual(sensitiveMembers(model, operation), expected, operation);
    }
  });

  it("describes nested, list and map positions with wire names", () => {
    const nested = parseServiceModel(
      JSON.stringify({
        metadata: {},
        operations: { Op: { name: "Op", input: { shape: "In" } } },
        shapes: {
          In: {
            type: "structure",
            members: { Items: { shape: "Items" }, ByName: { shape: "ByName" }, Plain: { shape: "Text" } },
          },
          Items: { type: "list", member: { shape: "Item" } },
          Item: { type: "structure", members: { Password: { shape: "Secret" }, User: { shape: "Text" } } },
          ByName: { type: "map", key: { shape: "Text" }, value: { shape: "Secret" } },
          Secret: { type: "string", sensitive: true },
          Text: { type: "string" },
        },
      }),
    );
    assert.deepEqual(sensitiveMembers(nested, "Op"), ["Items[].Password", "ByName{}"]);
    assert.ok(containsSensitive(nested, "In"));
    assert.ok(!containsSensitive(nested, "Text"));
  });

  it("rejects an unknown operation", () => {
    assert.throws(() => sensitiveMembers(model, "Nope"), UnknownOperationException);
  });
});
