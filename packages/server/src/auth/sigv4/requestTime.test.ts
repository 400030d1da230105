import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { formatAmzDate, parseAmzDate } from "./requestTime.js";

describe("parseAmzDate", () => {
  it("parses ISO 8601 basic format", () => {
    assert.equal(parseAmzDate("20150830T123600Z"), Date.UTC(2015, 7, 30, 12, 36, 0));
    assert.equal(parseAmzDate("20240229T235959Z"), Date.UTC(2024, 1, 29, 23, 59, 59));
  });

  it("rejects other formats, non-digits in any field and impossible dates or times", () => {
    for (const bad of [
      "2015-08-30T12:36:00Z",
      "20150830T123600",
      "20150830 123600Z",
      "20150830T123600z",
      "2015083OT123600Z",
      "x0150830T123600Z",
      "20150830Tx23600Z",
      "20150830T12x600Z",
      "20150830T1236x0Z",
      "20150830T12360xZ",
      "20230229T000000Z",
      "20151301T000000Z",
      "20150800T000000Z",
      "20150830T240000Z",
      "20150830T126000Z",
      "20150830T123660Z",
      "00990830T123600Z",
      "",
    ]) {
      assert.equal(parseAmzDate(bad), undefined, bad);
    }
  });

  it("round-trips with formatAmzDate for any second from year 100 to 9999", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(100, 0, 1) / 1000, max: Date.UTC(9999, 11, 31, 23, 59, 59) / 1000 }),
        (seconds) => {
          const epochMs = seconds * 1000;
          assert.equal(parseAmzDate(formatAmzDate(epochMs)), epochMs);
        },
      ),
    );
  });
});
