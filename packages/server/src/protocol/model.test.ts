import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { childShapeNames, loadServiceModel, operationNames, parseServiceModel, shapeNamed } from "./model.js";

describe("loadServiceModel", () => {
  it("loads the bundled Secrets Manager model once", () => {
    const model = loadServiceModel();
    assert.equal(model.metadata.targetPrefix, "secretsmanager");
    assert.equal(model.metadata.jsonVersion, "1.1");
    assert.equal(loadServiceModel(), model);
  });

  it("lists operation names sorted", () => {
    const names = operationNames(loadServiceModel());
    assert.ok(names.includes("GetSecretValue"));
    assert.ok(names.includes("BatchGetSecretValue"));
    assert.deepEqual(names, [...names].sort());
  });

  it("has no dangling shape references", () => {
    const model = loadServiceModel();
    for (const shape of Object.values(model.shapes)) {
      for (const child of childShapeNames(shape)) assert.doesNotThrow(() => shapeNamed(model, child), child);
    }
    for (const operation of Object.values(model.operations)) {
      if (operation.input) assert.equal(shapeNamed(model, operation.input.shape).type, "structure");
    }
  });

  it("refuses JSON that is not a service model", () => {
    assert.throws(() => parseServiceModel("[]"), /metadata, operations and shapes/);
    assert.throws(() => parseServiceModel('{"operations":{}}'), /metadata, operations and shapes/);
  });
});
