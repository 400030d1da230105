import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { scanRecentEvents } from "./activity-scan.js";
import type { AuditPageAnswer, AuditPageRequest } from "./audit-reader.js";
import type { AuditEvent } from "./event.js";

/** A reader over `count` events, newest first, paged as AuditReader.queryPage pages (tokens: offsets). */
function fakeReader(count: number, seen: AuditPageRequest[]) {
  return {
    async queryPage(request: AuditPageRequest): Promise<AuditPageAnswer> {
      seen.push(request);
      const from = request.nextToken === undefined ? 0 : Number(request.nextToken);
      const to = Math.min(count, from + request.limit);
      const events = Array.from({ length: to - from }, (_, i) => ({
        seq: count - (from + i),
        prevHash: "",
        hash: "",
        event: { eventID: String(count - (from + i)) } as AuditEvent,
      }));
      return { events, nextToken: to < count ? String(to) : undefined };
    },
  };
}

describe("scanRecentEvents", () => {
  it("property: visits the newest min(count, max) events once, newest first, and says whether it stopped short", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 1, max: 3000 }),
        async (count, max) => {
          const seen: AuditPageRequest[] = [];
          const visited: string[] = [];
          const result = await scanRecentEvents(
            fakeReader(count, seen),
            { from: new Date(0), to: new Date(1), secretId: "s", principal: "p" },
            (event) => visited.push(event.eventID),
            max,
          );
          assert.equal(visited.length, Math.min(count, max));
          assert.deepEqual(
            visited,
            Array.from({ length: visited.length }, (_, i) => String(count - i)),
          );
          assert.equal(result.truncated, count > max);
          assert.equal(result.scanned, visited.length);
          for (const request of seen) {
            assert.equal(request.order, "desc");
            assert.equal(request.secretId, "s");
            assert.equal(request.principal, "p");
            assert.ok(request.limit >= 1 && request.limit <= 1000);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
