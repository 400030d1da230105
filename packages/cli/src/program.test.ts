import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { ConnectionOptions } from "./client.js";
import { ExitCode } from "./exit-codes.js";
import { type CliDependencies, runCli } from "./program.js";
import type { ServerFunctionName } from "./server-module.js";
import { fakeClient, type Responder, type SentCommand, serviceError } from "./testing/fake-client.js";
import { inputOf, MemoryOutput, ScriptedPrompter } from "./testing/memory-io.js";

interface Harness {
  deps: CliDependencies;
  sent: SentCommand[];
  stdout: MemoryOutput;
  stderr: MemoryOutput;
  connections: ConnectionOptions[];
  closed: number[];
  serverCalls: Array<[ServerFunctionName, NodeJS.ProcessEnv]>;
}

function harness(respond?: Responder): Harness {
  const { client, sent } = fakeClient(respond);
  const stdout = new MemoryOutput();
  const stderr = new MemoryOutput();
  const connections: ConnectionOptions[] = [];
  const closed: number[] = [];
  const serverCalls: Array<[ServerFunctionName, NodeJS.ProcessEnv]> = [];
  // Only passed along to the (fake) server functions; nothing is written there.
  const env = { COFFER_HOME: join(tmpdir(), "coffer-program-test-unused") };
  const deps: CliDependencies = {
    stdout,
    stderr,
    stdin: inputOf(""),
    isTTY: false,
    prompt: new ScriptedPrompter([]),
    env,
    version: "0.1.0",
    connect: async (options) => {
      connections.push(options);
      return {
        client,
        admin: async () => ({}),
        endpoint: "http://127.0.0.1:7373",
        close: () => closed.push(1),
      };
    },
    loadServer: async (name) => async (callEnv) => {
      serverCalls.push([name, callEnv]);
    },
  };
  return { deps, sent, stdout, stderr, connections, closed, serverCalls };
}

describe("coffer (command line)", () => {
  it("runs get and exits 0 with the value on stdout only", async () => {
    const h = harness(() => ({ SecretString: "hunter2" }));
    const code = await runCli(["get", "prod/db"], h.deps);
    assert.equal(code, ExitCode.Ok);
    assert.equal(h.stdout.text, "hunter2\n");
    assert.equal(h.stderr.text, "");
    assert.deepEqual(h.closed, [1]);
  });

  it("reads global options before or after the command", async () => {
    const h = harness(() => ({ SecretList: [] }));
    await runCli(
      ["--endpoint-url", "http://x:1", "list", "--region", "eu-west-1", "--profile", "dev"],
      h.deps,
    );
    assert.deepEqual(h.connections, [{ endpointUrl: "http://x:1", region: "eu-west-1", profile: "dev" }]);
  });

  it("exits 2 for a missing secret, with the AWS error on stderr", async () => {
    const h = harness(() => {
      throw serviceError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    });
    const code = await runCli(["describe", "nope"], h.deps);
    assert.equal(code, ExitCode.NotFound);
    assert.equal(h.stdout.text, "");
    assert.equal(
      h.stderr.text,
      "error: ResourceNotFoundException: Secrets Manager can't find the specified secret.\n",
    );
  });

  it("exits 4 when the server is not running", async () => {
    const h = harness(() => {
      throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:7373"), { code: "ECONNREFUSED" });
    });
    const code = await runCli(["list"], h.deps);
    assert.equal(code, ExitCode.Unreachable);
    assert.equal(
      h.stderr.text,
      "error: cannot reach Coffer at http://127.0.0.1:7373: connection refused — is `coffer serve` running?\n",
    );
  });

  it("exits 3 on bad credentials and 5 on other service errors", async () => {
    const denied = harness(() => {
      throw serviceError(
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
      );
    });
    assert.equal(await runCli(["restore", "x"], denied.deps), ExitCode.AccessDenied);
    const other = harness(() => {
      throw serviceError("InvalidRequestException", "You can't restore this secret.");
    });
    assert.equal(await runCli(["restore", "x"], other.deps), ExitCode.ServiceError);
    assert.equal(other.stderr.text, "error: InvalidRequestException: You can't restore this secret.\n");
  });

  it("exits 1 for a missing --field without printing the value", async () => {
    const h = harness(() => ({ SecretString: '{"password":"hunter2"}' }));
    const code = await runCli(["get", "prod/db", "--field", "user"], h.deps);
    assert.equal(code, ExitCode.Usage);
    assert.equal(h.stdout.text, "");
    assert.equal(h.stderr.text, 'error: secret prod/db has no field "user"\n');
  });

  it("exits 1 on usage errors, before any request", async () => {
    for (const args of [
      ["delete", "prod/db", "--recovery-days", "3"],
      ["delete", "prod/db", "--force"],
      ["get"],
      ["list", "--bogus"],
      ["frobnicate"],
    ]) {
      const h = harness();
      assert.equal(await runCli(args, h.deps), ExitCode.Usage, args.join(" "));
      assert.equal(h.sent.length, 0, args.join(" "));
      assert.notEqual(h.stderr.text, "", args.join(" "));
    }
  });

  it("collects repeated --tag and --filter options", async () => {
    const h = harness(() => ({ ARN: "arn", VersionId: "v1", SecretList: [] }));
    await runCli(["put", "x", "a=1", "--quiet", "--tag", "env=prod", "--tag", "team=core"], h.deps);
    assert.deepEqual(h.sent[0]?.input.Tags, [
      { Key: "env", Value: "prod" },
      { Key: "team", Value: "core" },
    ]);
    await runCli(["list", "--filter", "name=a", "--filter", "name=b"], h.deps);
    assert.deepEqual(h.sent[1]?.input.Filters, [{ Key: "name", Values: ["a", "b"] }]);
  });

  it("documents exit codes and the default endpoint in --help", async () => {
    const h = harness();
    assert.equal(await runCli(["--help"], h.deps), ExitCode.Ok);
    const help = h.stdout.text;
    assert.match(help, /http:\/\/127\.0\.0\.1:7373/);
    assert.match(help, /AWS_ENDPOINT_URL_SECRETS_MANAGER/);
    assert.match(help, /COFFER_ENDPOINT/);
    for (const code of [0, 1, 2, 3, 4, 5]) assert.match(help, new RegExp(`^ {2}${code} {2}\\S`, "m"));
    for (const command of [
      "serve",
      "keys",
      "put",
      "get",
      "list",
      "describe",
      "history",
      "delete",
      "restore",
    ]) {
      assert.match(help, new RegExp(`^ {2}${command}\\b`, "m"));
    }
  });

  it("prints the version", async () => {
    const h = harness();
    assert.equal(await runCli(["--version"], h.deps), ExitCode.Ok);
    assert.equal(h.stdout.text, "0.1.0\n");
  });

  it("hands serve and keys rotate to the server package with the environment, without a client", async () => {
    const h = harness();
    assert.equal(await runCli(["serve"], h.deps), ExitCode.Ok);
    assert.equal(await runCli(["keys", "rotate"], h.deps), ExitCode.Ok);
    assert.deepEqual(h.serverCalls, [
      ["serveFromEnvironment", h.deps.env],
      ["rotateMasterKey", h.deps.env],
    ]);
    assert.equal(h.connections.length, 0);
  });

  it("serve --acknowledge-audit-gap hands the server COFFER_ACKNOWLEDGE_AUDIT_GAP=1", async () => {
    const h = harness();
    assert.equal(await runCli(["serve", "--acknowledge-audit-gap"], h.deps), ExitCode.Ok);
    assert.deepEqual(h.serverCalls, [
      ["serveFromEnvironment", { ...h.deps.env, COFFER_ACKNOWLEDGE_AUDIT_GAP: "1" }],
    ]);
  });

  it("serve --store hands the server COFFER_STORE", async () => {
    const h = harness();
    const url = "postgres://coffer@127.0.0.1:5432/coffer";
    assert.equal(await runCli(["serve", "--store", url], h.deps), ExitCode.Ok);
    assert.deepEqual(h.serverCalls, [["serveFromEnvironment", { ...h.deps.env, COFFER_STORE: url }]]);
  });

  it("serve --metrics-listen hands the server COFFER_METRICS_LISTEN", async () => {
    const h = harness();
    assert.equal(await runCli(["serve", "--metrics-listen", "127.0.0.1:9464"], h.deps), ExitCode.Ok);
    assert.deepEqual(h.serverCalls, [
      ["serveFromEnvironment", { ...h.deps.env, COFFER_METRICS_LISTEN: "127.0.0.1:9464" }],
    ]);
  });

  it("reports a server failure on stderr", async () => {
    const h = harness();
    h.deps.loadServer = async () => async () => {
      throw Object.assign(new Error("COFFER_MASTER_KEY is not valid base64"), { name: "ConfigError" });
    };
    assert.equal(await runCli(["keys", "rotate"], h.deps), ExitCode.Usage);
    assert.equal(h.stderr.text, "error: COFFER_MASTER_KEY is not valid base64\n");
  });
});
