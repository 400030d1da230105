import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DEFAULT_COFFER_ENDPOINT, endpointFromEnvironment, resolveEndpoint } from "./endpoint.js";
import { EndpointConfigError } from "./errors.js";

const NAMES = ["COFFER_ENDPOINT", "AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_ENDPOINT_URL"] as const;

describe("endpoint precedence", () => {
  it("explicit, COFFER_ENDPOINT, AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL, profile, default — for any combination", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.record({
          COFFER_ENDPOINT: fc.boolean(),
          AWS_ENDPOINT_URL_SECRETS_MANAGER: fc.boolean(),
          AWS_ENDPOINT_URL: fc.boolean(),
        }),
        fc.boolean(),
        fc.boolean(),
        async (explicit, set, profile, ignoreAws) => {
          const env: Record<string, string> = {};
          NAMES.forEach((name, i) => {
            if (set[name]) env[name] = `http://${name.toLowerCase().replaceAll("_", "-")}:${i + 1}`;
          });
          if (ignoreAws) env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS = "true";
          const resolved = await resolveEndpoint({
            explicit: explicit ? "http://explicit:9" : undefined,
            env,
            fromProfile: async () => (profile ? "http://profile:8" : undefined),
          });
          const usable = NAMES.filter((name) => set[name] && !(ignoreAws && name !== "COFFER_ENDPOINT"));
          const expected = explicit
            ? "explicit"
            : (usable[0] ?? (profile && !ignoreAws ? "AWS profile" : "default"));
          assert.equal(resolved.source, expected);
          if (expected === "default") assert.equal(resolved.url, DEFAULT_COFFER_ENDPOINT);
          // The synchronous part (what the library's configuration reads) agrees whenever it answers.
          const sync = endpointFromEnvironment(explicit ? "http://explicit:9" : undefined, env);
          if (sync !== undefined) assert.deepEqual(sync, resolved);
        },
      ),
    );
  });

  it("names the setting that is not an http(s) URL", async () => {
    await assert.rejects(resolveEndpoint({ env: { COFFER_ENDPOINT: "ftp://x" } }), EndpointConfigError);
    assert.throws(
      () => endpointFromEnvironment(undefined, { AWS_ENDPOINT_URL: "nope" }),
      /AWS_ENDPOINT_URL: "nope"/,
    );
    await assert.rejects(
      resolveEndpoint({ env: {}, fromProfile: async () => "localhost:1" }),
      /AWS profile: "localhost:1"/,
    );
  });
});
