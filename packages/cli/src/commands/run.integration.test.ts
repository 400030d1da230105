import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type ServerProcess, startServerProcess, testAdmin, testRegion } from "@coffer/server/testing";
import { ExitCode } from "../exit-codes.js";
import { killStartedCoffers, startCoffer } from "../testing/coffer-process.js";

const PASSWORD = "run-e2e-password-CANARY";
const API_KEY = "run-e2e-apikey-CANARY";
let server: ServerProcess;
let scratch: string;

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), "coffer-run-e2e-"));
  server = await startServerProcess();
  const sdk = new SecretsManagerClient({
    endpoint: server.url,
    region: testRegion,
    credentials: { accessKeyId: testAdmin.accessKeyId, secretAccessKey: testAdmin.secretAccessKey },
  });
  await sdk.send(
    new CreateSecretCommand({ Name: "prod/db", SecretString: JSON.stringify({ password: PASSWORD }) }),
  );
  await sdk.send(
    new CreateSecretCommand({ Name: "alpha-vantage", SecretString: JSON.stringify({ apiKey: API_KEY }) }),
  );
  sdk.destroy();
});
after(async () => {
  await killStartedCoffers();
  rmSync(scratch, { recursive: true, force: true });
  await server?.stop();
  server?.cleanup();
});

const injectBoth = ["--env", "DB_PASSWORD=prod/db#password", "--env-json", "alpha-vantage"];

describe("coffer run (a real process against a real server)", () => {
  it("runs the command with the secrets, masks them, and exits with its code", async () => {
    const script = `
      const ok = process.env.DB_PASSWORD === ${JSON.stringify(PASSWORD)} && process.env.API_KEY === ${JSON.stringify(API_KEY)};
      console.log("ok=" + ok, process.env.DB_PASSWORD, process.env.API_KEY);
      process.exit(4);
    `;
    const run = startCoffer(["run", ...injectBoth, "--", process.execPath, "-e", script], server.clientEnv);
    assert.deepEqual(await run.exited, { code: 4, signal: null }, run.stderr());
    assert.equal(run.stdout(), "ok=true *** ***\n");
    assert.doesNotMatch(run.stderr(), /CANARY/);
  });

  it("shows no AWS SDK Node-version notice, but still the command's own warnings", async () => {
    const script = 'process.emitWarning("the child\'s own warning"); console.log(process.env.API_KEY.length)';
    const run = startCoffer(["run", ...injectBoth, "--", process.execPath, "-e", script], server.clientEnv);
    assert.deepEqual(await run.exited, { code: 0, signal: null }, run.stderr());
    assert.equal(run.stdout(), `${API_KEY.length}\n`);
    assert.doesNotMatch(run.stderr(), /NodeVersionSupportWarning|AWS SDK for JavaScript/);
    assert.match(run.stderr(), /Warning: the child's own warning/);
    // The switch is set only around the SDK client's constructor: the child does not inherit it.
    const env = startCoffer(
      [
        "run",
        ...injectBoth,
        "--no-mask",
        "--",
        process.execPath,
        "-p",
        "process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? 'unset'",
      ],
      server.clientEnv,
    );
    assert.deepEqual(await env.exited, { code: 0, signal: null }, env.stderr());
    assert.equal(env.stdout(), "unset\n");
  });

  it("with --no-mask, the command writes to coffer's own stdout unchanged", async () => {
    const run = startCoffer(
      ["run", "--no-mask", ...injectBoth, "--", process.execPath, "-e", "console.log(process.env.API_KEY)"],
      server.clientEnv,
    );
    assert.deepEqual(await run.exited, { code: 0, signal: null }, run.stderr());
    assert.equal(run.stdout(), `${API_KEY}\n`);
  });

  it("starts nothing when a secret is missing, and exits 2", async () => {
    const marker = join(scratch, "started");
    const script = `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "")`;
    const run = startCoffer(
      ["run", "--env", "A=prod/db#password", "--env", "B=no/such", "--", process.execPath, "-e", script],
      server.clientEnv,
    );
    assert.deepEqual(await run.exited, { code: ExitCode.NotFound, signal: null });
    assert.match(run.stderr(), /B → no\/such/);
    assert.doesNotMatch(run.stderr(), /CANARY/);
    assert.equal(existsSync(marker), false);
  });

  it("passes SIGTERM to the command and exits with the command's code", async () => {
    const script = `
      process.on("SIGTERM", () => { console.log("child got SIGTERM"); process.exit(7); });
      console.log("ready"); setInterval(() => {}, 1000);
    `;
    const run = startCoffer(["run", ...injectBoth, "--", process.execPath, "-e", script], server.clientEnv);
    await run.waitForStdout("ready");
    run.child.kill("SIGTERM");
    assert.deepEqual(await run.exited, { code: 7, signal: null });
    assert.equal(run.stdout(), "ready\nchild got SIGTERM\n");
  });

  it("exits 128 + N when the command is killed by signal N", async () => {
    const run = startCoffer(
      ["run", "--", process.execPath, "-e", "process.kill(process.pid, 'SIGKILL')"],
      server.clientEnv,
    );
    assert.deepEqual(await run.exited, { code: 137, signal: null });
  });
});
