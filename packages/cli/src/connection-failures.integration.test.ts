import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createTcpServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ExitCode } from "./exit-codes.js";
import { runCoffer } from "./testing/coffer-process.js";

// Real local servers that are not a working Coffer, and the real `coffer` process against them.
// Nothing here sends traffic outside 127.0.0.1.
let scratch: string;
const servers: Array<Server | ReturnType<typeof createTcpServer>> = [];
const held: Socket[] = [];
let silentUrl: string;
let htmlPort: number;
let gatewayUrl: string;

function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );
}

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), "coffer-conn-"));
  // Accepts the connection and never answers.
  silentUrl = `http://127.0.0.1:${await listen(createTcpServer((socket) => held.push(socket)))}`;
  // A web page, not Coffer.
  htmlPort = await listen(
    createHttpServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end("<!doctype html><html><body>Welcome to nginx!</body></html>");
    }),
  );
  // What a proxy or gateway answers when the host behind it is unreachable.
  gatewayUrl = `http://127.0.0.1:${await listen(
    createHttpServer((_request, response) => {
      response.writeHead(502, { "content-type": "text/html" });
      response.end("");
    }),
  )}`;
});
after(() => {
  for (const socket of held) socket.destroy();
  for (const server of servers) server.close();
  rmSync(scratch, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: scratch,
    AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE00",
    AWS_SECRET_ACCESS_KEY: "not-a-real-secret-key",
    AWS_REGION: "us-east-1",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: join(scratch, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(scratch, "no-credentials"),
    ...extra,
  };
}

/** Runs coffer and checks it failed with exit 4 and exactly one line on stderr, no stack, no dump. */
async function unreachable(args: string[], extra: Record<string, string> = {}) {
  const started = Date.now();
  const result = await runCoffer(args, env(extra));
  const seconds = (Date.now() - started) / 1000;
  assert.equal(result.code, ExitCode.Unreachable, `${args.join(" ")}\n${result.stderr}`);
  assert.equal(result.stdout, "");
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0] ?? "", /^error: /);
  assert.doesNotMatch(result.stderr, /\n\s+at |SyntaxError|EPROTO|openssl|UnknownError|Warning/);
  return { line: lines[0] ?? "", seconds };
}

describe("coffer against a server that accepts and never answers", () => {
  it("coffer get ends with exit 4 after --read-timeout, without a retry doubling it", async () => {
    const { line, seconds } = await unreachable([
      "--endpoint-url",
      silentUrl,
      "--read-timeout",
      "1",
      "get",
      "x",
    ]);
    assert.equal(
      line,
      `error: cannot reach Coffer at ${silentUrl}: no answer within 1 s (raise --connect-timeout / --read-timeout, or COFFER_CONNECT_TIMEOUT / COFFER_READ_TIMEOUT, in seconds)`,
    );
    assert.ok(seconds < 1.9 + 1.5, `took ${seconds} s`);
  });

  it("the admin API, coffer run and COFFER_READ_TIMEOUT do the same", async () => {
    const timeout = { COFFER_ENDPOINT: silentUrl, COFFER_READ_TIMEOUT: "1" };
    for (const args of [
      ["admin", "user", "list"],
      ["policy", "lint"],
      ["run", "--env", "X=prod/db", "--", process.execPath, "-e", ""],
    ]) {
      const { line, seconds } = await unreachable(args, timeout);
      assert.match(line, /no answer within 1 s/, args.join(" "));
      if (args[0] === "run")
        assert.equal(line, `error: cannot read secrets: coffer: no answer within 1 s (${silentUrl})`);
      assert.ok(seconds < 4, `${args.join(" ")} took ${seconds} s`);
    }
  });
});

describe("coffer against a server that takes no connection", () => {
  let listener: ChildProcess | undefined;
  let url = "";

  before(async () => {
    // A socket listening with a backlog of one that never accepts, its queue already full: the
    // kernel then drops new SYNs, as an unreachable host would — all on 127.0.0.1.
    listener = spawn("python3", [
      "-c",
      [
        "import socket, sys",
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)",
        "port = s.getsockname()[1]",
        "fill = []",
        "for _ in range(4):",
        "    c = socket.socket(); c.setblocking(False)",
        "    try: c.connect(('127.0.0.1', port))",
        "    except BlockingIOError: pass",
        "    fill.append(c)",
        "print(port, flush=True)",
        "sys.stdin.read()",
      ].join("\n"),
    ]);
    const port = await new Promise<string>((resolve, reject) => {
      listener?.stdout?.once("data", (chunk: Buffer) => resolve(chunk.toString().trim()));
      listener?.once("error", reject);
      listener?.once("exit", () => reject(new Error("python3 exited")));
    }).catch(() => undefined);
    if (port !== undefined) url = `http://127.0.0.1:${port}`;
  });
  after(() => {
    listener?.kill();
  });

  it("ends with exit 4 after --connect-timeout", async (t) => {
    if (url === "") return t.skip("python3 is not available to hold a full listen queue");
    const { line, seconds } = await unreachable([
      "--endpoint-url",
      url,
      "--connect-timeout",
      "1",
      "get",
      "x",
    ]);
    assert.match(line, /^error: cannot reach Coffer at http:\/\/127\.0\.0\.1:\d+: no connection within 1 s/);
    assert.ok(seconds < 4, `took ${seconds} s`);
    const admin = await unreachable(["admin", "user", "list"], {
      COFFER_ENDPOINT: url,
      COFFER_CONNECT_TIMEOUT: "1",
    });
    assert.match(admin.line, /no connection within 1 s/);
  });
});

describe("coffer against something that is not Coffer", () => {
  it("an HTML page: says so in one line, exit 4", async () => {
    const url = `http://127.0.0.1:${htmlPort}`;
    for (const args of [
      ["--endpoint-url", url, "get", "x"],
      ["--endpoint-url", url, "admin", "user", "list"],
    ]) {
      const { line } = await unreachable(args);
      assert.equal(
        line,
        `error: ${url} is not answering as Coffer: it answered HTTP 200 with text/html, not the AWS JSON protocol: is this a Coffer endpoint?`,
      );
    }
  });

  it("https:// against a plain HTTP server: says to use http://, exit 4", async () => {
    const url = `https://127.0.0.1:${htmlPort}`;
    for (const args of [
      ["--endpoint-url", url, "get", "x"],
      ["--endpoint-url", url, "admin", "key", "list", "someone"],
    ]) {
      const { line } = await unreachable(args);
      assert.equal(
        line,
        `error: cannot reach Coffer at ${url}: the server speaks plain HTTP, not HTTPS: use an http:// endpoint URL`,
      );
    }
  });

  it("a gateway's 502 for an unreachable host (once `Unknown: UnknownError`, exit 5): exit 4", async () => {
    const { line } = await unreachable(["--endpoint-url", gatewayUrl, "get", "x"]);
    assert.equal(
      line,
      `error: ${gatewayUrl} is not answering as Coffer: it answered HTTP 502 without an AWS error: a proxy or gateway that cannot reach the server behind it`,
    );
  });
});
