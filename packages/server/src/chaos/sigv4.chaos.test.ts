/**
 * SigV4 under mutation: for every operation of both APIs (`secretsmanager.*`, `coffer.*`), a request
 * the server accepts is changed in one signed part at a time — each signed header, the body, the
 * date, each part of the credential scope, the signature, the SignedHeaders list, the target — and
 * sent to a real server process. Every mutation must be refused with a SigV4 error (403); none may
 * be accepted. Then the clock: signed 4:59 away it is accepted, 5:01 away refused, both directions.
 */
import assert from "node:assert/strict";
import { Agent, request as httpRequest } from "node:http";
import { after, before, describe, test } from "node:test";
import { adminOperations } from "../operations/admin/registry.js";
import { operations } from "../operations/registry.js";
import { adminCall, signJsonCall } from "../testing/admin-call.js";
import { type ServerProcess, startServerProcess, testAdmin } from "../testing/server-process.js";
import { chaosCount, reportFigure } from "./chaos-scale.js";

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
type Headers = Record<string, string>;
interface Answer {
  status: number;
  type: string | undefined;
}

const sigV4Errors = new Set([
  "IncompleteSignatureException",
  "InvalidSignatureException",
  "UnrecognizedClientException",
  "MissingAuthenticationTokenException",
]);
const targets = [
  ...Object.keys(operations).map((name) => `secretsmanager.${name}`),
  ...Object.keys(adminOperations).map((name) => `coffer.${name}`),
];
const rounds = chaosCount({ short: 1, full: 40 });

let server: ServerProcess;
let session: Credentials;
const agent = new Agent({ keepAlive: true, maxSockets: 8 });

before(async () => {
  server = await startServerProcess({ env: { COFFER_LOG_LEVEL: "warn" } });
  const answer = (await adminCall(server.url, "GetSessionToken", {})) as {
    Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
  };
  session = {
    accessKeyId: answer.Credentials.AccessKeyId,
    secretAccessKey: answer.Credentials.SecretAccessKey,
    sessionToken: answer.Credentials.SessionToken,
  };
});
after(async () => {
  agent.destroy();
  await server.stop();
  server.cleanup();
});

async function sign(target: string, body: string, credentials: Credentials, signingDate = new Date()) {
  return (await signJsonCall(server.url, target, body, credentials, { signingDate })) as Headers;
}

function send(headers: Headers, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: "127.0.0.1", port: server.port, method: "POST", path: "/", headers, agent },
      (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => {
          text += chunk.toString("utf8");
        });
        response.on("end", () => {
          const type = response.headers["x-amzn-errortype"];
          resolve({ status: response.statusCode ?? 0, type: typeof type === "string" ? type : undefined });
          void text;
        });
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

/** One character of `text` replaced by another (at a random place from round 2 on). */
function changeOneCharacter(text: string, round: number, alphabet = "0123456789abcdef"): string {
  const at = round === 0 ? text.length - 1 : Math.floor(Math.random() * text.length);
  const current = text[at] ?? "";
  const choices = [...alphabet].filter((c) => c !== current);
  const replacement = choices[Math.floor(Math.random() * choices.length)] ?? "x";
  return text.slice(0, at) + replacement + text.slice(at + 1);
}

function authorizationParts(authorization: string) {
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]+)$/.exec(
      authorization,
    );
  assert.ok(match, authorization);
  const [, keyId, date, region, service, terminator, signedHeaders, signature] = match as unknown as string[];
  return { keyId, date, region, service, terminator, signedHeaders, signature } as Record<string, string>;
}

function authorizationOf(parts: Record<string, string>): string {
  return (
    `AWS4-HMAC-SHA256 Credential=${parts.keyId}/${parts.date}/${parts.region}/${parts.service}/${parts.terminator}, ` +
    `SignedHeaders=${parts.signedHeaders}, Signature=${parts.signature}`
  );
}

type Mutation = { kind: string; headers: Headers; body: string };

/** The error AWS gives for each kind of change (a garbled x-amz-date may no longer parse). */
function expectedError(kind: string): string {
  if (kind === "key-id") return "UnrecognizedClientException";
  if (kind === "unsigned-x-amz-header") return "IncompleteSignatureException";
  if (kind === "header:x-amz-date") return "IncompleteSignatureException|InvalidSignatureException";
  // x-amz-content-sha256 may go unsigned (it is checked against the body): the signature refuses it.
  if (kind.startsWith("signed-headers:drop-") && kind !== "signed-headers:drop-x-amz-content-sha256") {
    return "IncompleteSignatureException";
  }
  return "InvalidSignatureException";
}

/** Every single-part change of a signed request; each must be refused. */
function mutationsOf(target: string, headers: Headers, body: string, round: number): Mutation[] {
  const parts = authorizationParts(headers.authorization ?? "");
  const signedNames = (parts.signedHeaders ?? "").split(";");
  const out: Mutation[] = [];
  const withHeaders = (kind: string, changes: Headers) =>
    out.push({ kind, headers: { ...headers, ...changes }, body });
  const withAuth = (kind: string, changes: Record<string, string>) =>
    withHeaders(kind, { authorization: authorizationOf({ ...parts, ...changes }) });

  for (const name of signedNames) {
    const value = headers[name] ?? "";
    if (name === "content-type") {
      // Still a content type the server frames, so the signature is what refuses it.
      withHeaders(`header:${name}`, { [name]: "application/x-amz-json-1.0" });
    } else if (name === "x-amz-target") {
      // Covered by the target swaps below.
    } else if (name === "host") {
      withHeaders(`header:${name}`, { host: value.replace(/^127\.0\.0\.1(?=:)/, "localhost") });
      withHeaders(`header:${name}`, { host: `${value}0` });
    } else {
      withHeaders(`header:${name}`, { [name]: changeOneCharacter(value, round, "0123456789") });
    }
  }
  // Body: one character, trailing whitespace (same JSON, other bytes), or gone.
  out.push({ kind: "body", headers, body: `${body} ` });
  out.push({
    kind: "body",
    headers,
    body: body.length > 2 ? changeOneCharacter(body, round, "xyz") : `${body}\n`,
  });
  out.push({ kind: "body", headers, body: "" });
  // Date, one second off and one day off (then the scope no longer matches either).
  const amzDate = headers["x-amz-date"] ?? "";
  const plusSecond = new Date(Date.parse(isoOf(amzDate)) + 1000);
  withHeaders("date", { "x-amz-date": amzDateOf(plusSecond) });
  withHeaders("date", { "x-amz-date": amzDateOf(new Date(plusSecond.getTime() - 86_401_000)) });
  // Scope: region, service, date, terminator.
  withAuth("scope:region", { region: parts.region === "us-east-1" ? "us-west-2" : "us-east-1" });
  withAuth("scope:service", { service: "kms" });
  withAuth("scope:date", { date: shiftDay(parts.date ?? "", 1) });
  withAuth("scope:terminator", { terminator: "aws4_requesx" });
  // Signature and key id.
  withAuth("signature", { signature: changeOneCharacter(parts.signature ?? "", round) });
  withAuth("key-id", {
    keyId: changeOneCharacter(parts.keyId ?? "", round, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
  });
  // SignedHeaders: each name dropped (x-amz-target included), and an unsigned header added.
  for (const name of signedNames) {
    withAuth(`signed-headers:drop-${name}`, {
      signedHeaders: signedNames.filter((n) => n !== name).join(";"),
    });
  }
  withHeaders("unsigned-x-amz-header", { "x-amz-extra": "1" });
  // Target: swapped for another operation of either API, signature kept.
  const others = targets.filter((t) => t !== target);
  const swapTo = round === 0 ? others : [others[Math.floor(Math.random() * others.length)] as string];
  for (const other of swapTo) withHeaders("target-swap", { "x-amz-target": other });
  return out;
}

function isoOf(amzDate: string): string {
  return `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`;
}
function amzDateOf(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}
function shiftDay(yyyymmdd: string, days: number): string {
  const date = new Date(
    Date.parse(`${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}T00:00:00Z`),
  );
  return amzDateOf(new Date(date.getTime() + days * 86_400_000)).slice(0, 8);
}

describe("SigV4 mutation chaos", () => {
  test("every single-part change of a signed request, on every operation, is refused with a SigV4 error", async () => {
    const body = JSON.stringify({ SecretId: "chaos/none", UserName: "chaos-none" });
    const byKind = new Map<string, number>();
    let mutated = 0;
    let refused = 0;
    let baselines = 0;
    const accepted: string[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const credentials of [testAdmin, session]) {
        await Promise.all(
          targets.map(async (target) => {
            const headers = await sign(target, body, credentials);
            const baseline = await send(headers, body);
            // The unchanged request gets past SigV4 (its answer may still be a validation error).
            assert.ok(
              baseline.status !== 403 || !sigV4Errors.has(baseline.type ?? ""),
              `${target}: baseline refused by SigV4 (${baseline.type})`,
            );
            baselines++;
            for (const mutation of mutationsOf(target, headers, body, round)) {
              const answer = await send(mutation.headers, mutation.body);
              mutated++;
              byKind.set(mutation.kind, (byKind.get(mutation.kind) ?? 0) + 1);
              if (
                answer.status === 403 &&
                expectedError(mutation.kind)
                  .split("|")
                  .includes(answer.type ?? "")
              )
                refused++;
              else accepted.push(`${target} ${mutation.kind}: ${answer.status} ${answer.type}`);
            }
          }),
        );
      }
    }
    reportFigure("sigv4-mutation", {
      operations: targets.length,
      rounds,
      baselines,
      mutated,
      refused,
      accepted: accepted.length,
      kinds: byKind.size,
    });
    assert.deepEqual(accepted.slice(0, 20), []);
    assert.equal(refused, mutated);
  });

  test("clock skew: signed 4:59 away is accepted, 5:01 away is refused, in both directions", async () => {
    const body = JSON.stringify({ SecretId: "chaos/none" });
    const tries = chaosCount({ short: 2, full: 50 });
    let accepted = 0;
    let refused = 0;
    let wrong = 0;
    for (let i = 0; i < tries; i++) {
      for (const [offsetMs, shouldPass] of [
        [-(4 * 60 + 59) * 1000, true],
        [(4 * 60 + 59) * 1000, true],
        [-(5 * 60 + 1) * 1000, false],
        [(5 * 60 + 1) * 1000, false],
      ] as const) {
        const target = targets[i % targets.length] as string;
        const headers = await sign(target, body, testAdmin, new Date(Date.now() + offsetMs));
        const answer = await send(headers, body);
        const passed = !(answer.status === 403 && sigV4Errors.has(answer.type ?? ""));
        if (passed) accepted++;
        else refused++;
        if (passed !== shouldPass) wrong++;
        if (!shouldPass) assert.equal(answer.type, "InvalidSignatureException");
      }
    }
    reportFigure("sigv4-clock-skew", { tries: tries * 4, accepted, refused, wrong });
    assert.equal(wrong, 0);
  });
});
