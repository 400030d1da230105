import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configuredSources, parseConfig, parseSourceList } from "./config.js";
import { CofferClientError } from "./errors.js";

describe("configuration", () => {
  it("defaults to coffer when an endpoint is configured, else aws", () => {
    assert.deepEqual(configuredSources(parseConfig({})), [{ kind: "aws" }]);
    for (const name of ["COFFER_ENDPOINT", "AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_ENDPOINT_URL"]) {
      const config = parseConfig({ [name]: "http://127.0.0.1:7373" });
      assert.deepEqual(configuredSources(config), [{ kind: "coffer" }], name);
      assert.equal(config.cofferEndpoint, "http://127.0.0.1:7373");
    }
  });

  it("takes the endpoint in the contract's order and honours AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", () => {
    const all = {
      COFFER_ENDPOINT: "http://a:1",
      AWS_ENDPOINT_URL_SECRETS_MANAGER: "http://b:2",
      AWS_ENDPOINT_URL: "http://c:3",
    };
    assert.equal(parseConfig(all).cofferEndpoint, "http://a:1");
    assert.equal(parseConfig({ ...all, COFFER_ENDPOINT: "" }).cofferEndpoint, "http://b:2");
    assert.equal(parseConfig({ AWS_ENDPOINT_URL: "http://c:3" }).cofferEndpoint, "http://c:3");
    assert.equal(
      parseConfig({ AWS_ENDPOINT_URL: "http://c:3", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" })
        .cofferEndpoint,
      undefined,
    );
    assert.throws(() => parseConfig({ COFFER_ENDPOINT: "ftp://x" }), CofferClientError);
    assert.throws(() => parseConfig({ COFFER_ENDPOINT: "not a url" }), CofferClientError);
  });

  it("reads COFFER_CONNECT_TIMEOUT and COFFER_READ_TIMEOUT in seconds, else 3 and 10", () => {
    assert.deepEqual(parseConfig({}).timeouts, { connectSeconds: 3, readSeconds: 10 });
    assert.deepEqual(parseConfig({ COFFER_CONNECT_TIMEOUT: "0.5", COFFER_READ_TIMEOUT: "15" }).timeouts, {
      connectSeconds: 0.5,
      readSeconds: 15,
    });
    for (const bad of ["0", "-2", "soon", "99999"]) {
      assert.throws(() => parseConfig({ COFFER_READ_TIMEOUT: bad }), /COFFER_READ_TIMEOUT/);
    }
  });

  it("reads COFFER_REPORT_METRICS as whole seconds; 0 or unset is off; anything else is refused", () => {
    assert.equal(parseConfig({}).reportMetricsSeconds, undefined);
    assert.equal(parseConfig({ COFFER_REPORT_METRICS: "0" }).reportMetricsSeconds, undefined);
    assert.equal(parseConfig({ COFFER_REPORT_METRICS: " 60 " }).reportMetricsSeconds, 60);
    assert.equal(parseConfig({ COFFER_REPORT_METRICS: "86400" }).reportMetricsSeconds, 86_400);
    for (const bad of ["1.5", "-1", "86401", "soon"]) {
      assert.throws(() => parseConfig({ COFFER_REPORT_METRICS: bad }), /COFFER_REPORT_METRICS/, bad);
    }
  });

  it("parses COFFER_SOURCE in order with arguments", () => {
    assert.deepEqual(
      parseSourceList(
        " env, files:/etc/app ,coffer:http://10.0.0.1:7373, dotenv:./app.env,agent:http://127.0.0.1:2775,aws:eu-west-1",
      ),
      [
        { kind: "env" },
        { kind: "files", dir: "/etc/app" },
        { kind: "coffer", endpoint: "http://10.0.0.1:7373" },
        { kind: "dotenv", path: "./app.env" },
        { kind: "agent", url: "http://127.0.0.1:2775" },
        { kind: "aws", region: "eu-west-1" },
      ],
    );
    assert.deepEqual(
      configuredSources(parseConfig({ COFFER_SOURCE: "files,coffer", AWS_ENDPOINT_URL: "http://x:1" })),
      [{ kind: "files" }, { kind: "coffer" }],
    );
  });

  it("rejects unknown kinds and empty lists, naming the culprit", () => {
    assert.throws(() => parseSourceList("env,vault"), /unknown source "vault"/);
    assert.throws(() => parseSourceList(" , "), CofferClientError);
    assert.throws(() => parseSourceList("env:x"), /takes no argument/);
  });

  it("reads region and agent token, preferring the specific variable", () => {
    const config = parseConfig({ AWS_DEFAULT_REGION: "eu-west-1", AWS_TOKEN: "a", COFFER_AGENT_TOKEN: "b" });
    assert.equal(config.region, "eu-west-1");
    assert.equal(config.agentToken, "b");
    assert.equal(
      parseConfig({ AWS_REGION: "us-west-2", AWS_DEFAULT_REGION: "eu-west-1" }).region,
      "us-west-2",
    );
    assert.equal(parseConfig({ AWS_TOKEN: "a" }).agentToken, "a");
  });
});
