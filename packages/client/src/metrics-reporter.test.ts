import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import fc from "fast-check";
import { clientIdFrom, MetricsReporter } from "./metrics-reporter.js";
import { Sha256 } from "./testing/admin-call.js";

/** The server's ClientId rule (model: MetricsClientIdType). */
const SERVER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/;

describe("clientIdFrom", () => {
  it("property: any text becomes an id the server accepts, and a valid id stays as it is", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => {
        const id = clientIdFrom(text);
        assert.ok(id.length >= 1 && id.length <= 128, id);
        assert.match(id, SERVER_PATTERN);
        if (SERVER_PATTERN.test(text) && text.length <= 128) assert.equal(id, text);
      }),
    );
  });
});

describe("MetricsReporter", () => {
  it("counts one cold start, re-sends what a failed report carried, and stops for good when refused", async () => {
    const bodies: Array<Record<string, unknown>> = [];
    const answers = [
      { status: 500, type: "InternalServiceError" },
      { status: 200, type: "" },
      { status: 400, type: "AccessDeniedException" },
    ];
    const server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8");
      });
      request.on("end", () => {
        assert.equal(request.headers["x-amz-target"], "coffer.ReportClientMetrics");
        assert.match(String(request.headers.authorization), /^AWS4-HMAC-SHA256 /);
        bodies.push(JSON.parse(body) as Record<string, unknown>);
        const answer = answers.shift() ?? { status: 200, type: "" };
        response.writeHead(answer.status, { "content-type": "application/x-amz-json-1.1" });
        response.end(answer.type === "" ? "{}" : JSON.stringify({ __type: answer.type, message: "no" }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const failures: Error[] = [];
    const reporter = new MetricsReporter({
      intervalSeconds: 3600,
      clientId: "unit",
      kind: "agent",
      onError: (error) => failures.push(error),
      target: async () => ({
        url: new URL(`http://127.0.0.1:${port}`),
        region: "us-east-1",
        credentials: async () => ({ accessKeyId: "AKIAUNIT", secretAccessKey: "secret" }),
        sha256: Sha256,
      }),
    });
    try {
      await reporter.flush(); // nothing counted: nothing sent
      assert.equal(bodies.length, 0);
      reporter.miss();
      reporter.hit();
      reporter.miss();
      await reporter.flush(); // 500: kept
      assert.equal(failures.length, 1);
      reporter.hit();
      await reporter.flush(); // 200: everything so far
      const sent = bodies.map(({ ColdStarts, CacheHits, CacheMisses, ClientId, Kind }) => ({
        ColdStarts,
        CacheHits,
        CacheMisses,
        ClientId,
        Kind,
      }));
      assert.deepEqual(sent, [
        { ColdStarts: 1, CacheHits: 1, CacheMisses: 2, ClientId: "unit", Kind: "agent" },
        { ColdStarts: 1, CacheHits: 2, CacheMisses: 2, ClientId: "unit", Kind: "agent" },
      ]);
      reporter.miss(); // not a cold start any more
      await reporter.flush(); // refused: stops
      assert.equal(bodies[2]?.ColdStarts, 0);
      assert.match(failures[1]?.message ?? "", /coffer:ReportClientMetrics/);
      reporter.miss();
      await reporter.flush();
      await reporter.close();
      assert.equal(bodies.length, 3);
      assert.equal(failures.length, 2);
    } finally {
      server.close();
    }
  });
});
