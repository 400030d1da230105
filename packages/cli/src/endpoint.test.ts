import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chooseEndpoint, DEFAULT_ENDPOINT, explicitRegion } from "./endpoint.js";
import { UsageError } from "./errors.js";

describe("chooseEndpoint", () => {
  const env = { COFFER_ENDPOINT: "http://coffer.env:1" };

  it("prefers the flag, then AWS configuration, then COFFER_ENDPOINT, then the local default", () => {
    assert.deepEqual(chooseEndpoint("http://flag:1", "http://aws:1", env), {
      url: "http://flag:1",
      source: "--endpoint-url",
    });
    assert.deepEqual(chooseEndpoint(undefined, "http://aws:1", env), {
      url: "http://aws:1",
      source: "AWS configuration",
    });
    assert.deepEqual(chooseEndpoint(undefined, undefined, env), {
      url: "http://coffer.env:1",
      source: "COFFER_ENDPOINT",
    });
    assert.deepEqual(chooseEndpoint(undefined, undefined, {}), { url: DEFAULT_ENDPOINT, source: "default" });
    assert.equal(DEFAULT_ENDPOINT, "http://127.0.0.1:7373");
  });

  it("skips empty settings", () => {
    assert.equal(chooseEndpoint("", "", { COFFER_ENDPOINT: "" }).url, DEFAULT_ENDPOINT);
  });

  it("rejects something that is not an http(s) URL, naming where it came from", () => {
    assert.throws(
      () => chooseEndpoint("localhost:7373", undefined, {}),
      (error: Error) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, /endpoint from --endpoint-url must be an http:\/\/ or https:\/\/ URL/);
        return true;
      },
    );
    assert.throws(
      () => chooseEndpoint(undefined, undefined, { COFFER_ENDPOINT: "not a url" }),
      /COFFER_ENDPOINT/,
    );
  });
});

describe("explicitRegion", () => {
  it("takes --region, then AWS_REGION, then AWS_DEFAULT_REGION", () => {
    const env = { AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "eu-central-1" };
    assert.equal(explicitRegion("us-west-2", env), "us-west-2");
    assert.equal(explicitRegion(undefined, env), "eu-west-1");
    assert.equal(explicitRegion(undefined, { AWS_DEFAULT_REGION: "eu-central-1" }), "eu-central-1");
    assert.equal(explicitRegion(undefined, {}), undefined);
  });
});
