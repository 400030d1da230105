/**
 * Every way a request can fail verification, each with the error class and message AWS would use.
 * Requests are signed by the AWS SDK's signer, then tampered with.
 */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { describe, it } from "node:test";
import {
  IncompleteSignatureException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  UnrecognizedClientException,
} from "../../errors/catalog.js";
import { type SmithySigningInput, signWithSmithy } from "./smithySigner.test.helper.js";
import type { CredentialLookup, IncomingSignedRequest } from "./types.js";
import { createSigV4Verifier } from "./verify.js";

const ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SIGNED_AT = Date.UTC(2024, 0, 1, 0, 0, 0);
const MINUTE = 60_000;
const SIGNATURE_MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret " +
  "Access Key and signing method. Consult the service documentation for details.";

const credentials: CredentialLookup = { secretFor: (id) => (id === ACCESS_KEY_ID ? SECRET : undefined) };

function baseInput(overrides: Partial<SmithySigningInput> = {}): SmithySigningInput {
  return {
    method: "POST",
    path: "/",
    headers: {
      host: "localhost:4566",
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "secretsmanager.GetSecretValue",
      "user-agent": "aws-sdk-js/3",
    },
    body: Buffer.from('{"SecretId":"db"}'),
    service: "secretsmanager",
    region: "us-east-1",
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET,
    signingDate: new Date(SIGNED_AT),
    ...overrides,
  };
}

function verifierAt(nowMs: number, maxClockSkewMs?: number) {
  return createSigV4Verifier({
    service: "secretsmanager",
    now: () => nowMs,
    ...(maxClockSkewMs === undefined ? {} : { maxClockSkewMs }),
  });
}

function verify(request: IncomingSignedRequest, nowMs = SIGNED_AT, lookup = credentials) {
  return verifierAt(nowMs).verify(request, lookup);
}

/** Asserts the error class and message, and that no secret leaked into the message. */
function assertRejects(
  run: () => unknown,
  errorClass: abstract new (...args: never[]) => Error,
  message: string | RegExp,
): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof errorClass, `expected ${errorClass.name}, got ${String(error)}`);
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    assert.ok(!error.message.includes(SECRET), "the secret access key must not appear in the message");
    return true;
  });
}

function withHeaders(request: IncomingSignedRequest, changes: Record<string, string | undefined>) {
  const headers = { ...request.headers };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  return { ...request, headers };
}

function authorizationOf(request: IncomingSignedRequest): string {
  const value = request.headers.authorization;
  assert.equal(typeof value, "string");
  return value as string;
}

describe("SigV4 verifier: accepted requests", () => {
  it("accepts an SDK-signed request and returns the session token", async () => {
    const request = await signWithSmithy(baseInput({ sessionToken: "FwoGZXIvYXdzEXAMPLE" }));
    assert.deepEqual(verify(request), {
      accessKeyId: ACCESS_KEY_ID,
      region: "us-east-1",
      date: "20240101",
      signedAt: new Date(SIGNED_AT),
      sessionToken: "FwoGZXIvYXdzEXAMPLE",
    });
  });

  it("ignores changes to headers that were not signed", async () => {
    const request = await signWithSmithy(baseInput());
    assert.doesNotThrow(() =>
      verify(withHeaders(request, { "user-agent": "something else", "x-forwarded-for": "1" })),
    );
  });

  it("joins a header Node delivers as an array with ',' as SigV4 joins repeated headers", async () => {
    const request = await signWithSmithy(
      baseInput({ headers: { ...baseInput().headers, "x-multi": "a,b" } }),
    );
    const headers = { ...request.headers, "x-multi": ["a", "b"] };
    assert.doesNotThrow(() => verify({ ...request, headers }));
  });

  it("accepts signing times exactly at the skew limit on both sides, at whole-second resolution", async () => {
    const request = await signWithSmithy(baseInput());
    assert.doesNotThrow(() => verify(request, SIGNED_AT + 5 * MINUTE + 999));
    assert.doesNotThrow(() => verify(request, SIGNED_AT - 5 * MINUTE));
  });

  it("uses the HTTP Date header when x-amz-date is absent (signed per the spec by hand)", () => {
    const request = signByHandWithDateHeader("Mon, 01 Jan 2024 00:00:00 GMT");
    assert.deepEqual(verify(request).signedAt, new Date(SIGNED_AT));
  });
});

describe("SigV4 verifier: missing or malformed Authorization header", () => {
  const unsigned: IncomingSignedRequest = {
    method: "POST",
    rawUrl: "/",
    headers: { host: "localhost", "x-amz-date": "20240101T000000Z" },
    body: Buffer.alloc(0),
  };

  it("has no Authorization header: MissingAuthenticationTokenException", () => {
    assertRejects(
      () => verify(unsigned),
      MissingAuthenticationTokenException,
      "Missing Authentication Token",
    );
    assertRejects(
      () => verify(withHeaders(unsigned, { authorization: "  " })),
      MissingAuthenticationTokenException,
      "Missing Authentication Token",
    );
  });

  it("uses query-string presigning: IncompleteSignatureException saying it is unsupported", () => {
    const presigned = {
      ...unsigned,
      rawUrl:
        "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240101%2Fus-east-1&X-Amz-Signature=ab",
    };
    assertRejects(() => verify(presigned), IncompleteSignatureException, /presigned URL.*not supported/);
  });

  it("uses another scheme: IncompleteSignatureException that does not echo the header", () => {
    for (const header of [
      "Bearer s3cr3t-token",
      "AWS4-HMAC-SHA512 Credential=a",
      "s3cr3t-token",
      "AWS AKID:sig",
    ]) {
      assert.throws(
        () => verify(withHeaders(unsigned, { authorization: header })),
        (error: unknown) =>
          error instanceof IncompleteSignatureException &&
          error.message.includes("'AWS4-HMAC-SHA256'") &&
          !error.message.includes("s3cr3t"),
      );
    }
  });

  it("lacks parameters: IncompleteSignatureException naming each missing one", () => {
    assertRejects(
      () => verify(withHeaders(unsigned, { authorization: "AWS4-HMAC-SHA256" })),
      IncompleteSignatureException,
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter.",
    );
    assertRejects(
      () =>
        verify(
          withHeaders(unsigned, {
            authorization:
              "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host;x-amz-date",
          }),
        ),
      IncompleteSignatureException,
      "Authorization header requires 'Signature' parameter.",
    );
    assertRejects(
      () =>
        verify(
          withHeaders(unsigned, {
            authorization: "AWS4-HMAC-SHA256 Credential=, SignedHeaders=host, Signature=ab",
          }),
        ),
      IncompleteSignatureException,
      "Authorization header requires 'Credential' parameter.",
    );
  });

  it("repeats a parameter: IncompleteSignatureException", async () => {
    const request = await signWithSmithy(baseInput());
    const doubled = `${authorizationOf(request)}, Signature=${"0".repeat(64)}`;
    assertRejects(
      () => verify(withHeaders(request, { authorization: doubled })),
      IncompleteSignatureException,
      "Authorization header has more than one 'Signature' parameter.",
    );
  });

  it("has a credential that is not five slash-separated elements: IncompleteSignatureException", async () => {
    const request = await signWithSmithy(baseInput());
    for (const [credential, count] of [
      ["AKID/20240101/us-east-1/secretsmanager", 4],
      ["AKID", 1],
      ["AKID/20240101/us-east-1/secretsmanager/aws4_request/extra", 6],
    ] as const) {
      const authorization = authorizationOf(request).replace(/Credential=[^,]+/, `Credential=${credential}`);
      assertRejects(
        () => verify(withHeaders(request, { authorization })),
        IncompleteSignatureException,
        `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got ${count}.`,
      );
    }
    const noKeyId = authorizationOf(request).replace("Credential=AKIAIOSFODNN7EXAMPLE/", "Credential=/");
    assertRejects(
      () => verify(withHeaders(request, { authorization: noKeyId })),
      IncompleteSignatureException,
      "Credential must start with an access key id, e.g. keyid/date/region/service/term.",
    );
  });

  it("has an empty name in SignedHeaders: IncompleteSignatureException", async () => {
    const request = await signWithSmithy(baseInput());
    const authorization = authorizationOf(request).replace("SignedHeaders=", "SignedHeaders=;");
    assertRejects(
      () => verify(withHeaders(request, { authorization })),
      IncompleteSignatureException,
      /no empty name/,
    );
  });
});

describe("SigV4 verifier: headers the signature must cover", () => {
  it("does not sign host: IncompleteSignatureException", async () => {
    const { host: _host, ...withoutHost } = baseInput().headers;
    const request = await signWithSmithy(baseInput({ headers: withoutHost }));
    assertRejects(
      () => verify(withHeaders(request, { host: "localhost:4566" })),
      IncompleteSignatureException,
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  });

  it("does not sign x-amz-date: IncompleteSignatureException", async () => {
    const request = await signWithSmithy(baseInput());
    const authorization = authorizationOf(request).replace(";x-amz-date", "");
    assertRejects(
      () => verify(withHeaders(request, { authorization })),
      IncompleteSignatureException,
      "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.",
    );
  });

  it("has neither x-amz-date nor date: IncompleteSignatureException", async () => {
    const request = await signWithSmithy(baseInput());
    assertRejects(
      () => verify(withHeaders(request, { "x-amz-date": undefined })),
      IncompleteSignatureException,
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  });

  it("has an x-amz-date that is not ISO 8601 basic format or not a real time: IncompleteSignatureException", async () => {
    const request = await signWithSmithy(baseInput());
    for (const bad of [
      "2024-01-01T00:00:00Z",
      "20240101T000000",
      "20240231T000000Z",
      "20240101T240000Z",
      "00240101T000000Z",
    ]) {
      assertRejects(
        () => verify(withHeaders(request, { "x-amz-date": bad })),
        IncompleteSignatureException,
        `Date must be in ISO-8601 'basic format'. Got '${bad}'. See http://en.wikipedia.org/wiki/ISO_8601`,
      );
    }
  });

  it("falls back to an unsigned or malformed Date header: IncompleteSignatureException", () => {
    const request = signByHandWithDateHeader("Mon, 01 Jan 2024 00:00:00 GMT");
    const authorization = authorizationOf(request).replace("date;", "");
    assertRejects(
      () => verify(withHeaders(request, { authorization })),
      IncompleteSignatureException,
      "'Date' must be a 'SignedHeader' in the AWS Authorization.",
    );
    assertRejects(
      () => verify(withHeaders(request, { date: "2024-01-01 00:00:00" })),
      IncompleteSignatureException,
      /The 'Date' header must be an HTTP date/,
    );
  });

  it("does not sign x-amz-target: IncompleteSignatureException, so a captured request cannot change operation", async () => {
    const request = await signWithSmithy(baseInput());
    const authorization = authorizationOf(request).replace(";x-amz-target", "");
    assert.notEqual(authorization, authorizationOf(request));
    assertRejects(
      () => verify(withHeaders(request, { authorization, "x-amz-target": "secretsmanager.DescribeSecret" })),
      IncompleteSignatureException,
      "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.",
    );
  });

  it("does not sign content-type or another x-amz-* header it carries: IncompleteSignatureException", async () => {
    const request = await signWithSmithy(baseInput({ sessionToken: "FwoGZXIvYXdzEXAMPLE" }));
    for (const [name, shown] of [
      ["content-type", "Content-Type"],
      ["x-amz-security-token", "X-Amz-Security-Token"],
    ]) {
      const authorization = authorizationOf(request).replace(
        new RegExp(`(?<==|;)${name};|;${name}(?=,)`),
        "",
      );
      assert.notEqual(authorization, authorizationOf(request), name);
      assertRejects(
        () => verify(withHeaders(request, { authorization })),
        IncompleteSignatureException,
        `'${shown}' must be a 'SignedHeader' in the AWS Authorization.`,
      );
    }
    assertRejects(
      () => verify(withHeaders(request, { "x-amz-extra": "added" })),
      IncompleteSignatureException,
      "'x-amz-extra' must be a 'SignedHeader' in the AWS Authorization.",
    );
  });

  it("needs no x-amz-target or content-type where the request has none (GET /changes)", async () => {
    const { "x-amz-target": _t, "content-type": _c, ...rest } = baseInput().headers;
    const request = await signWithSmithy(baseInput({ method: "GET", path: "/changes", headers: rest }));
    assert.doesNotThrow(() => verify(request));
  });

  it("repeats Authorization or a signing header: IncompleteSignatureException, not first-wins", async () => {
    const request = await signWithSmithy(baseInput({ sessionToken: "FwoGZXIvYXdzEXAMPLE" }));
    const raw = Object.entries(request.headers).flatMap(([name, value]) => [name, String(value)]);
    assert.doesNotThrow(() => verify({ ...request, rawHeaders: raw }));
    for (const name of [
      "Authorization",
      "X-Amz-Date",
      "X-Amz-Target",
      "X-Amz-Security-Token",
      "Content-Type",
      "Host",
    ]) {
      assertRejects(
        () => verify({ ...request, rawHeaders: [...raw, name, "second"] }),
        IncompleteSignatureException,
        new RegExp(`more than one '${name.toLowerCase()}' header`),
      );
    }
  });

  it("lists a signed header the request does not carry: IncompleteSignatureException naming it", async () => {
    const request = await signWithSmithy(baseInput());
    assertRejects(
      () => verify(withHeaders(request, { "x-amz-target": undefined })),
      IncompleteSignatureException,
      "Header 'x-amz-target' is listed in the Authorization header's 'SignedHeaders' but is not present in the request.",
    );
  });
});

describe("SigV4 verifier: credential scope", () => {
  it("is scoped to another service: InvalidSignatureException", async () => {
    const request = await signWithSmithy(baseInput({ service: "kms" }));
    assertRejects(
      () => verify(request),
      InvalidSignatureException,
      "Credential should be scoped to correct service: 'secretsmanager'.",
    );
  });

  it("is checked against the service the caller names (the framed API's signing name)", async () => {
    const request = await signWithSmithy(
      baseInput({
        service: "sts",
        headers: { host: "localhost:4566", "content-type": "application/x-www-form-urlencoded" },
        body: Buffer.from("Action=GetCallerIdentity&Version=2011-06-15"),
      }),
    );
    const verifier = verifierAt(SIGNED_AT);
    assert.equal(verifier.check(verifier.parse(request, "sts"), SECRET).accessKeyId, ACCESS_KEY_ID);
    assertRejects(
      () => verifier.parse(request),
      InvalidSignatureException,
      "Credential should be scoped to correct service: 'secretsmanager'.",
    );
    // A Secrets Manager request does not pass as STS's either.
    const secretsManager = await signWithSmithy(baseInput());
    assertRejects(
      () => verifier.parse(secretsManager, "sts"),
      InvalidSignatureException,
      "Credential should be scoped to correct service: 'sts'.",
    );
  });

  it("has another terminator: InvalidSignatureException", async () => {
    const request = await signWithSmithy(baseInput());
    const authorization = authorizationOf(request).replace("/aws4_request", "/aws5_request");
    assertRejects(
      () => verify(withHeaders(request, { authorization })),
      InvalidSignatureException,
      "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.",
    );
  });

  it("names an impossible region: InvalidSignatureException", async () => {
    const request = await signWithSmithy(baseInput({ region: "US_EAST" }));
    assertRejects(
      () => verify(request),
      InvalidSignatureException,
      "Credential should be scoped to a valid region, not 'US_EAST'.",
    );
  });

  it("has a scope date other than the x-amz-date day: InvalidSignatureException", async () => {
    const request = await signWithSmithy(baseInput());
    assertRejects(
      () => verify(withHeaders(request, { "x-amz-date": "20240102T000000Z" }), Date.UTC(2024, 0, 2)),
      InvalidSignatureException,
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: " +
        "'20240101' != '20240102', from '20240102T000000Z'.",
    );
  });
});

describe("SigV4 verifier: clock skew", () => {
  it("was signed more than 5 minutes ago: InvalidSignatureException, AWS wording", async () => {
    const request = await signWithSmithy(baseInput());
    assertRejects(
      () => verify(request, SIGNED_AT + 10 * MINUTE),
      InvalidSignatureException,
      "Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z (20240101T001000Z - 5 min.)",
    );
    assertRejects(
      () => verify(request, SIGNED_AT + 5 * MINUTE + 1000),
      InvalidSignatureException,
      /Signature expired/,
    );
  });

  it("is signed more than 5 minutes in the future: InvalidSignatureException, AWS wording", async () => {
    const request = await signWithSmithy(baseInput({ signingDate: new Date(SIGNED_AT + 20 * MINUTE) }));
    assertRejects(
      () => verify(request, SIGNED_AT + 10 * MINUTE),
      InvalidSignatureException,
      "Signature not yet current: 20240101T002000Z is still later than 20240101T001500Z (20240101T001000Z + 5 min.)",
    );
    assertRejects(
      () => verify(request, SIGNED_AT + 15 * MINUTE - 1000),
      InvalidSignatureException,
      /Signature not yet current/,
    );
  });

  it("honours a custom maxClockSkewMs", async () => {
    const request = await signWithSmithy(baseInput());
    assertRejects(
      () => verifierAt(SIGNED_AT + 31_000, 30_000).verify(request, credentials),
      InvalidSignatureException,
      "Signature expired: 20240101T000000Z is now earlier than 20240101T000001Z (20240101T000031Z - 30 sec.)",
    );
    assert.doesNotThrow(() => verifierAt(SIGNED_AT + 30_000, 30_000).verify(request, credentials));
  });

  it("refuses a negative or non-finite maxClockSkewMs", () => {
    assert.throws(() => createSigV4Verifier({ service: "secretsmanager", maxClockSkewMs: -1 }), RangeError);
    assert.throws(
      () => createSigV4Verifier({ service: "secretsmanager", maxClockSkewMs: Number.NaN }),
      RangeError,
    );
  });
});

describe("SigV4 verifier: credentials and signature", () => {
  it("uses an unknown access key: UnrecognizedClientException", async () => {
    const request = await signWithSmithy(baseInput({ accessKeyId: "AKIAUNKNOWN000000000" }));
    assertRejects(
      () => verify(request),
      UnrecognizedClientException,
      "The security token included in the request is invalid.",
    );
  });

  it("was signed with another secret: InvalidSignatureException, neither secret in the message", async () => {
    const otherSecret = "0therSecretAccessKeyThatIsAlsoFortyChars";
    const request = await signWithSmithy(baseInput({ secretAccessKey: otherSecret }));
    assert.throws(
      () => verify(request),
      (error: unknown) =>
        error instanceof InvalidSignatureException &&
        error.message === SIGNATURE_MISMATCH &&
        !error.message.includes(otherSecret) &&
        !error.message.includes(SECRET),
    );
  });

  it("has a changed body: InvalidSignatureException (content-sha256 mismatch, or signature mismatch without it)", async () => {
    const withChecksum = await signWithSmithy(baseInput());
    assertRejects(
      () => verify({ ...withChecksum, body: Buffer.from('{"SecretId":"prod"}') }),
      InvalidSignatureException,
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
    const withoutChecksum = await signWithSmithy(baseInput({ applyChecksum: false }));
    assert.equal(withoutChecksum.headers["x-amz-content-sha256"], undefined);
    assertRejects(
      () => verify({ ...withoutChecksum, body: Buffer.from('{"SecretId":"prod"}') }),
      InvalidSignatureException,
      SIGNATURE_MISMATCH,
    );
  });

  it("carries an x-amz-content-sha256 that is not the body's hash, signed or not: InvalidSignatureException", async () => {
    const request = await signWithSmithy(baseInput({ applyChecksum: false }));
    const wrongHash = createHash("sha256").update("other").digest("hex");
    assertRejects(
      () => verify(withHeaders(request, { "x-amz-content-sha256": wrongHash })),
      InvalidSignatureException,
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
    const unsignedPayload = await signWithSmithy(
      baseInput({ headers: { ...baseInput().headers, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } }),
    );
    assertRejects(() => verify(unsignedPayload), InvalidSignatureException, /x-amz-content-sha256/);
  });

  it("has a changed signed header, method, path or query: InvalidSignatureException", async () => {
    const request = await signWithSmithy(baseInput({ path: "/a/b", query: { x: "1" } }));
    assert.doesNotThrow(() => verify(request));
    const tampered: IncomingSignedRequest[] = [
      withHeaders(request, { "x-amz-target": "secretsmanager.DeleteSecret" }),
      withHeaders(request, { "content-type": "application/json" }),
      withHeaders(request, { host: "evil.example" }),
      { ...request, method: "PUT" },
      { ...request, rawUrl: "/a/c?x=1" },
      { ...request, rawUrl: "/a/b?x=2" },
      { ...request, rawUrl: "/a/b?x=1&y=2" },
    ];
    for (const changed of tampered)
      assertRejects(() => verify(changed), InvalidSignatureException, SIGNATURE_MISMATCH);
  });

  it("has a signature that is not 64 lower-case hex digits: InvalidSignatureException", async () => {
    const request = await signWithSmithy(baseInput());
    const authorization = authorizationOf(request);
    const signature = authorization.slice(authorization.indexOf("Signature=") + "Signature=".length);
    for (const bad of [
      signature.toUpperCase(),
      signature.slice(0, 62),
      `${signature}00`,
      `${signature.slice(0, 63)}g`,
      "",
    ]) {
      const changed = withHeaders(request, { authorization: authorization.replace(signature, bad) });
      assertRejects(
        () => verify(changed),
        bad === "" ? IncompleteSignatureException : InvalidSignatureException,
        bad === "" ? "Authorization header requires 'Signature' parameter." : SIGNATURE_MISMATCH,
      );
    }
  });

  it("asks the credential store only after the header, scope and clock checks pass", async () => {
    const request = await signWithSmithy(baseInput());
    let lookups = 0;
    const counting: CredentialLookup = {
      secretFor: (id) => {
        lookups++;
        return credentials.secretFor(id);
      },
    };
    assert.throws(() => verify(request, SIGNED_AT + 10 * MINUTE, counting), InvalidSignatureException);
    assert.throws(() => verify(withHeaders(request, { authorization: "Bearer x" }), SIGNED_AT, counting));
    assert.equal(lookups, 0);
    verify(request, SIGNED_AT, counting);
    assert.equal(lookups, 1);
  });
});

/**
 * Signs with the HTTP `Date` header instead of `x-amz-date`, straight from the spec, because the SDK
 * signers always use x-amz-date. The string to sign carries the date converted to ISO 8601 basic.
 */
function signByHandWithDateHeader(date: string): IncomingSignedRequest {
  const body = Buffer.from("{}");
  const headers: Record<string, string> = { date, host: "localhost:4566" };
  const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
  const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
  const canonical = [
    "POST",
    "/",
    "",
    `date:${date}`,
    "host:localhost:4566",
    "",
    "date;host",
    sha256(body),
  ].join("\n");
  const scope = "20240101/us-east-1/secretsmanager/aws4_request";
  const stringToSign = ["AWS4-HMAC-SHA256", "20240101T000000Z", scope, sha256(canonical)].join("\n");
  const key = hmac(
    hmac(hmac(hmac(`AWS4${SECRET}`, "20240101"), "us-east-1"), "secretsmanager"),
    "aws4_request",
  );
  const signature = createHmac("sha256", key).update(stringToSign).digest("hex");
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/${scope}, SignedHeaders=date;host, Signature=${signature}`;
  return { method: "POST", rawUrl: "/", headers, body };
}
