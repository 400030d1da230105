import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  childShapeNames,
  isUnsignedOperation,
  loadServiceModel,
  loadStsModel,
  operationNames,
  parseServiceModel,
  shapeNamed,
} from "./model.js";

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

describe("loadStsModel", () => {
  const model = loadStsModel();

  it("is botocore's STS model: the Query protocol, its XML namespace, signed as sts", () => {
    assert.equal(model.metadata.protocol, "query");
    assert.equal(model.metadata.apiVersion, "2011-06-15");
    assert.equal(model.metadata.xmlNamespace, "https://sts.amazonaws.com/doc/2011-06-15/");
    assert.equal(model.metadata.signingName ?? model.metadata.endpointPrefix, "sts");
    assert.equal(loadStsModel(), model);
  });

  it("marks AssumeRoleWithWebIdentity and AssumeRoleWithSAML unsigned, and nothing else", () => {
    const unsigned = Object.values(model.operations)
      .filter(isUnsignedOperation)
      .map((op) => op.name);
    assert.deepEqual(unsigned.sort(), ["AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"]);
  });

  it("marks the web identity token and the secret access key sensitive", () => {
    assert.equal(shapeNamed(model, "clientTokenType").sensitive, true);
    assert.equal(shapeNamed(model, "accessKeySecretType").sensitive, true);
  });

  it("has no dangling shape references", () => {
    for (const shape of Object.values(model.shapes)) {
      for (const child of childShapeNames(shape)) assert.doesNotThrow(() => shapeNamed(model, child), child);
    }
  });
});

describe("isUnsignedOperation", () => {
  it("reads Smithy's auth list and botocore's authtype", () => {
    assert.equal(isUnsignedOperation({ name: "A", auth: ["smithy.api#noAuth"] }), true);
    assert.equal(isUnsignedOperation({ name: "A", authtype: "none" }), true);
    assert.equal(isUnsignedOperation({ name: "A", auth: ["aws.auth#sigv4", "smithy.api#noAuth"] }), false);
    assert.equal(isUnsignedOperation({ name: "A" }), false);
  });
});
