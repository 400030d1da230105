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
  const T = { connectSeconds: 3, readSeconds: 10 };
  const noProfile = async () => undefined;

  it("without --source or COFFER_SOURCE, reads Coffer at the endpoint every command uses", async () => {
    assert.deepEqual(await chooseSources(undefined, {}, {}, noProfile), [
      { kind: "coffer", endpoint: "http://127.0.0.1:7373", timeouts: T },
    ]);
    assert.deepEqual(
      await chooseSources(
        undefined,
        {},
        { COFFER_ENDPOINT: "http://a:1", AWS_ENDPOINT_URL: "http://b:2" },
        noProfile,
      ),
      [{ kind: "coffer", endpoint: "http://a:1", timeouts: T }],
    );
    assert.deepEqual(await chooseSources(undefined, {}, {}, async () => "http://profile:1"), [
      { kind: "coffer", endpoint: "http://profile:1", timeouts: T },
    ]);
  });

  it("applies --endpoint-url, --region and the time-outs to the sources that name none", async () => {
    assert.deepEqual(
      await chooseSources(
        "env,coffer,coffer:http://b:1,aws",
        { endpointUrl: "http://a:1", region: "eu-west-1", readTimeout: "5" },
        { COFFER_ENDPOINT: "http://ignored:1" },
        noProfile,
      ),
      [
        { kind: "env" },
        { kind: "coffer", endpoint: "http://a:1", region: "eu-west-1", timeouts: { ...T, readSeconds: 5 } },
        { kind: "coffer", endpoint: "http://b:1", region: "eu-west-1", timeouts: { ...T, readSeconds: 5 } },
        { kind: "aws", region: "eu-west-1", timeouts: { ...T, readSeconds: 5 } },
      ],
    );
  });

  it("takes COFFER_SOURCE when there is no --source", async () => {
    assert.deepEqual(
      await chooseSources(undefined, { region: "r" }, { COFFER_SOURCE: "env,aws" }, noProfile),
      [{ kind: "env" }, { kind: "aws", region: "r", timeouts: T }],
    );
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
