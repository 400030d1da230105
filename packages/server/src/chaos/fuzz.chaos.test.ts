/**
 * Fuzzing a real server process with SigV4-signed requests that reach validation: inputs generated
 * from both service models (valid, single-point mutations, null / "" / [] / {} at every member
 * path), byte mutations of valid bodies, invalid UTF-8, oversized and deeply nested bodies, random
 * targets, and a few slow clients (trickled bodies, dropped connections). Valid GetSecretValue
 * calls of a known secret are interleaved and must keep answering correctly.
 *
 * Asserts: no crash (the process lives and exits 0 on SIGTERM), no 5xx, no secret value echoed,
 * RSS bounded (and not growing through the run), every interleaved valid call right.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { memberPaths, placeAt, ShapeSampler } from "../protocol/member-paths.test-helper.js";
import { loadAdminModel, loadServiceModel, operationNames, type ServiceModel } from "../protocol/model.js";
import { arbitraryForShape } from "../protocol/shape-arbitrary.test-helper.js";
import { mutationsOf } from "../protocol/shape-mutations.test-helper.js";
import { type ServerProcess, startServerProcess } from "../testing/server-process.js";
import {
  adminTarget,
  type RawResponse,
  type SignedCaller,
  secretsManagerTarget,
  signedCaller,
} from "../testing/signed-call.js";
import { chaosCount, reportFigure } from "./chaos-scale.js";

const REQUESTS = chaosCount({ short: 3000, full: 100_000 });
const SLOW_CLIENTS = chaosCount({ short: 4, full: 24 });
const IN_FLIGHT = 16;
/** One valid GetSecretValue of the known secret every this many fuzzed requests. */
const VALID_EVERY = 25;
const RSS_LIMIT_BYTES = 300 * 1024 * 1024;
/** Allowed RSS rise from the second quarter of the run to the last (warm-up is the first). */
const RSS_GROWTH_LIMIT_BYTES = 64 * 1024 * 1024;
const MAX_BODY_BYTES = 256 * 1024;

const KNOWN_SECRET = "fuzz-known";
const KNOWN_VALUE = "fuzz-known-value-3e1f0c7a";

let server: ServerProcess;
let client: SignedCaller;

before(async () => {
  server = await startServerProcess({ env: { COFFER_LOG_LEVEL: "warn" } });
  client = signedCaller(server.url, undefined, { maxSockets: IN_FLIGHT + 2, timeoutMs: 15_000 });
  const created = await client.call(
    secretsManagerTarget("CreateSecret"),
    JSON.stringify({ Name: KNOWN_SECRET, SecretString: KNOWN_VALUE }),
  );
  assert.equal(created.status, 200, created.body);
});
after(async () => {
  client.close();
  if (server !== undefined) {
    await server.kill().catch(() => undefined);
    server.cleanup();
  }
});

interface Api {
  model: ServiceModel;
  target: (operation: string) => string;
  operations: string[];
}

/** Operations whose valid calls add state; generated valid calls leave them out so RSS measures leaks. */
const CREATING = new Set([
  "CreateSecret",
  "PutSecretValue",
  "CreateUser",
  "CreateAccessKey",
  "PutUserPolicy",
]);

const apis: Api[] = [
  { model: loadServiceModel(), target: secretsManagerTarget },
  { model: loadAdminModel(), target: adminTarget },
].map((api) => ({
  ...api,
  operations: operationNames(api.model).filter((op) => api.model.operations[op]?.input !== undefined),
}));

interface FuzzRequest {
  kind: string;
  target: string;
  body: string | Buffer;
}

/** Keeps a generated long-poll from holding a connection for 20 s. */
function noWait(input: unknown): unknown {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return input;
  const copy: Record<string, unknown> = { ...input };
  if ("WaitTimeSeconds" in copy) copy.WaitTimeSeconds = 0;
  // StartSeq is left as generated: a huge one once froze the server (audit-reader.test.ts).
  return copy;
}

const operationArbitrary = fc.constantFrom(
  ...apis.flatMap((api) => api.operations.map((operation) => ({ api, operation }))),
);

function inputShapeOf(api: Api, operation: string): string {
  return api.model.operations[operation]?.input?.shape as string;
}

const arbitraryCache = new Map<string, fc.Arbitrary<unknown>>();
function validInput(api: Api, operation: string): fc.Arbitrary<unknown> {
  const shape = inputShapeOf(api, operation);
  const key = `${api.model.metadata.targetPrefix}.${shape}`;
  let arbitrary = arbitraryCache.get(key);
  if (arbitrary === undefined) {
    arbitrary = arbitraryForShape(api.model, shape).map(noWait);
    arbitraryCache.set(key, arbitrary);
  }
  return arbitrary;
}

const validRequest: fc.Arbitrary<FuzzRequest> = operationArbitrary
  .filter(({ operation }) => !CREATING.has(operation))
  .chain(({ api, operation }) =>
    validInput(api, operation).map((input) => ({
      kind: "valid",
      target: api.target(operation),
      body: JSON.stringify(input),
    })),
  );

const mutatedRequest: fc.Arbitrary<FuzzRequest> = operationArbitrary.chain(({ api, operation }) =>
  fc.tuple(validInput(api, operation), fc.nat()).map(([input, pick]) => {
    const mutations = mutationsOf(api.model, inputShapeOf(api, operation), input);
    const mutation = mutations[pick % Math.max(mutations.length, 1)];
    const mutated = mutation === undefined ? input : noWait(mutation.apply(input));
    return { kind: "mutated", target: api.target(operation), body: JSON.stringify(mutated) };
  }),
);

/** One sampler per model: building arbitraries (and their regular expressions) is the slow part. */
const samplers = new Map(apis.map((api) => [api, new ShapeSampler(api.model, 20261203)]));
const pathsCache = new Map<string, ReturnType<typeof memberPaths>>();

const nullRequest: fc.Arbitrary<FuzzRequest> = operationArbitrary.chain(({ api, operation }) => {
  const key = `${api.model.metadata.targetPrefix}.${operation}`;
  const paths = pathsCache.get(key) ?? memberPaths(api.model, inputShapeOf(api, operation));
  pathsCache.set(key, paths);
  return fc
    .tuple(
      fc.nat({ max: Math.max(paths.length - 1, 0) }),
      fc.constantFrom<unknown>(null, "", [], {}, 0, false),
    )
    .map(([index, value]) => {
      const sampler = samplers.get(api) as ShapeSampler;
      const base = noWait(sampler.sample(inputShapeOf(api, operation))) as Record<string, unknown>;
      const path = paths[index];
      const input = path === undefined ? base : placeAt(api.model, sampler, base, path, value);
      return { kind: "nulls", target: api.target(operation), body: JSON.stringify(input) };
    });
});

const byteEdit = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  byte: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x22, 0x5c, 0x7b, 0x5d, 0x00, 0xff, 0xc3)),
  op: fc.constantFrom("set", "insert", "delete"),
});

const byteMutatedRequest: fc.Arbitrary<FuzzRequest> = validRequest.chain((request) =>
  fc.array(byteEdit, { minLength: 1, maxLength: 8 }).map((edits) => {
    const bytes = [...Buffer.from(request.body)];
    for (const { at, byte, op } of edits) {
      const index = Math.min(Math.floor(at * bytes.length), Math.max(bytes.length - 1, 0));
      if (op === "set") bytes[index] = byte;
      else if (op === "insert") bytes.splice(index, 0, byte);
      else bytes.splice(index, 1);
    }
    return { kind: "bytes", target: request.target, body: Buffer.from(bytes) };
  }),
);

const INVALID_UTF8: readonly number[][] = [
  [0xff],
  [0xc3],
  [0x80, 0x80],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
];

const invalidUtf8Request: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.constantFrom(
      ["GetSecretValue", "SecretId"],
      ["CreateSecret", "Name"],
      ["CreateSecret", "SecretString"],
      ["DescribeSecret", "SecretId"],
      ["ListSecrets", "NextToken"],
    ),
    fc.constantFrom(...INVALID_UTF8),
    fc.boolean(),
  )
  .map(([[operation, member], bad, inKey]) => {
    const marker = "MARKER";
    const text = JSON.stringify(inKey ? { [marker]: "x" } : { [member as string]: `a${marker}b` });
    const [head, tail] = text.split(marker) as [string, string];
    return {
      kind: "utf8",
      target: secretsManagerTarget(operation as string),
      body: Buffer.concat([Buffer.from(head), Buffer.from(bad), Buffer.from(tail)]),
    };
  });

const oversizedRequest: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.constantFrom("GetSecretValue", "CreateSecret", "ListSecrets"),
    fc.constantFrom(MAX_BODY_BYTES - 64, MAX_BODY_BYTES + 1, 2 * MAX_BODY_BYTES, 4 * 1024 * 1024),
  )
  .map(([operation, size]) => {
    const filler = "x".repeat(Math.max(size - 40, 0));
    return {
      kind: "oversized",
      target: secretsManagerTarget(operation),
      body: JSON.stringify({ SecretId: filler, Name: "big", Unknown: "" }).slice(0, size),
    };
  });

const nestedRequest: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.constantFrom("GetSecretValue", "ListSecrets", "CreateSecret", "TagResource"),
    fc.constantFrom("SecretId", "Filters", "Tags", "Unknown", ""),
    fc.constantFrom("[", '{"a":'),
    fc.constantFrom(100, 10_000, 100_000),
  )
  .map(([operation, member, open, depth]) => {
    const close = open === "[" ? "]" : "}";
    const deep = `${open.repeat(depth)}1${close.repeat(depth)}`;
    const body = member === "" ? deep : `{"SecretId":"x","Name":"n",${JSON.stringify(member)}:${deep}}`;
    return { kind: "nested", target: secretsManagerTarget(operation), body };
  });

const odditiesRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc
    .tuple(fc.string({ maxLength: 60 }), fc.string({ maxLength: 200 }))
    .map(([target, body]) => ({ kind: "oddities", target: target.replace(/[^\x21-\x7e]/g, ""), body })),
  fc
    .tuple(operationArbitrary, fc.json({ maxDepth: 4 }))
    .map(([{ api, operation }, body]) => ({ kind: "oddities", target: api.target(operation), body })),
  fc
    .tuple(
      fc.constantFrom("coffer.", "secretsmanager.", "coffer.CreateUser.", ""),
      fc.string({ maxLength: 40 }),
    )
    .map(([prefix, name]) => ({
      kind: "oddities",
      target: `${prefix}${name}`.replace(/[^\x21-\x7e]/g, ""),
      body: "{}",
    })),
);

const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  { weight: 3, arbitrary: validRequest },
  { weight: 6, arbitrary: mutatedRequest },
  { weight: 6, arbitrary: nullRequest },
  { weight: 5, arbitrary: byteMutatedRequest },
  { weight: 1, arbitrary: invalidUtf8Request },
  { weight: 1, arbitrary: oversizedRequest },
  { weight: 1, arbitrary: nestedRequest },
  { weight: 2, arbitrary: odditiesRequest },
);

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/** A valid GetSecretValue sent with its body trickled a byte at a time, or cut off mid-body. */
async function slowClient(mode: "trickle" | "drop" | "stall"): Promise<string | undefined> {
  const body = Buffer.from(JSON.stringify({ SecretId: KNOWN_SECRET }));
  const target = secretsManagerTarget("GetSecretValue");
  const headers = await client.sign(target, body);
  const head = [
    "POST / HTTP/1.1",
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    `content-length: ${body.length}`,
    "connection: close",
    "",
    "",
  ].join("\r\n");
  const socket = connect(server.port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const answered = new Promise<string>((resolve) => {
    let text = "";
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
    });
    socket.on("close", () => resolve(text));
    socket.on("error", () => undefined);
  });
  socket.write(head);
  if (mode === "drop") {
    socket.write(body.subarray(0, body.length >> 1));
    await new Promise((resolve) => setImmediate(resolve));
    socket.destroy();
    return undefined;
  }
  if (mode === "stall") {
    // Headers only, then gone after a while without a body.
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.destroy();
    return undefined;
  }
  for (const byte of body) {
    socket.write(Buffer.from([byte]));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const response = await answered;
  if (!response.startsWith("HTTP/1.1 200") || !response.includes(KNOWN_VALUE)) {
    return `trickled request answered wrongly: ${response.slice(0, 200)}`;
  }
  return undefined;
}

// TRACE=1 prints what was drawn and answered, and a heartbeat with the server's RSS and CPU time.
test(`fuzzing ${REQUESTS} signed requests: no crash, no 5xx, bounded memory, valid calls served`, async () => {
  const started = Date.now();
  const byStatus = { "2xx": 0, "4xx": 0, "5xx": 0, other: 0 };
  const byKind = new Map<string, number>();
  const problems: string[] = [];
  let validChecks = 0;
  let validPassed = 0;
  let sent = 0;
  const rss: number[] = [rssBytes(server.pid())];
  const sampler = setInterval(() => {
    try {
      rss.push(rssBytes(server.pid()));
    } catch {
      // The process is gone: the liveness check below reports it.
    }
  }, 200);

  const note = (problem: string) => {
    if (problems.length < 20) problems.push(problem);
  };
  const record = (request: FuzzRequest, response: RawResponse) => {
    const status = response.status;
    if (status >= 200 && status < 300) byStatus["2xx"]++;
    else if (status >= 400 && status < 500) byStatus["4xx"]++;
    else if (status >= 500 && status < 600) byStatus["5xx"]++;
    else byStatus.other++;
    if (status >= 500 || status < 200 || (status >= 300 && status < 400)) {
      note(
        `${request.kind} ${request.target} ${String(request.body).slice(0, 300)} -> ${status} ${response.body.slice(0, 300)}`,
      );
    }
    // A valid BatchGetSecretValue whose filters match the known secret rightly returns its value.
    const mayReturnValue = request.kind === "valid" && /GetSecretValue$/.test(request.target);
    if (!mayReturnValue && response.body.includes(KNOWN_VALUE))
      note(`secret value echoed: ${request.kind} ${request.target}`);
  };

  const checkValid = async () => {
    validChecks++;
    const response = await client
      .call(secretsManagerTarget("GetSecretValue"), JSON.stringify({ SecretId: KNOWN_SECRET }))
      .catch((error: Error) => ({ status: 0, body: error.message, type: "" }));
    const value = response.status === 200 ? (JSON.parse(response.body) as { SecretString?: string }) : {};
    if (value.SecretString === KNOWN_VALUE) validPassed++;
    else note(`valid GetSecretValue failed: ${response.status} ${response.body.slice(0, 200)}`);
  };

  const seed = Number(process.env.COFFER_FUZZ_SEED ?? 20261203);
  const heartbeat = process.env.TRACE
    ? setInterval(
        () =>
          process.stderr.write(
            `H ${sent} ${Math.round(rssBytes(server.pid()) / 1048576)}MB cpu ${readFileSync(`/proc/${server.pid()}/stat`, "utf8").split(" ").slice(13, 15).join(" ")}\n`,
          ),
        1000,
      )
    : undefined;
  const worker = async () => {
    for (;;) {
      const index = sent++;
      if (index >= REQUESTS) return;
      if (index % VALID_EVERY === 0) await checkValid();
      const drawn = Date.now();
      if (process.env.TRACE) process.stderr.write(`D ${index}\n`);
      const [request] = fc.sample(fuzzRequest, { numRuns: 1, seed: seed + index }) as [FuzzRequest];
      if (process.env.TRACE)
        process.stderr.write(
          `T ${index} ${request.kind} ${request.target} ${String(request.body).slice(0, 400)}\n`,
        );
      byKind.set(request.kind, (byKind.get(request.kind) ?? 0) + 1);
      try {
        const response = await client.call(request.target, request.body);
        if (process.env.TRACE)
          process.stderr.write(
            `R ${index} ${request.kind} ${request.target} ${response.status} ${Date.now() - drawn}\n`,
          );
        record(request, response);
      } catch (error) {
        byStatus.other++;
        note(`${request.kind} ${request.target}: ${(error as Error).message}`);
      }
    }
  };
  const slow = Array.from({ length: SLOW_CLIENTS }, (_, index) =>
    slowClient((["trickle", "drop", "stall"] as const)[index % 3] ?? "drop").then((problem) => {
      if (problem !== undefined) note(problem);
    }),
  );
  await Promise.all([...Array.from({ length: IN_FLIGHT }, worker), ...slow]);
  await checkValid();
  clearInterval(sampler);
  if (heartbeat !== undefined) clearInterval(heartbeat);
  rss.push(rssBytes(server.pid()));

  const quarter = Math.floor(rss.length / 4);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
  const secondQuarter = median(rss.slice(quarter, 2 * quarter));
  const lastQuarter = median(rss.slice(3 * quarter));
  const maxRss = Math.max(...rss);
  const durationMs = Date.now() - started;
  const exitCode = await server.stop();

  reportFigure("fuzz", {
    requests: REQUESTS,
    ...Object.fromEntries([...byKind].sort()),
    status2xx: byStatus["2xx"],
    status4xx: byStatus["4xx"],
    status5xx: byStatus["5xx"],
    statusOther: byStatus.other,
    slowClients: SLOW_CLIENTS,
    validChecks,
    validPassed,
    maxRssMB: Math.round(maxRss / 1048576),
    rssSecondQuarterMB: Math.round(secondQuarter / 1048576),
    rssLastQuarterMB: Math.round(lastQuarter / 1048576),
    durationS: Math.round(durationMs / 100) / 10,
    requestsPerS: Math.round((REQUESTS * 1000) / durationMs),
    exitCode: String(exitCode),
  });

  assert.deepEqual(problems, [], `${problems.length}+ problems`);
  assert.equal(byStatus["5xx"], 0);
  assert.equal(validPassed, validChecks);
  assert.equal(exitCode, 0, `server exited with ${exitCode}; output:\n${server.output().slice(-2000)}`);
  assert.ok(maxRss < RSS_LIMIT_BYTES, `RSS reached ${maxRss} bytes`);
  assert.ok(
    lastQuarter - secondQuarter < RSS_GROWTH_LIMIT_BYTES,
    `RSS grew from ${secondQuarter} to ${lastQuarter} bytes through the run`,
  );
});
