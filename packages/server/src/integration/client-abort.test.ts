import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { openAuditTrail } from "../app/audit-trail.js";
import type { AuditEvent } from "../audit/event.js";
import { type ServerProcess, startServerProcess } from "../testing/server-process.js";

/**
 * A client that goes away mid-request — or trickles its body until the server's request time-out
 * cuts it off — is recorded as what it is (RequestAbortedException, the client's doing), never as
 * an internal error of the server.
 */
describe("a request cut short by the client or by the server's time-out", () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess({ env: { COFFER_REQUEST_TIMEOUT_SECONDS: "1" } });
  });
  after(async () => {
    await server.stop();
    server.cleanup();
  });

  /** Sends the headers and part of a declared 1,000-byte body, then waits for the socket to close. */
  function partialUpload(how: "client closes" | "server times out"): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect(server.port, "127.0.0.1", () => {
        socket.write(
          [
            "POST / HTTP/1.1",
            `Host: 127.0.0.1:${server.port}`,
            "Content-Type: application/x-amz-json-1.1",
            "X-Amz-Target: secretsmanager.GetSecretValue",
            "Content-Length: 1000",
            "",
            '{"SecretId": "slow',
          ].join("\r\n"),
        );
        if (how === "client closes") socket.destroy();
      });
      socket.on("error", () => {});
      socket.resume();
      socket.on("close", () => resolve());
      socket.setTimeout(20_000, () => reject(new Error("the server never closed the slow upload")));
    });
  }

  async function abortedEvents(): Promise<AuditEvent[]> {
    const log = await openAuditTrail({ COFFER_HOME: server.home, ...server.storeEnv });
    try {
      const page = await log.query({ limit: 1000, order: "asc" });
      return page.events.map((stored) => stored.event);
    } finally {
      await log.close();
    }
  }

  test("recorded as RequestAbortedException, with no server fault logged", async () => {
    await Promise.all([
      partialUpload("client closes"),
      partialUpload("client closes"),
      partialUpload("server times out"),
      partialUpload("server times out"),
    ]);
    // The server records each abort as it notices it; wait until all four are in the trail.
    const deadline = Date.now() + 10_000;
    let events: AuditEvent[] = [];
    for (;;) {
      events = (await abortedEvents()).filter((event) => event.eventName === "GetSecretValue");
      if (events.length >= 4 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(events.length, 4);
    for (const event of events) assert.equal(event.errorCode, "RequestAbortedException");
    assert.doesNotMatch(server.output(), /unexpected error|InternalServiceError|server fault/);
  });
});
