import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "../errors.js";
import { applyProfile, chooseSources } from "./choose-sources.js";
import { parseSourceList } from "./source-list.js";

describe("parseSourceList", () => {
  it("reads COFFER_SOURCE's syntax", () => {
    assert.deepEqual(
      parseSourceList("env, files:/etc/app ,coffer:http://127.0.0.1:7373,aws:eu-west-1,dotenv,agent"),
      [
        { kind: "env" },
        { kind: "files", dir: "/etc/app" },
        { kind: "coffer", endpoint: "http://127.0.0.1:7373" },
        { kind: "aws", region: "eu-west-1" },
        { kind: "dotenv" },
        { kind: "agent" },
      ],
    );
  });

  it("refuses unknown kinds, bad URLs and empty lists", () => {
    for (const bad of ["vault", "coffer:ftp://x", "env:x", " , "]) {
      assert.throws(() => parseSourceList(bad), UsageError, bad);
    }
  });
});

describe("chooseSources", () => {
  it("leaves everything to the client library when nothing is given", () => {
    assert.equal(chooseSources(undefined, {}, { COFFER_SOURCE: "env" }), undefined);
  });

  it("applies --endpoint-url and --region to coffer sources that name no endpoint", () => {
    assert.deepEqual(
      chooseSources(
        "env,coffer,coffer:http://b:1,aws",
        { endpointUrl: "http://a:1", region: "eu-west-1" },
        {},
      ),
      [
        { kind: "env" },
        { kind: "coffer", endpoint: "http://a:1", region: "eu-west-1" },
        { kind: "coffer", endpoint: "http://b:1", region: "eu-west-1" },
        { kind: "aws", region: "eu-west-1" },
      ],
    );
  });

  it("without --source, follows the client library's defaults", () => {
    assert.deepEqual(chooseSources(undefined, { endpointUrl: "http://a:1" }, {}), [
      { kind: "coffer", endpoint: "http://a:1" },
    ]);
    assert.deepEqual(chooseSources(undefined, { region: "eu-west-1" }, {}), [
      { kind: "aws", region: "eu-west-1" },
    ]);
    assert.deepEqual(chooseSources(undefined, { region: "eu-west-1" }, { AWS_ENDPOINT_URL: "http://c:1" }), [
      { kind: "coffer", region: "eu-west-1" },
    ]);
    assert.deepEqual(chooseSources(undefined, { region: "r" }, { COFFER_SOURCE: "env,aws" }), [
      { kind: "env" },
      { kind: "aws", region: "r" },
    ]);
  });

  it("--profile sets AWS_PROFILE for the SDK's credential chain", () => {
    const before = process.env.AWS_PROFILE;
    try {
      applyProfile({ profile: "dev" });
      assert.equal(process.env.AWS_PROFILE, "dev");
    } finally {
      if (before === undefined) delete process.env.AWS_PROFILE;
      else process.env.AWS_PROFILE = before;
    }
  });
});
