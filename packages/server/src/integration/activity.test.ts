/**
 * The Observability data (docs/activity.md) against a real server, on the engine COFFER_TEST_STORE
 * names: GetActivity counts requests, errors and denials in the right buckets and narrows by secret
 * and caller; ListIdleSecrets; ReportClientMetrics and GetClientMetrics; each is denied without its
 * coffer: action; and no secret value reaches any of their answers.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AdminCallError, adminCall, createUserWithPolicy } from "../testing/admin-call.js";
import { type ServerProcess, startServerProcess, testAccountId } from "../testing/server-process.js";
import {
  adminTarget,
  type SignedCaller,
  secretsManagerTarget,
  signedCaller,
} from "../testing/signed-call.js";

const CANARY = "canary-activity-5d1e-do-not-show";
const userArn = (name: string) => `arn:aws:iam::${testAccountId}:user/${name}`;
const allow = (...statements: Array<{ Action: string | string[]; Resource: string }>) => ({
  Version: "2012-10-17",
  Statement: statements.map((s) => ({ Effect: "Allow", ...s })),
});

let server: ServerProcess;
let admin: SignedCaller;
let reader: SignedCaller;
let clumsy: SignedCaller;
let nobody: SignedCaller;
let app: SignedCaller;
let lister: SignedCaller;
let startedS: number;
/** Every body the activity operations answered, for the canary check. */
const answers: string[] = [];

interface Bucket {
  Time: number;
  Requests: number;
  Errors: number;
  Denials: number;
  LatencyP50Ms?: number;
  LatencyP95Ms?: number;
}
interface Activity {
  PeriodSeconds: number;
  Buckets: Bucket[];
  TopCallers: Array<{ Caller: string; Requests: number; Reads: number }>;
  TopSecrets: Array<{ SecretId: string; Name: string; Reads: number }>;
  TotalRequests: number;
  Truncated: boolean;
}

async function call(caller: SignedCaller, target: string, input: object) {
  const response = await caller.call(target, JSON.stringify(input));
  return {
    ...response,
    json: response.body === "" ? {} : (JSON.parse(response.body) as Record<string, unknown>),
  };
}

async function activity(input: object): Promise<Activity> {
  const response = await call(admin, adminTarget("GetActivity"), {
    StartTime: startedS - 60,
    EndTime: Math.ceil(Date.now() / 1000) + 60,
    ...input,
  });
  assert.equal(response.status, 200, response.body);
  answers.push(response.body);
  return response.json as unknown as Activity;
}

const sum = (buckets: Bucket[], key: "Requests" | "Errors" | "Denials") =>
  buckets.reduce((total, bucket) => total + bucket[key], 0);

before(async () => {
  startedS = Math.floor(Date.now() / 1000);
  server = await startServerProcess();
  admin = signedCaller(server.url);
  for (const name of ["act/read-me", "act/other", "act/idle"]) {
    const created = await call(admin, secretsManagerTarget("CreateSecret"), {
      Name: name,
      SecretString: CANARY,
    });
    assert.equal(created.status, 200, created.body);
  }
  const readMe = "arn:aws:secretsmanager:*:*:secret:act/read-me-*";
  reader = signedCaller(
    server.url,
    await createUserWithPolicy(
      server.url,
      "act-reader",
      allow({ Action: "secretsmanager:GetSecretValue", Resource: readMe }),
    ),
  );
  clumsy = signedCaller(
    server.url,
    await createUserWithPolicy(
      server.url,
      "act-clumsy",
      allow({ Action: "secretsmanager:GetSecretValue", Resource: "*" }),
    ),
  );
  nobody = signedCaller(
    server.url,
    await createUserWithPolicy(
      server.url,
      "act-nobody",
      allow({ Action: "secretsmanager:*", Resource: "*" }),
    ),
  );
  app = signedCaller(
    server.url,
    await createUserWithPolicy(
      server.url,
      "act-app",
      allow({ Action: "coffer:ReportClientMetrics", Resource: "*" }),
    ),
  );
  lister = signedCaller(
    server.url,
    await createUserWithPolicy(
      server.url,
      "act-lister",
      allow(
        { Action: "coffer:ListIdleSecrets", Resource: "*" },
        { Action: "secretsmanager:ListSecrets", Resource: "arn:aws:secretsmanager:*:*:secret:act/idle-*" },
      ),
    ),
  );
  // The traffic the figures must show: three reads and a denial by act-reader, a success and an
  // error by act-clumsy.
  for (let i = 0; i < 3; i++) {
    const read = await call(reader, secretsManagerTarget("GetSecretValue"), { SecretId: "act/read-me" });
    assert.equal(read.status, 200, read.body);
  }
  const denied = await call(reader, secretsManagerTarget("GetSecretValue"), { SecretId: "act/other" });
  assert.equal(denied.type, "AccessDeniedException");
  assert.equal(
    (await call(clumsy, secretsManagerTarget("GetSecretValue"), { SecretId: "act/other" })).status,
    200,
  );
  const missing = await call(clumsy, secretsManagerTarget("GetSecretValue"), { SecretId: "act/missing" });
  assert.equal(missing.type, "ResourceNotFoundException");
});

after(async () => {
  for (const caller of [admin, reader, clumsy, nobody, app, lister]) caller?.close();
  await server?.stop();
  server?.cleanup();
});

describe("GetActivity", () => {
  test("a caller's requests, denials and errors, in buckets of the asked period that hold their times", async () => {
    const before = Math.floor(Date.now() / 1000);
    const mine = await activity({ Caller: userArn("act-reader"), PeriodSeconds: 60 });
    assert.equal(mine.PeriodSeconds, 60);
    assert.equal(mine.Truncated, false);
    assert.equal(mine.TotalRequests, 4);
    assert.equal(sum(mine.Buckets, "Requests"), 4);
    assert.equal(sum(mine.Buckets, "Denials"), 1);
    assert.equal(sum(mine.Buckets, "Errors"), 0);
    for (const bucket of mine.Buckets) {
      assert.equal(bucket.Time % 60, 0);
      if (bucket.Requests === 0) {
        assert.equal(bucket.LatencyP50Ms, undefined);
        continue;
      }
      // The calls were made after the test started and before this query.
      assert.ok(bucket.Time + 60 > startedS && bucket.Time <= before, `bucket ${bucket.Time}`);
      assert.equal(typeof bucket.LatencyP50Ms, "number");
      assert.ok(
        (bucket.LatencyP50Ms ?? -1) >= 0 && (bucket.LatencyP50Ms ?? 0) <= (bucket.LatencyP95Ms ?? -1),
      );
    }
    assert.deepEqual(mine.TopCallers, [{ Caller: userArn("act-reader"), Requests: 4, Reads: 3 }]);
    assert.equal(mine.TopSecrets.length, 1);
    assert.equal(mine.TopSecrets[0]?.Name, "act/read-me");
    assert.match(mine.TopSecrets[0]?.SecretId ?? "", /^arn:aws:secretsmanager:.*:secret:act\/read-me-.{6}$/);
    assert.equal(mine.TopSecrets[0]?.Reads, 3);

    const clumsy = await activity({ Caller: userArn("act-clumsy") });
    assert.equal(clumsy.TotalRequests, 2);
    assert.equal(sum(clumsy.Buckets, "Errors"), 1);
    assert.equal(sum(clumsy.Buckets, "Denials"), 0);
    assert.ok(clumsy.PeriodSeconds >= 60);
  });

  test("per secret: the calls that named it, whoever made them", async () => {
    const other = await activity({ SecretId: "act/other" });
    // CreateSecret by the admin, act-reader's denial, act-clumsy's read.
    assert.equal(other.TotalRequests, 3);
    assert.equal(sum(other.Buckets, "Denials"), 1);
    const callers = other.TopCallers.map((c) => c.Caller);
    assert.ok(callers.includes(userArn("act-reader")) && callers.includes(userArn("act-clumsy")));
    assert.deepEqual(
      other.TopSecrets.map((s) => [s.Name, s.Reads]),
      [["act/other", 1]],
    );
  });

  test("overall: every caller, the most-read secret first", async () => {
    const all = await activity({});
    assert.ok(all.TotalRequests >= 6);
    assert.equal(all.TopSecrets[0]?.Name, "act/read-me");
    assert.ok(sum(all.Buckets, "Denials") >= 1 && sum(all.Buckets, "Errors") >= 1);
  });

  test("a range that is empty or cut too fine is refused with a 400", async () => {
    const now = Math.floor(Date.now() / 1000);
    const backwards = await call(admin, adminTarget("GetActivity"), { StartTime: now, EndTime: now - 10 });
    assert.equal(backwards.status, 400);
    assert.match(backwards.body, /EndTime must be after StartTime/);
    const fine = await call(admin, adminTarget("GetActivity"), {
      StartTime: now - 86_400 * 30,
      EndTime: now,
      PeriodSeconds: 60,
    });
    assert.equal(fine.status, 400);
    assert.equal(fine.type, "InvalidParameterException");
  });

  test("outcome events carry their duration", async () => {
    const page = await adminCall(server.url, "QueryAuditEvents", {
      Principal: userArn("act-reader"),
      MaxResults: 10,
    });
    const events = page.Events as Array<{ Event: { additionalEventData?: { durationMs?: unknown } } }>;
    assert.ok(events.length >= 4);
    for (const { Event } of events) {
      assert.equal(typeof Event.additionalEventData?.durationMs, "number");
    }
  });
});

describe("ListIdleSecrets", () => {
  test("secrets nobody read, least recently read first; only those the caller may list", async () => {
    // The read's day is recorded off the read path: wait until DescribeSecret shows it.
    for (const secretId of ["act/read-me", "act/other"]) {
      for (let attempt = 0; ; attempt++) {
        const described = await call(admin, secretsManagerTarget("DescribeSecret"), { SecretId: secretId });
        if (described.json.LastAccessedDate !== undefined) break;
        assert.ok(attempt < 500, `the read of ${secretId} was never recorded`);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const idle = await call(admin, adminTarget("ListIdleSecrets"), { Days: 1 });
    assert.equal(idle.status, 200, idle.body);
    answers.push(idle.body);
    const secrets = idle.json.Secrets as Array<{
      Name: string;
      ARN: string;
      CreatedDate: number;
      LastAccessedDate?: number;
    }>;
    const names = secrets.map((s) => s.Name);
    assert.ok(names.includes("act/idle"));
    assert.ok(!names.includes("act/read-me"), "read today, so not idle");
    assert.ok(!names.includes("act/other"), "read today, so not idle");
    for (const secret of secrets) {
      assert.equal(secret.LastAccessedDate, undefined);
      assert.ok(secret.CreatedDate > startedS - 5);
    }

    const listed = await call(lister, adminTarget("ListIdleSecrets"), { Days: 30 });
    assert.equal(listed.status, 200, listed.body);
    answers.push(listed.body);
    assert.deepEqual(
      (listed.json.Secrets as Array<{ Name: string }>).map((s) => s.Name),
      ["act/idle"],
    );
    const paged = await call(admin, adminTarget("ListIdleSecrets"), { Days: 1, MaxResults: 1 });
    assert.equal((paged.json.Secrets as unknown[]).length, 1);
    assert.equal(typeof paged.json.NextToken, "string");
    const bad = await call(admin, adminTarget("ListIdleSecrets"), { Days: 0 });
    assert.equal(bad.status, 400);
  });
});

describe("ReportClientMetrics and GetClientMetrics", () => {
  test("reports are summed per client over the range", async () => {
    const report = (input: object) =>
      call(app, adminTarget("ReportClientMetrics"), {
        ClientId: "web-1",
        Kind: "client",
        PeriodSeconds: 60,
        ...input,
      });
    const first = await report({ ColdStarts: 1, CacheHits: 5, CacheMisses: 2 });
    assert.equal(first.status, 200, first.body);
    assert.deepEqual(first.json, {});
    assert.equal((await report({ ColdStarts: 0, CacheHits: 7, CacheMisses: 1 })).status, 200);
    assert.equal(
      (await report({ ClientId: "agent-a", Kind: "agent", ColdStarts: 1, CacheHits: 0, CacheMisses: 1 }))
        .status,
      200,
    );
    const got = await call(admin, adminTarget("GetClientMetrics"), {
      StartTime: startedS - 60,
      EndTime: Math.ceil(Date.now() / 1000) + 60,
    });
    assert.equal(got.status, 200, got.body);
    answers.push(got.body);
    const clients = got.json.Clients as Array<Record<string, unknown>>;
    const web = clients.find((c) => c.ClientId === "web-1");
    assert.deepEqual(
      { ...web, LastReportTime: undefined },
      {
        ClientId: "web-1",
        Kind: "client",
        Caller: userArn("act-app"),
        ColdStarts: 1,
        CacheHits: 12,
        CacheMisses: 3,
        LastReportTime: undefined,
      },
    );
    assert.ok(Math.abs(Number(web?.LastReportTime) - Date.now() / 1000) < 120);
    assert.equal(clients.find((c) => c.ClientId === "agent-a")?.Kind, "agent");
    // A range before the reports holds none of them.
    const earlier = await call(admin, adminTarget("GetClientMetrics"), {
      StartTime: startedS - 7200,
      EndTime: startedS - 3600,
    });
    assert.deepEqual(earlier.json.Clients, []);
  });

  test("bad reports are refused with a 400 naming the member", async () => {
    const base = {
      ClientId: "web-1",
      Kind: "client",
      ColdStarts: 0,
      CacheHits: 0,
      CacheMisses: 0,
      PeriodSeconds: 60,
    };
    for (const [bad, member] of [
      [{ Kind: "browser" }, "kind"],
      [{ ClientId: "has space" }, "clientId"],
      [{ ClientId: "" }, "clientId"],
      [{ ClientId: "x".repeat(129) }, "clientId"],
      [{ CacheHits: -1 }, "cacheHits"],
      [{ CacheMisses: 2_000_000_000 }, "cacheMisses"],
      [{ ColdStarts: 1.5 }, "coldStarts"],
      [{ PeriodSeconds: 0 }, "periodSeconds"],
    ] as const) {
      const response = await call(app, adminTarget("ReportClientMetrics"), { ...base, ...bad });
      assert.equal(response.status, 400, `${JSON.stringify(bad)}: ${response.body}`);
      assert.ok(response.body.includes(member), `${JSON.stringify(bad)}: ${response.body}`);
    }
  });
});

describe("authorization", () => {
  test("each operation is denied without its coffer: action, even to a caller with secretsmanager:*", async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const [operation, input] of [
      ["GetActivity", { StartTime: now - 3600, EndTime: now }],
      ["ListIdleSecrets", { Days: 7 }],
      ["GetClientMetrics", { StartTime: now - 3600, EndTime: now }],
      [
        "ReportClientMetrics",
        { ClientId: "x", Kind: "client", ColdStarts: 0, CacheHits: 0, CacheMisses: 0, PeriodSeconds: 1 },
      ],
    ] as const) {
      const response = await call(nobody, adminTarget(operation), input);
      assert.equal(response.type, "AccessDeniedException", `${operation}: ${response.body}`);
      assert.ok(response.body.includes(`coffer:${operation}`), response.body);
    }
    await assert.rejects(
      adminCall(
        server.url,
        "GetActivity",
        { StartTime: now - 60, EndTime: now },
        { accessKeyId: "AKIANOTAKEY000000000", secretAccessKey: "x" },
      ),
      (error: AdminCallError) => error.status >= 400 && error.status < 500,
    );
  });
});

describe("canary", () => {
  test("no secret value reaches the activity answers", () => {
    assert.ok(answers.length >= 5);
    for (const body of answers) assert.ok(!body.includes(CANARY), body.slice(0, 200));
  });
});
