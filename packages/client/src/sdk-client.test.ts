import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const sdkClientModule = fileURLToPath(new URL("./sdk-client.js", import.meta.url));

/** Runs `script` in a fresh Node process (the SDK warns once per process) and returns its stderr. */
function stderrOf(script: string, env: NodeJS.ProcessEnv = {}): string {
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/", ...env },
    encoding: "utf8",
  });
  assert.equal(result.status, 0, result.stderr);
  return result.stderr;
}

const major = Number(process.versions.node.split(".")[0]);

describe("createSdkClient", () => {
  it("the bare SDK prints its Node-version notice below Node 22, and only there (so the test below can fail)", () => {
    const stderr = stderrOf(
      `import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager"; new SecretsManagerClient({ region: "us-east-1" }).destroy();`,
    );
    if (major < 22) assert.match(stderr, /NodeVersionSupportWarning/);
    else assert.doesNotMatch(stderr, /NodeVersionSupportWarning/);
  });

  it("never shows the SDK's Node-version notice, keeps other warnings and leaves the environment as it was", () => {
    const stderr = stderrOf(`
      import { createSdkClient } from ${JSON.stringify(sdkClientModule)};
      import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
      createSdkClient({ region: "us-east-1" }).destroy();
      // A client the application builds itself later: the SDK's once-per-process notice is already spent.
      new SecretsManagerClient({ region: "us-east-1" }).destroy();
      if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED !== undefined) process.exit(3);
      process.emitWarning("an application's own warning");
    `);
    assert.doesNotMatch(stderr, /NodeVersionSupportWarning|AWS SDK for JavaScript/);
    assert.match(stderr, /Warning: an application's own warning/);
  });

  it("keeps a value the user set for the switch", () => {
    const stderr = stderrOf(
      `
      import { createSdkClient } from ${JSON.stringify(sdkClientModule)};
      createSdkClient({ region: "us-east-1" }).destroy();
      if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED !== "false") process.exit(3);
    `,
      { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "false" },
    );
    assert.doesNotMatch(stderr, /NodeVersionSupportWarning/);
  });
});
