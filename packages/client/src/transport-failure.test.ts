import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { createSdkClient } from "./sdk-client.js";
import { listen } from "./testing/http-servers.js";
import { classifyTransportFailure } from "./transport-failure.js";

/** The error the real SDK client produces against `endpoint` (one attempt). */
async function sdkError(endpoint: string, timeouts?: { connectSeconds: number; readSeconds: number }) {
  const client = createSdkClient(
    {
      endpoint,
      region: "us-east-1",
      maxAttempts: 1,
      credentials: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "example" },
    },
    timeouts,
  );
  try {
    await client.send(new GetSecretValueCommand({ SecretId: "x" }));
  } catch (error) {
    return error;
  } finally {
    client.destroy();
  }
  assert.fail("the request succeeded");
}

describe("classifyTransportFailure, on the errors the real SDK produces", () => {
  const closers: Array<() => Promise<void> | void> = [];
  let html: string;
  let plainPort: number;
  let gateway: string;
  let awsError: string;

  before(async () => {
    const page = await listen((_request, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end("<html>not coffer</html>");
    });
    const bad = await listen((_request, response) => {
      response.writeHead(502, { "content-type": "text/html" });
      response.end("");
    });
    const aws = await listen((_request, response) => {
      response.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
      response.end(JSON.stringify({ __type: "ValidationException", message: "bad" }));
    });
    closers.push(page.close, bad.close, aws.close);
    html = page.url;
    plainPort = page.port;
    gateway = bad.url;
    awsError = aws.url;
  });
  after(async () => {
    for (const close of closers) await close();
  });

  it("an HTML page is not the AWS JSON protocol", async () => {
    assert.deepEqual(classifyTransportFailure(await sdkError(html)), {
      kind: "not-aws",
      reason: "it answered HTTP 200 with text/html, not the AWS JSON protocol: is this a Coffer endpoint?",
    });
  });

  it("https:// against plain HTTP (OpenSSL's EPROTO) says to use http://", async () => {
    const failure = classifyTransportFailure(await sdkError(`https://127.0.0.1:${plainPort}`));
    assert.equal(failure?.kind, "plain-http");
    assert.match(failure?.reason ?? "", /plain HTTP, not HTTPS: use an http:\/\//);
  });

  it("a gateway's bare 502 (the SDK's `Unknown: UnknownError`) is a proxy that cannot reach its host", async () => {
    const error = await sdkError(gateway);
    assert.equal((error as Error).name, "Unknown");
    assert.equal(classifyTransportFailure(error)?.kind, "not-aws");
    assert.match(
      classifyTransportFailure(error)?.reason ?? "",
      /HTTP 502 without an AWS error: a proxy or gateway/,
    );
  });

  it("a refused connection, and a real AWS error is not a transport failure", async () => {
    const refused = await listen(() => {});
    const url = refused.url;
    await refused.close();
    assert.deepEqual(classifyTransportFailure(await sdkError(url)), {
      kind: "network",
      reason: "connection refused",
    });
    assert.equal(classifyTransportFailure(await sdkError(awsError)), undefined);
  });

  it("no answer within the read time-out: a RequestTimeoutError, at once, not retried", async () => {
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const client = createSdkClient(
        {
          endpoint: `http://127.0.0.1:${port}`,
          region: "us-east-1",
          maxAttempts: 3,
          credentials: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "example" },
        },
        { connectSeconds: 1, readSeconds: 0.5 },
      );
      const error = await client.send(new GetSecretValueCommand({ SecretId: "x" })).catch((e: unknown) => e);
      client.destroy();
      assert.ok(Date.now() - started < 1400, `took ${Date.now() - started} ms: retried?`);
      assert.equal((error as Error).name, "RequestTimeoutError");
      assert.deepEqual(classifyTransportFailure(error), {
        kind: "timeout",
        reason: "no answer within 0.5 s",
      });
      assert.equal(held.length, 1, "one connection: the time-out was not retried");
    } finally {
      for (const socket of held) socket.destroy();
      silent.close();
    }
  });

  it("host and network errors Node reports (an unreachable address), also inside an AggregateError", () => {
    const unreachable = Object.assign(new Error("connect EHOSTUNREACH 192.0.2.1:7373"), {
      code: "EHOSTUNREACH",
    });
    assert.deepEqual(classifyTransportFailure(unreachable), { kind: "network", reason: "host unreachable" });
    const both = new AggregateError([
      Object.assign(new Error("connect ENETUNREACH ::1"), { code: "ENETUNREACH" }),
      unreachable,
    ]);
    assert.deepEqual(classifyTransportFailure(both), { kind: "network", reason: "network unreachable" });
    assert.equal(classifyTransportFailure(new Error("something else")), undefined);
    assert.equal(classifyTransportFailure("not an error"), undefined);
  });
});
