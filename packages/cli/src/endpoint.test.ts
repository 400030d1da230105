import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chooseEndpoint, chooseTimeouts, DEFAULT_ENDPOINT, explicitRegion } from "./endpoint.js";
import { UsageError } from "./errors.js";

describe("chooseEndpoint", () => {
  const all = {
    COFFER_ENDPOINT: "http://coffer.env:1",
    AWS_ENDPOINT_URL_SECRETS_MANAGER: "http://aws.sm:2",
    AWS_ENDPOINT_URL: "http://aws.all:3",
  };
  const profile = async () => "http://profile:4";
  const noProfile = async () => undefined;

  it("takes --endpoint-url, COFFER_ENDPOINT, AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL, the profile, the default", async () => {
    assert.deepEqual(await chooseEndpoint("http://flag:0", all, profile), {
      url: "http://flag:0",
      source: "--endpoint-url",
    });
    assert.deepEqual(await chooseEndpoint(undefined, all, profile), {
      url: "http://coffer.env:1",
      source: "COFFER_ENDPOINT",
    });
    const { COFFER_ENDPOINT: _c, ...awsOnly } = all;
    assert.equal((await chooseEndpoint(undefined, awsOnly, profile)).url, "http://aws.sm:2");
    assert.equal(
      (await chooseEndpoint(undefined, { AWS_ENDPOINT_URL: "http://aws.all:3" }, profile)).url,
      "http://aws.all:3",
    );
    assert.deepEqual(await chooseEndpoint(undefined, {}, profile), {
      url: "http://profile:4",
      source: "AWS profile",
    });
    assert.deepEqual(await chooseEndpoint(undefined, {}, noProfile), {
      url: DEFAULT_ENDPOINT,
      source: "default",
    });
    assert.equal(DEFAULT_ENDPOINT, "http://127.0.0.1:7373");
  });

  it("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns off the AWS settings, not COFFER_ENDPOINT", async () => {
    const ignore = { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" };
    const { COFFER_ENDPOINT: _c, ...awsOnly } = all;
    assert.equal((await chooseEndpoint(undefined, { ...awsOnly, ...ignore }, profile)).url, DEFAULT_ENDPOINT);
    assert.equal(
      (await chooseEndpoint(undefined, { ...all, ...ignore }, profile)).url,
      "http://coffer.env:1",
    );
  });

  it("skips empty settings", async () => {
    assert.equal((await chooseEndpoint("", { COFFER_ENDPOINT: "" }, noProfile)).url, DEFAULT_ENDPOINT);
  });

  it("rejects something that is not an http(s) URL as a usage error naming where it came from", async () => {
    await assert.rejects(chooseEndpoint("localhost:7373", {}, noProfile), (error: Error) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /^--endpoint-url: "localhost:7373" must be an http:\/\/ or https:\/\/ URL/);
      return true;
    });
    await assert.rejects(
      chooseEndpoint(undefined, { COFFER_ENDPOINT: "not a url" }, noProfile),
      /COFFER_ENDPOINT/,
    );
  });
});

describe("chooseTimeouts", () => {
  it("takes the flags, then the environment, then 3 s to connect and 10 s to answer", () => {
    assert.deepEqual(chooseTimeouts({}, {}), { connectSeconds: 3, readSeconds: 10 });
    const env = { COFFER_CONNECT_TIMEOUT: "1.5", COFFER_READ_TIMEOUT: "20" };
    assert.deepEqual(chooseTimeouts({}, env), { connectSeconds: 1.5, readSeconds: 20 });
    assert.deepEqual(chooseTimeouts({ connectTimeout: "2", readTimeout: "4" }, env), {
      connectSeconds: 2,
      readSeconds: 4,
    });
  });

  it("rejects what is not a positive number of seconds", () => {
    for (const bad of ["0", "-1", "abc", "1e9"]) {
      assert.throws(() => chooseTimeouts({ readTimeout: bad }, {}), UsageError, bad);
      assert.throws(() => chooseTimeouts({}, { COFFER_CONNECT_TIMEOUT: bad }), /COFFER_CONNECT_TIMEOUT/);
    }
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
