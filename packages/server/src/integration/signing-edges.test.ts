import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, test } from "node:test";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { adminCall } from "../testing/admin-call.js";
import { type ServerProcess, startServerProcess, testAdmin, testRegion } from "../testing/server-process.js";

/** What SigV4 must cover and what it must refuse, against a real server process. */

let server: ServerProcess;

before(async () => {
  server = await startServerProcess();
  await adminCall(
    server.url,
    "CreateSecret",
    { Name: "edge/one", SecretString: "v" },
    testAdmin,
    "secretsmanager.CreateSecret",
  );
});
after(async () => {
  await server.stop();
  server.cleanup();
});

async function signed(
  target: string,
  body: string,
  options: { unsignable?: string[]; path?: string; method?: string } = {},
): Promise<Record<string, string>> {
  const { host, hostname, port } = new URL(server.url);
  const signer = new SignatureV4({
    service: "secretsmanager",
    region: testRegion,
    credentials: testAdmin,
    sha256: Hash.bind(null, "sha256"),
  });
  const result = await signer.sign(
    {
      method: options.method ?? "POST",
      protocol: "http:",
      hostname,
      port: Number(port),
      path: options.path ?? "/",
      headers: { host, "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
      body,
    },
    options.unsignable ? { unsignableHeaders: new Set(options.unsignable) } : {},
  );
  return result.headers;
}

/** Sends headers as given: an array value goes on the wire as repeated header lines. */
function send(
  headers: Record<string, string | string[]>,
  body: string,
  path = "/",
): Promise<{ status: number; type: string | undefined; message: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: "127.0.0.1", port: server.port, method: "POST", path, headers },
      (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => {
          text += chunk.toString("utf8");
        });
        response.on("end", () => {
          const parsed = JSON.parse(text) as { message?: string; __type?: string };
          resolve({ status: response.statusCode ?? 0, type: parsed.__type, message: parsed.message ?? text });
        });
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

const getOne = JSON.stringify({ SecretId: "edge/one" });

describe("SigV4 at the server", () => {
  test("a well signed request is answered (the baseline the other cases change)", async () => {
    const headers = await signed("secretsmanager.GetSecretValue", getOne);
    assert.equal((await send(headers, getOne)).status, 200);
  });

  test("a request signed without X-Amz-Target is refused, so its target cannot be swapped", async () => {
    const headers = await signed("secretsmanager.GetSecretValue", getOne, { unsignable: ["x-amz-target"] });
    assert.doesNotMatch(headers.authorization ?? "", /x-amz-target/);
    for (const target of ["secretsmanager.GetSecretValue", "secretsmanager.DescribeSecret"]) {
      const answer = await send({ ...headers, "x-amz-target": target }, getOne);
      assert.equal(answer.status, 403);
      assert.equal(answer.type, "IncompleteSignatureException");
      assert.equal(answer.message, "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.");
    }
  });

  test("a request signed without Content-Type is refused", async () => {
    const headers = await signed("secretsmanager.GetSecretValue", getOne, { unsignable: ["content-type"] });
    const answer = await send(headers, getOne);
    assert.equal(answer.status, 403);
    assert.equal(answer.message, "'Content-Type' must be a 'SignedHeader' in the AWS Authorization.");
  });

  test("two Authorization headers are refused, whichever comes first", async () => {
    const good = await signed("secretsmanager.GetSecretValue", getOne);
    const other = await signed("secretsmanager.DescribeSecret", getOne);
    for (const pair of [
      [good.authorization ?? "", other.authorization ?? ""],
      [other.authorization ?? "", good.authorization ?? ""],
      [good.authorization ?? "", good.authorization ?? ""],
    ]) {
      const answer = await send({ ...good, authorization: pair }, getOne);
      assert.equal(answer.status, 403, answer.message);
      assert.equal(answer.type, "IncompleteSignatureException");
      assert.match(answer.message, /more than one 'authorization' header/);
    }
  });

  test("a repeated X-Amz-Date, X-Amz-Security-Token or Content-Type is refused", async () => {
    const good = await signed("secretsmanager.GetSecretValue", getOne);
    for (const [name, second] of [
      ["x-amz-date", "20200101T000000Z"],
      ["x-amz-security-token", "token"],
      ["content-type", "application/x-amz-json-1.1"],
    ] as const) {
      const value = good[name];
      const answer = await send(
        { ...good, [name]: value === undefined ? [second, second] : [value, second] },
        getOne,
      );
      assert.equal(answer.status, 403, `${name}: ${answer.message}`);
      assert.match(answer.message, new RegExp(`more than one '${name}' header`));
    }
    // A repeated X-Amz-Target is merged by Node into one unknown operation: refused before signing.
    const answer = await send({ ...good, "x-amz-target": [good["x-amz-target"] ?? "", "x"] }, getOne);
    assert.equal(answer.status, 400);
    assert.equal(answer.type, "UnknownOperationException");
  });

  test("a presigned URL gets a message saying that form is not supported", async () => {
    const query =
      "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIATESTADMIN0000001%2F20240101%2Fus-east-1" +
      "%2Fsecretsmanager%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=ab";
    const answer = await send(
      {
        host: new URL(server.url).host,
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "secretsmanager.GetSecretValue",
      },
      getOne,
      `/${query}`,
    );
    assert.equal(answer.status, 403);
    assert.equal(answer.type, "IncompleteSignatureException");
    assert.match(answer.message, /presigned URL\) authentication is not supported/);
  });
});
