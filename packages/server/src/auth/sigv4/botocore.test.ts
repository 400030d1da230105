/**
 * Our verifier against a second independent signer: botocore, the signer of the AWS CLI and boto3,
 * run in a python3 child process. Skipped (with the reason printed) when python3 or botocore is
 * missing, except on CI, where that is a failure.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { it } from "node:test";
import { requireTool } from "../../testing/real-clients.js";
import { createSigV4Verifier } from "./verify.js";

const SIGN_WITH_BOTOCORE = `
import base64, json, sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

signed = []
for case in json.load(sys.stdin):
    request = AWSRequest(method=case["method"], url=case["url"], data=base64.b64decode(case["body"]),
                         headers=case["headers"])
    credentials = Credentials(case["accessKeyId"], case["secretAccessKey"], case.get("sessionToken"))
    SigV4Auth(credentials, case["service"], case["region"]).add_auth(request)
    signed.append({name.lower(): value for name, value in request.headers.items()})
json.dump(signed, sys.stdout)
`;

interface BotocoreCase {
  method: string;
  /** Path and query as they go on the wire. */
  target: string;
  headers: Record<string, string>;
  body: string;
  region: string;
  sessionToken?: string;
}

const ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

const cases: BotocoreCase[] = [
  {
    method: "POST",
    target: "/",
    headers: {
      Host: "localhost:4566",
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": "secretsmanager.GetSecretValue",
    },
    body: '{"SecretId":"prod/db"}',
    region: "us-east-1",
  },
  {
    method: "GET",
    target: "/some%20dir/./x/../file~name.json?b=2&a=%2Fslash&a=1&flag&sp=a%20b",
    headers: { Host: "localhost:4566", "X-Custom": "  spaced    value  " },
    body: "",
    region: "eu-west-3",
    sessionToken: "FwoGZXIvYXdzEXAMPLETOKEN",
  },
  {
    method: "PUT",
    target: "/caf%C3%A9/%E2%82%AC",
    headers: { Host: "coffer.internal", "Content-Type": "application/octet-stream" },
    body: "\u00ff\u0000binary",
    region: "local",
  },
];

// boto3 brings botocore; the shared finder knows where CI installs it and skips (printing why) only outside CI.
const { skip, python } = requireTool("boto3");

it("accepts requests signed by botocore (the AWS CLI's signer)", { skip }, () => {
  const input = cases.map((c) => ({
    method: c.method,
    url: `http://${c.headers.Host}${c.target}`,
    headers: c.headers,
    body: Buffer.from(c.body, "latin1").toString("base64"),
    service: "secretsmanager",
    region: c.region,
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET,
    ...(c.sessionToken === undefined ? {} : { sessionToken: c.sessionToken }),
  }));
  const run = spawnSync(python, ["-c", SIGN_WITH_BOTOCORE], {
    input: JSON.stringify(input),
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  const signedHeaders = JSON.parse(run.stdout) as Array<Record<string, string>>;

  // botocore signs with the real clock, so the verifier uses it too.
  const verifier = createSigV4Verifier({ service: "secretsmanager" });
  cases.forEach((c, index) => {
    const headers = signedHeaders[index];
    assert.ok(headers !== undefined);
    // As Node would deliver them: names lower-cased (done above), values trimmed.
    for (const name of Object.keys(headers)) headers[name] = (headers[name] ?? "").trim();
    const verified = verifier.verify(
      { method: c.method, rawUrl: c.target, headers, body: Buffer.from(c.body, "latin1") },
      { secretFor: (id) => (id === ACCESS_KEY_ID ? SECRET : undefined) },
    );
    assert.equal(verified.region, c.region);
    assert.equal(verified.sessionToken, c.sessionToken);

    const tampered = {
      method: c.method,
      rawUrl: c.target,
      headers,
      body: Buffer.from(`${c.body} `, "latin1"),
    };
    assert.throws(() => verifier.verify(tampered, { secretFor: () => SECRET }), /signature we calculated/);
  });
});
