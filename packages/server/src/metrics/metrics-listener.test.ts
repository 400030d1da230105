import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { MetricsListenError, startMetricsListener } from "./metrics-listener.js";

const source = { scrape: async () => "up 1\n", contentType: "text/plain; version=0.0.4; charset=utf-8" };

describe("the metrics listener", () => {
  test("serves GET /metrics and nothing else", async () => {
    const listener = await startMetricsListener(source, "127.0.0.1", 0);
    try {
      assert.equal(listener.url, `http://127.0.0.1:${listener.port}/metrics`);
      const ok = await fetch(listener.url);
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get("content-type"), source.contentType);
      assert.equal(await ok.text(), "up 1\n");
      const query = await fetch(`${listener.url}?x=1`);
      assert.equal(await query.text(), "up 1\n");
      const other = await fetch(new URL("/metricsx", listener.url));
      await other.text();
      assert.equal(other.status, 404);
      const post = await fetch(listener.url, { method: "POST", body: "x" });
      await post.text();
      assert.equal(post.status, 405);
      assert.equal(post.headers.get("allow"), "GET, HEAD");
    } finally {
      await listener.close();
    }
  });

  test("a scrape that fails answers 500 without details", async () => {
    const listener = await startMetricsListener(
      { scrape: () => Promise.reject(new Error("secret detail")), contentType: "text/plain" },
      "127.0.0.1",
      0,
    );
    try {
      const response = await fetch(listener.url);
      assert.equal(response.status, 500);
      assert.ok(!(await response.text()).includes("secret detail"));
    } finally {
      await listener.close();
    }
  });

  test("a port in use is refused naming the setting", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      await assert.rejects(
        startMetricsListener(source, "127.0.0.1", port),
        (error: unknown) =>
          error instanceof MetricsListenError &&
          /already in use/.test(error.message) &&
          /COFFER_METRICS_LISTEN/.test(error.message),
      );
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});
