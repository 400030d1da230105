import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  MalformedQueryStringException,
  MissingActionException,
  MissingParameterException,
  UnknownOperationException,
  UnsupportedMediaTypeException,
} from "../errors/catalog.js";
import { createAdminApi } from "../operations/admin/admin-api.js";
import { describeApi } from "../operations/describe-api.js";
import type { ApiDescriptor } from "../operations/operation.js";
import { createSecretsManagerApi } from "../operations/secrets-manager-api.js";
import { loadStsModel } from "../protocol/model.js";
import { frame } from "./frame.js";
import { frameQuery } from "./frame-query.js";
import type { TransportCall } from "./transport-call.js";

const handler = async () => ({});
const sts = describeApi({
  name: "sts",
  model: loadStsModel(),
  handlers: { GetCallerIdentity: handler, AssumeRoleWithWebIdentity: handler },
  resourceOf: () => () => undefined,
});
const apis: ApiDescriptor[] = [createSecretsManagerApi(), createAdminApi("123456789012"), sts];

function call(headers: Record<string, string>, method = "POST", url = "/"): TransportCall {
  return {
    method,
    url,
    headers,
    rawHeaders: Object.entries(headers).flat(),
    sourceIp: "127.0.0.1",
    readBody: () => Promise.resolve(Buffer.alloc(0)),
    discardBody: () => Promise.resolve(),
  };
}

function queryFramed(body: string, contentType = "application/x-www-form-urlencoded") {
  const pending = frame(call({ "content-type": contentType }), apis);
  assert.equal(pending.operation, undefined);
  if (pending.operation !== undefined) throw new Error("unreachable");
  return frameQuery(pending, Buffer.from(body));
}

describe("frame: AWS JSON, as before", () => {
  it("names the API and operation by X-Amz-Target, and carries no form", () => {
    for (const [target, api, operation] of [
      ["secretsmanager.GetSecretValue", "secretsmanager", "GetSecretValue"],
      ["coffer.CreateUser", "coffer", "CreateUser"],
    ]) {
      const framed = frame(
        call({ "content-type": "application/x-amz-json-1.1", "x-amz-target": target as string }),
        apis,
      );
      assert.equal(framed.api.name, api);
      assert.equal(framed.api.protocol, "awsJson1_1");
      assert.equal(framed.operation?.name, operation);
      assert.equal(framed.operation?.signed, true);
      assert.equal(framed.form, undefined);
    }
  });

  it("accepts AWS JSON 1.0 and a charset parameter, refuses other content types with 415", () => {
    const target = { "x-amz-target": "secretsmanager.ListSecrets" };
    for (const type of ["application/x-amz-json-1.0", "Application/X-Amz-Json-1.1; charset=utf-8"]) {
      assert.equal(frame(call({ ...target, "content-type": type }), apis).operation?.name, "ListSecrets");
    }
    for (const type of ["text/plain", "application/json", ""]) {
      assert.throws(
        () => frame(call({ ...target, "content-type": type }), apis),
        UnsupportedMediaTypeException,
      );
    }
  });

  it("does not reach STS through X-Amz-Target, nor Secrets Manager through a form", () => {
    assert.throws(
      () =>
        frame(
          call({ "content-type": "application/x-amz-json-1.1", "x-amz-target": "sts.GetCallerIdentity" }),
          apis,
        ),
      UnknownOperationException,
    );
    assert.throws(() => queryFramed("Action=GetSecretValue&Version=2011-06-15"), UnknownOperationException);
  });

  it("answers other methods and paths UnknownOperationException before reading anything", () => {
    assert.throws(() => frame(call({}, "GET", "/"), apis), UnknownOperationException);
    assert.throws(() => frame(call({}, "POST", "/admin"), apis), UnknownOperationException);
  });
});

describe("frame: the Query protocol", () => {
  it("knows the API from the content type (charset allowed), the operation from the body", () => {
    for (const type of [
      "application/x-www-form-urlencoded",
      "application/x-www-form-urlencoded; charset=utf-8",
    ]) {
      const framed = queryFramed("Action=GetCallerIdentity&Version=2011-06-15", type);
      assert.equal(framed.api.name, "sts");
      assert.equal(framed.api.protocol, "awsQuery");
      assert.equal(framed.api.signingName, "sts");
      assert.equal(framed.operation.name, "GetCallerIdentity");
      assert.equal(framed.operation.action, "sts:GetCallerIdentity");
      assert.equal(framed.operation.signed, true);
      assert.equal(framed.form?.get("Action"), "GetCallerIdentity");
    }
  });

  it("frames AssumeRoleWithWebIdentity as unsigned, as the model says", () => {
    const framed = queryFramed("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=x");
    assert.equal(framed.operation.signed, false);
  });

  it("refuses a missing Action, a missing or wrong Version, an unknown or unserved action", () => {
    assert.throws(() => queryFramed("Version=2011-06-15"), MissingActionException);
    assert.throws(() => queryFramed("Action=&Version=2011-06-15"), MissingActionException);
    assert.throws(() => queryFramed("Action=GetCallerIdentity"), MissingParameterException);
    assert.throws(
      () => queryFramed("Action=GetCallerIdentity&Version=2011-06-16"),
      (error: Error) =>
        error instanceof UnknownOperationException &&
        /Could not find operation GetCallerIdentity for version 2011-06-16/.test(error.message),
    );
    assert.throws(
      () => queryFramed("Action=StealCredentials&Version=2011-06-15"),
      (error: Error) =>
        error instanceof UnknownOperationException &&
        error.message === "Could not find operation StealCredentials for version 2011-06-15.",
    );
    assert.throws(
      () => queryFramed("Action=GetSessionToken&Version=2011-06-15"),
      (error: Error) =>
        error instanceof UnknownOperationException &&
        /Coffer does not serve GetSessionToken; its STS endpoint serves GetCallerIdentity, AssumeRoleWithWebIdentity/.test(
          error.message,
        ),
    );
    assert.throws(
      () => queryFramed("Action=GetCallerIdentity&Version=2011-06-15&Version=x"),
      MalformedQueryStringException,
    );
  });
});
