import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { AccessDeniedError, BackendUnavailableError, type SecretsOptions } from "@coffer/client";
import { CliError } from "../errors.js";
import { ExitCode } from "../exit-codes.js";
import { type CliDependencies, runCli } from "../program.js";
import { CollectingOutput } from "../testing/collecting-output.js";
import { fakeSecretsClient } from "../testing/fake-secrets-client.js";
import { inputOf, MemoryOutput, ScriptedPrompter } from "../testing/memory-io.js";
import { type RunDependencies, type RunOptions, runRun } from "./run.js";

const secrets = {
  "prod/db": JSON.stringify({ username: "app", password: "db-PASSWORD-CANARY" }),
  "alpha-vantage": JSON.stringify({ apiKey: "av-KEY-CANARY", plan: { tier: "free" }, port: 443, on: "yes" }),
  "from-file": "file-ref-CANARY",
  "from-env": "env-ref-CANARY",
};
const scratch = mkdtempSync(join(tmpdir(), "coffer-run-cmd-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

function setup(
  options: { env?: NodeJS.ProcessEnv; fail?: (id: string) => Error | undefined; outputFile?: string } = {},
) {
  const fake = fakeSecretsClient(secrets, options.fail);
  const stdout = new CollectingOutput();
  const stderr = new CollectingOutput();
  const opened: SecretsOptions[] = [];
  const signals = new EventEmitter();
  const deps: RunDependencies = {
    env: options.env ?? { PATH: process.env.PATH ?? "" },
    stdout,
    stderr,
    connection: {},
    openSecrets: (secretsOptions) => {
      opened.push(secretsOptions);
      return fake.client;
    },
    inherit: ["ignore", "ignore", "ignore"],
    signals,
  };
  return { deps, fake, stdout, stderr, opened, signals };
}

const masked: RunOptions = { mask: true };
const node = (script: string) => [process.execPath, "-e", script];
/** The child prints these variables as JSON: masked output shows which were set, and to what when unmasked. */
const printEnv = (...names: string[]) =>
  node(
    `console.log(JSON.stringify(Object.fromEntries(${JSON.stringify(names)}.map((n) => [n, process.env[n] ?? null]))))`,
  );

describe("coffer run", () => {
  it("puts --env, --env-json and coffer:// references of the environment and --env-file in the child's environment", async () => {
    const envFile = join(scratch, "app.env");
    writeFileSync(envFile, "FROM_FILE=coffer://from-file\nPLAIN=hello world\n");
    const out = join(scratch, "env.json");
    const fd = openSync(out, "w");
    const { deps, fake, opened } = setup({
      env: {
        PATH: process.env.PATH ?? "",
        FROM_ENV: "coffer://from-env",
        COFFER_ENDPOINT: "http://c.test:1",
      },
    });
    deps.inherit = ["ignore", fd, fd];
    try {
      const code = await runRun(
        printEnv(
          "DB_PASSWORD",
          "AV_API_KEY",
          "AV_PLAN",
          "AV_PORT",
          "AV_ON",
          "FROM_FILE",
          "FROM_ENV",
          "PLAIN",
        ),
        {
          mask: false,
          env: ["DB_PASSWORD=prod/db#password"],
          envJson: ["alpha-vantage"],
          prefix: "AV_",
          envFile,
        },
        deps,
      );
      assert.equal(code, 0);
    } finally {
      closeSync(fd);
    }
    assert.deepEqual(JSON.parse(readFileSync(out, "utf8")), {
      DB_PASSWORD: "db-PASSWORD-CANARY",
      AV_API_KEY: "av-KEY-CANARY",
      AV_PLAN: '{"tier":"free"}',
      AV_PORT: "443",
      AV_ON: "yes",
      FROM_FILE: "file-ref-CANARY",
      FROM_ENV: "env-ref-CANARY",
      PLAIN: "hello world",
    });
    // Without --source, Coffer at the endpoint every other command uses.
    assert.deepEqual(opened, [
      {
        sources: [
          { kind: "coffer", endpoint: "http://c.test:1", timeouts: { connectSeconds: 3, readSeconds: 10 } },
        ],
        changeFeed: false,
      },
    ]);
    assert.equal(fake.closed(), true, "the client is closed before the child runs");
  });

  it("masks every injected value in the child's stdout and stderr by default", async () => {
    const { deps, stdout, stderr } = setup();
    const script = `
      console.log("db:", process.env.DB_PASSWORD, "key:", process.env.API_KEY);
      console.error("err:", JSON.stringify({ p: process.env.DB_PASSWORD }));
    `;
    const code = await runRun(
      node(script),
      { ...masked, env: ["DB_PASSWORD=prod/db#password"], envJson: ["alpha-vantage"] },
      deps,
    );
    assert.equal(code, 0);
    assert.equal(stdout.text, "db: *** key: ***\n");
    assert.equal(
      stderr.text,
      'coffer run: not masking ON, PORT (shorter than 4 characters)\nerr: {"p":"***"}\n',
    );
  });

  it("stops before starting the command when a secret is missing: exit 2, every missing one named", async () => {
    const marker = join(scratch, "started");
    const { deps, fake } = setup();
    const run = runRun(
      node(`require("node:fs").writeFileSync(${JSON.stringify(marker)}, "x")`),
      { ...masked, env: ["A=nope/one", "B=prod/db#password", "C=coffer://nope/two"] },
      deps,
    );
    await assert.rejects(run, (error: Error) => {
      assert.ok(error instanceof CliError);
      assert.equal(error.exitCode, ExitCode.NotFound);
      assert.match(error.message, /A → nope\/one/);
      assert.match(error.message, /C → coffer:\/\/nope\/two/);
      assert.doesNotMatch(error.message, /CANARY/);
      return true;
    });
    assert.equal(existsSync(marker), false);
    assert.equal(fake.closed(), true);
  });

  it("exits 3 when access is denied and 4 when the backend is unreachable", async () => {
    const fail = (id: string) =>
      id === "denied"
        ? new AccessDeniedError("coffer", "AccessDeniedException: no")
        : id === "down"
          ? new BackendUnavailableError("coffer", "connect ECONNREFUSED")
          : undefined;
    const cases: Array<[Partial<RunOptions>, ExitCode]> = [
      [{ env: ["A=denied"] }, ExitCode.AccessDenied],
      [{ env: ["A=down", "B=nope"] }, ExitCode.Unreachable],
      [{ envJson: ["down"] }, ExitCode.Unreachable],
      [{ envJson: ["nope"] }, ExitCode.NotFound],
      [{ envJson: ["from-file"] }, ExitCode.Usage],
    ];
    for (const [options, exitCode] of cases) {
      const { deps } = setup({ fail });
      await assert.rejects(
        runRun(node("0"), { ...masked, ...options }, deps),
        (error: Error) => error instanceof CliError && error.exitCode === exitCode,
        JSON.stringify(options),
      );
    }
  });

  it("needs no backend when there is nothing to resolve", async () => {
    const { deps, opened } = setup();
    assert.equal(await runRun(node("process.exit(9)"), masked, deps), 9);
    assert.deepEqual(opened, []);
  });

  it("forwards signals to the child and exits with its code", async () => {
    const { deps, stdout, signals } = setup();
    const exit = runRun(
      node(`process.on("SIGTERM", () => { console.log("bye", process.env.T); process.exit(12); });
            console.log("ready"); setInterval(() => {}, 1000);`),
      { ...masked, env: ["T=from-env"] },
      deps,
    );
    await stdout.waitFor("ready");
    signals.emit("SIGTERM");
    assert.equal(await exit, 12);
    assert.equal(stdout.text, "ready\nbye ***\n");
  });

  it("refuses a missing command and bad --env before reading anything", async () => {
    const { deps, opened } = setup();
    await assert.rejects(runRun([], masked, deps), /needs a command after --/);
    await assert.rejects(
      runRun(node("0"), { ...masked, env: ["bad name=x"] }, deps),
      /not a valid environment variable name/,
    );
    await assert.rejects(
      runRun(node("0"), { ...masked, envFile: join(scratch, "absent.env") }, deps),
      /ENOENT/,
    );
    assert.deepEqual(opened, []);
  });
});

describe("coffer run through the command line", () => {
  function cliDeps(): CliDependencies & { stderr: MemoryOutput } {
    return {
      stdout: new MemoryOutput(),
      stderr: new MemoryOutput(),
      stdin: inputOf(""),
      isTTY: false,
      prompt: new ScriptedPrompter([]),
      env: { PATH: process.env.PATH ?? "" },
      version: "0.1.0",
      connect: async () => {
        throw new Error("coffer run must not use the SDK connection");
      },
      loadServer: async () => {
        throw new Error("coffer run must not load the server");
      },
    };
  }

  it("exits with the child's exit code, taking everything after -- as the command", async () => {
    const code = await runCli(
      ["run", "--", process.execPath, "-e", "process.exit(Number(process.argv[1]))", "23"],
      cliDeps(),
    );
    assert.equal(code, 23);
  });

  it("exits 1 on usage errors", async () => {
    for (const args of [
      ["run"],
      ["run", "--env", "NOEQUALS", "--", "true"],
      ["run", "--source", "vault", "--env", "A=b", "--", "true"],
    ]) {
      const deps = cliDeps();
      assert.equal(await runCli(args, deps), ExitCode.Usage, args.join(" "));
      assert.notEqual(deps.stderr.text, "");
    }
  });
});
