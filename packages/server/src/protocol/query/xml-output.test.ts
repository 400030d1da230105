import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadStsModel, parseServiceModel } from "../model.js";
import { createXmlOutputSerializer } from "./xml-output.js";

const serialize = createXmlOutputSerializer(loadStsModel());
const requestId = "c6104cbe-af31-11e0-8154-cbc7ccf896c7";

describe("createXmlOutputSerializer (STS)", () => {
  it("writes GetCallerIdentity as STS does: the response, its result, its request id", () => {
    assert.equal(
      serialize(
        "GetCallerIdentity",
        { UserId: "AIDAEXAMPLE", Account: "123456789012", Arn: "arn:aws:iam::123456789012:user/admin" },
        requestId,
      ),
      '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' +
        "<GetCallerIdentityResult><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>" +
        "<Arn>arn:aws:iam::123456789012:user/admin</Arn></GetCallerIdentityResult>" +
        `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    );
  });

  it("writes nested structures in the model's order, timestamps as ISO 8601, and skips absent members", () => {
    const xml = serialize(
      "AssumeRoleWithWebIdentity",
      {
        Audience: "sts.amazonaws.com",
        SubjectFromWebIdentityToken: "repo:org/app:ref:refs/heads/main",
        Credentials: {
          SessionToken: "token/with+slash=",
          SecretAccessKey: "secret",
          Expiration: 1_700_000_000.5,
          AccessKeyId: "ASIAEXAMPLE000000001",
        },
        AssumedRoleUser: {
          Arn: "arn:aws:sts::123456789012:assumed-role/deploy/ci",
          AssumedRoleId: "AROAX:ci",
        },
        PackedPolicySize: 0,
        SourceIdentity: undefined,
        Provider: "https://token.actions.githubusercontent.com",
        NotInTheModel: "never written",
      },
      requestId,
    );
    assert.equal(
      xml,
      '<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>' +
        "<Credentials><AccessKeyId>ASIAEXAMPLE000000001</AccessKeyId><SecretAccessKey>secret</SecretAccessKey>" +
        "<SessionToken>token/with+slash=</SessionToken><Expiration>2023-11-14T22:13:20.500Z</Expiration></Credentials>" +
        "<SubjectFromWebIdentityToken>repo:org/app:ref:refs/heads/main</SubjectFromWebIdentityToken>" +
        "<AssumedRoleUser><AssumedRoleId>AROAX:ci</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/deploy/ci</Arn></AssumedRoleUser>" +
        "<PackedPolicySize>0</PackedPolicySize><Provider>https://token.actions.githubusercontent.com</Provider>" +
        "<Audience>sts.amazonaws.com</Audience></AssumeRoleWithWebIdentityResult>" +
        `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
    );
  });

  it("escapes every value, so none can forge an element", () => {
    const xml = serialize(
      "GetCallerIdentity",
      { UserId: "</UserId><Arn>forged</Arn>", Account: "1&2", Arn: "a\u0000b" },
      requestId,
    );
    assert.match(xml, /<UserId>&lt;\/UserId&gt;&lt;Arn&gt;forged&lt;\/Arn&gt;<\/UserId>/);
    assert.match(xml, /<Account>1&amp;2<\/Account>/);
    assert.match(xml, /<Arn>a\ufffdb<\/Arn>/);
    assert.equal(xml.match(/<Arn>/g)?.length, 1);
  });

  it("writes lists as <member> elements, maps as <entry>, booleans and blobs as text", () => {
    const model = parseServiceModel(
      JSON.stringify({
        metadata: { protocol: "query", apiVersion: "2020-01-01", xmlNamespace: "urn:x", endpointPrefix: "x" },
        operations: { List: { name: "List", output: { shape: "Out", resultWrapper: "ListResult" } } },
        shapes: {
          Out: {
            type: "structure",
            members: {
              Names: { shape: "Names" },
              Labels: { shape: "Labels" },
              Done: { shape: "Flag" },
              Data: { shape: "Bytes" },
            },
          },
          Names: { type: "list", member: { shape: "Text" } },
          Labels: { type: "map", key: { shape: "Text" }, value: { shape: "Text" } },
          Text: { type: "string" },
          Flag: { type: "boolean" },
          Bytes: { type: "blob" },
        },
      }),
    );
    const xml = createXmlOutputSerializer(model)(
      "List",
      { Names: ["a", "<b>"], Labels: { k: "v" }, Done: false, Data: Buffer.from("hi") },
      requestId,
    );
    assert.equal(
      xml,
      '<ListResponse xmlns="urn:x"><ListResult><Names><member>a</member><member>&lt;b&gt;</member></Names>' +
        "<Labels><entry><key>k</key><value>v</value></entry></Labels><Done>false</Done><Data>aGk=</Data></ListResult>" +
        `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></ListResponse>`,
    );
    const dated = serialize(
      "GetWebIdentityToken",
      { WebIdentityToken: "t", Expiration: new Date(0) },
      requestId,
    );
    assert.match(dated, /<Expiration>1970-01-01T00:00:00.000Z<\/Expiration>/);
  });

  it("throws on a value of the wrong type for its shape: a handler's bug, not an answer", () => {
    assert.throws(() => serialize("GetCallerIdentity", { UserId: 42 }, requestId), /UserId must be a string/);
    assert.throws(
      () => serialize("AssumeRole", { PackedPolicySize: "7" }, requestId),
      /PackedPolicySize must be a whole number/,
    );
    assert.throws(() => serialize("NoSuchAction", {}, requestId), /not in the service model/);
  });
});
