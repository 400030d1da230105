/**
 * Our verifier against independent signers: AWS's published examples and, property-based, the AWS
 * SDK's own signer over random bodies, headers, paths, query strings, regions and signing times.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InvalidSignatureException } from "../../errors/catalog.js";
import { signWithSmithy } from "./smithySigner.test.helper.js";
import { createSigV4Verifier } from "./verify.js";

const AWS_EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SKEW_MS = 5 * 60_000;

describe("SigV4 verifier: AWS documentation examples", () => {
  const credentials = { secretFor: (id: string) => (id === "AKIDEXAMPLE" ? AWS_EXAMPLE_SECRET : undefined) };
  const now = () => Date.UTC(2015, 7, 30, 12, 36, 0);

  it("accepts the get-vanilla test-suite request", () => {
    const verifier = createSigV4Verifier({ service: "service", now });
    const verified = verifier.verify(
      {
        method: "GET",
        rawUrl: "/",
        body: Buffer.alloc(0),
        headers: {
          host: "example.amazonaws.com",
          "x-amz-date": "20150830T123600Z",
          authorization:
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " +
            "SignedHeaders=host;x-amz-date, " +
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        },
      },
      credentials,
    );
    assert.deepEqual(verified, {
      accessKeyId: "AKIDEXAMPLE",
      region: "us-east-1",
      date: "20150830",
      signedAt: new Date("2015-08-30T12:36:00Z"),
    });
  });

  it("accepts the IAM ListUsers example (query string, content-type with spaces)", () => {
    const verifier = createSigV4Verifier({ service: "iam", now });
    const verified = verifier.verify(
      {
        method: "GET",
        rawUrl: "/?Action=ListUsers&Version=2010-05-08",
        body: Buffer.alloc(0),
        headers: {
          host: "iam.amazonaws.com",
          "content-type": "application/x-www-form-urlencoded; charset=utf-8",
          "x-amz-date": "20150830T123600Z",
          authorization:
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, " +
            "SignedHeaders=content-type;host;x-amz-date, " +
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        },
      },
      credentials,
    );
    assert.equal(verified.region, "us-east-1");
  });
});

// --- Arbitraries: what a client may legitimately send ---------------------------------------------

const hexByte = fc.integer({ min: 0, max: 255 }).map((byte) => byte.toString(16).padStart(2, "0"));
const pathChar = fc.oneof(
  fc.constantFrom(..."abcXYZ019-._~!$&'()*+,;=:@".split("")),
  // Already-encoded bytes, in either hex case, as a wire path carries them.
  fc.tuple(hexByte, fc.boolean()).map(([hex, upper]) => `%${upper ? hex.toUpperCase() : hex}`),
);
const pathSegment = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom("", ".", "..") },
  { weight: 5, arbitrary: fc.array(pathChar, { maxLength: 8 }).map((chars) => chars.join("")) },
);
const wirePath = fc
  .tuple(fc.array(pathSegment, { maxLength: 5 }), fc.boolean())
  .map(
    ([segments, trailingSlash]) => `/${segments.join("/")}${trailingSlash && segments.length > 0 ? "/" : ""}`,
  );

const queryText = fc.string({ unit: "grapheme", maxLength: 8 });
// Smithy never signs a parameter named X-Amz-Signature, and "__proto__" is no plain object key.
const queryName = queryText.filter(
  (name) => name.toLowerCase() !== "x-amz-signature" && name !== "__proto__",
);
const query = fc.array(fc.tuple(queryName, queryText), { maxLength: 6 }).map((pairs) => {
  const bag: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    const existing = bag[name];
    if (existing === undefined) bag[name] = value;
    else bag[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return bag;
});

const headerValueText = fc.string({
  unit: fc.oneof(
    fc.constantFrom(" ", " ", "\t"),
    fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
  ),
  maxLength: 24,
});
const extraHeaders = fc
  .uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/), headerValueText, fc.boolean()), {
    selector: ([name]) => name,
    maxLength: 5,
  })
  .map((entries) => {
    const headers: Record<string, string> = {};
    // The client may use any case; Node lower-cases, smithy lower-cases when signing.
    for (const [name, value, upper] of entries)
      headers[`x-test-${upper ? name.toUpperCase() : name}`] = value;
    return headers;
  });

const region = fc.oneof(
  fc.constantFrom("us-east-1", "eu-west-3", "ap-southeast-2", "local"),
  fc.stringMatching(/^[a-z]{2}-[a-z]{4,9}-[1-9]$/),
);
const accessKeyId = fc.stringMatching(/^AKIA[A-Z2-7]{16}$/);
const secretAccessKey = fc.stringMatching(/^[A-Za-z0-9+/]{40}$/);
const sessionToken = fc.option(fc.stringMatching(/^[A-Za-z0-9+/=]{16,64}$/), { nil: undefined });
const nowMs = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 0, 1) });
// Any signing time within the allowed skew, both limits included.
const skewMs = fc.integer({ min: -SKEW_MS, max: SKEW_MS });

const signedRequestCase = fc.record({
  method: fc.constantFrom("POST", "GET", "PUT", "DELETE"),
  path: wirePath,
  query,
  extraHeaders,
  withTarget: fc.boolean(),
  body: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  region,
  accessKeyId,
  secretAccessKey,
  sessionToken,
  nowMs,
  skewMs,
  applyChecksum: fc.boolean(),
});
type SignedRequestCase = typeof signedRequestCase extends fc.Arbitrary<infer T> ? T : never;

function signCase(c: SignedRequestCase) {
  return signWithSmithy({
    method: c.method,
    path: c.path,
    query: c.query,
    headers: {
      host: "localhost:4566",
      "content-type": "application/x-amz-json-1.1",
      "user-agent": "aws-sdk-js/3 test", // smithy never signs user-agent: it must be ignored, not required
      ...(c.withTarget ? { "x-amz-target": "secretsmanager.GetSecretValue" } : {}),
      ...c.extraHeaders,
    },
    body: c.body,
    service: "secretsmanager",
    region: c.region,
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    ...(c.sessionToken === undefined ? {} : { sessionToken: c.sessionToken }),
    signingDate: new Date(c.nowMs + c.skewMs),
    applyChecksum: c.applyChecksum,
  });
}

/** A copy of `body` with one byte's bits flipped, or a one-byte body when it was empty. */
function flipOneByte(body: Buffer, position: number, xor: number): Buffer {
  if (body.length === 0) return Buffer.from([xor]);
  const copy = Buffer.from(body);
  const index = position % copy.length;
  copy[index] = (copy[index] ?? 0) ^ xor;
  return copy;
}

describe("SigV4 verifier against @smithy/signature-v4 (property)", () => {
  it("accepts every request the AWS SDK signs, and reports what the signature proves", async () => {
    await fc.assert(
      fc.asyncProperty(signedRequestCase, async (c) => {
        const request = await signCase(c);
        const lookups: string[] = [];
        const verifier = createSigV4Verifier({ service: "secretsmanager", now: () => c.nowMs });
        const verified = verifier.verify(request, {
          secretFor: (id) => {
            lookups.push(id);
            return id === c.accessKeyId ? c.secretAccessKey : undefined;
          },
        });
        const signedAtMs = Math.floor((c.nowMs + c.skewMs) / 1000) * 1000;
        const expected = {
          accessKeyId: c.accessKeyId,
          region: c.region,
          date: new Date(signedAtMs).toISOString().slice(0, 10).replaceAll("-", ""),
          signedAt: new Date(signedAtMs),
          ...(c.sessionToken === undefined ? {} : { sessionToken: c.sessionToken }),
        };
        assert.deepEqual(verified, expected);
        assert.deepEqual(lookups, [c.accessKeyId], "the credential store is asked exactly once");
      }),
      { numRuns: 400 },
    );
  });

  it("rejects every request whose body changed after signing", async () => {
    await fc.assert(
      fc.asyncProperty(
        signedRequestCase,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (c, position, xor) => {
          const request = await signCase(c);
          const tampered = flipOneByte(request.body, position, xor);
          const verifier = createSigV4Verifier({ service: "secretsmanager", now: () => c.nowMs });
          assert.throws(
            () => verifier.verify({ ...request, body: tampered }, { secretFor: () => c.secretAccessKey }),
            (error: unknown) =>
              error instanceof InvalidSignatureException && !error.message.includes(c.secretAccessKey),
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});
