import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { signWithSmithy } from "../auth/sigv4/smithySigner.test.helper.js";
import { type ServerProcess, startServerProcess, testAdmin, testRegion } from "../testing/server-process.js";

let server: ServerProcess;

before(async () => {
  server = await startServerProcess();
});
after(async () => {
  await server.stop();
  server.cleanup();
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(options: {
  method?: string;
  path?: string;
  headers: Record<string, string>;
  body?: Buffer;
}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: server.port,
        method: options.method ?? "POST",
        path: options.path ?? "/",
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(options.body ?? Buffer.alloc(0));
  });
}

async function signed(target: string, body: Buffer | string, extraHeaders: Record<string, string> = {}) {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  const signedRequest = await signWithSmithy({
    method: "POST",
    path: "/",
    headers: {
      host: `127.0.0.1:${server.port}`,
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `secretsmanager.${target}`,
      ...extraHeaders,
    },
    body: bytes,
    service: "secretsmanager",
    region: testRegion,
    accessKeyId: testAdmin.accessKeyId,
    secretAccessKey: testAdmin.secretAccessKey,
    signingDate: new Date(),
  });
  return send({ headers: signedRequest.headers as Record<string, string>, body: bytes });
}

function assertAwsError(response: RawResponse, status: number, type: string) {
  assert.equal(response.status, status, response.body);
  assert.equal(response.headers["content-type"], "application/x-amz-json-1.1");
  assert.match(String(response.headers["x-amzn-requestid"]), /^[0-9a-f-]{36}$/);
  const parsed = JSON.parse(response.body) as { __type: string; message: string };
  assert.equal(parsed.__type, type);
  assert.ok(parsed.message.length > 0);
  return parsed;
}

describe("AWS JSON 1.1 framing errors", () => {
  test("wrong content type → 415 UnsupportedMediaTypeException", async () => {
    const response = await send({
      headers: { "content-type": "text/plain", "x-amz-target": "secretsmanager.ListSecrets" },
      body: Buffer.from("{}"),
    });
    assertAwsError(response, 415, "UnsupportedMediaTypeException");
  });
  test("unknown operation → 400 UnknownOperationException", async () => {
    const response = await send({
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "secretsmanager.StealEverything",
      },
    });
    assertAwsError(response, 400, "UnknownOperationException");
  });
  test("missing target → 400 UnknownOperationException", async () => {
    const response = await send({ headers: { "content-type": "application/x-amz-json-1.1" } });
    assertAwsError(response, 400, "UnknownOperationException");
  });
  test("other paths and methods → UnknownOperationException, health check answers", async () => {
    assertAwsError(
      await send({ method: "GET", path: "/admin", headers: {} }),
      400,
      "UnknownOperationException",
    );
    for (const path of ["/health", "/ready", "/ping"]) {
      const health = await send({ method: "GET", path, headers: {} });
      assert.equal(health.status, 200, path);
    }
  });
  test("oversized body → 413 RequestEntityTooLargeException", async () => {
    const body = Buffer.alloc(300 * 1024, 0x61);
    const response = await send({
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "secretsmanager.ListSecrets" },
      body,
    });
    assertAwsError(response, 413, "RequestEntityTooLargeException");
  });
});

describe("SigV4 errors", () => {
  const base = { "content-type": "application/x-amz-json-1.1", "x-amz-target": "secretsmanager.ListSecrets" };
  test("no Authorization → 403 MissingAuthenticationTokenException", async () => {
    assertAwsError(
      await send({ headers: base, body: Buffer.from("{}") }),
      403,
      "MissingAuthenticationTokenException",
    );
  });
  test("Authorization without Signature → 403 IncompleteSignatureException", async () => {
    const response = await send({
      headers: {
        ...base,
        "x-amz-date": "20260101T000000Z",
        authorization: `AWS4-HMAC-SHA256 Credential=${testAdmin.accessKeyId}/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host;x-amz-date`,
      },
      body: Buffer.from("{}"),
    });
    assertAwsError(response, 403, "IncompleteSignatureException");
  });
  test("a body changed after signing → 403 InvalidSignatureException", async () => {
    const signedRequest = await signWithSmithy({
      method: "POST",
      path: "/",
      headers: { host: `127.0.0.1:${server.port}`, ...base },
      body: Buffer.from("{}"),
      service: "secretsmanager",
      region: testRegion,
      accessKeyId: testAdmin.accessKeyId,
      secretAccessKey: testAdmin.secretAccessKey,
      signingDate: new Date(),
      applyChecksum: false,
    });
    const response = await send({
      headers: signedRequest.headers as Record<string, string>,
      body: Buffer.from('{"MaxResults":1}'),
    });
    assertAwsError(response, 403, "InvalidSignatureException");
  });
});

describe("body errors after authentication", () => {
  test("malformed JSON → 400 SerializationException, without echoing the body", async () => {
    const response = await signed("ListSecrets", '{"MaxResults": CANARY-not-json');
    const parsed = assertAwsError(response, 400, "SerializationException");
    assert.doesNotMatch(parsed.message, /CANARY/);
  });
  test("a JSON array body → 400 SerializationException", async () => {
    assertAwsError(await signed("ListSecrets", "[]"), 400, "SerializationException");
  });
  test("a wrong JSON type → 400 SerializationException", async () => {
    assertAwsError(await signed("ListSecrets", '{"MaxResults":"ten"}'), 400, "SerializationException");
  });
  test("a missing required member → 400 ValidationException", async () => {
    const parsed = assertAwsError(await signed("GetSecretValue", "{}"), 400, "ValidationException");
    assert.match(parsed.message, /secretId/i);
  });
  test("an empty body counts as {}", async () => {
    const response = await signed("ListSecrets", "");
    assert.equal(response.status, 200, response.body);
    assert.ok(Array.isArray(JSON.parse(response.body).SecretList));
  });
  test("a successful answer carries a request id and epoch-second timestamps", async () => {
    const created = await signed("CreateSecret", JSON.stringify({ Name: "wire-ts", SecretString: "x" }));
    assert.equal(created.status, 200, created.body);
    const described = await signed("DescribeSecret", JSON.stringify({ SecretId: "wire-ts" }));
    const body = JSON.parse(described.body) as { CreatedDate: number };
    assert.equal(typeof body.CreatedDate, "number");
    assert.ok(Math.abs(body.CreatedDate - Date.now() / 1000) < 60);
    assert.match(String(described.headers["x-amzn-requestid"]), /^[0-9a-f-]{36}$/);
  });
  test("the server survives a burst of garbage and still answers", async () => {
    const garbage = [
      "{",
      "null",
      "1",
      '"x"',
      '{"SecretId":{}}',
      '{"SecretId":[1,2]}',
      "\u0000\u0001",
      "{}".repeat(1000),
    ];
    for (const body of garbage) {
      const response = await signed("GetSecretValue", body);
      assert.ok(
        response.status >= 400 && response.status < 500,
        `${body.slice(0, 20)} → ${response.status} ${response.body}`,
      );
    }
    const ok = await signed("ListSecrets", "{}");
    assert.equal(ok.status, 200);
  });
});
