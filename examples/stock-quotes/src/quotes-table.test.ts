import assert from "node:assert/strict";
import { test } from "node:test";
import { parseIntraday } from "./alpha-vantage.js";
import { formatQuotesTable } from "./quotes-table.js";
import { recordedIntraday } from "./testing/alpha-vantage-fixture.js";

const { bars } = parseIntraday(JSON.parse(recordedIntraday));

test("the latest bars as a table: time left, numbers right, newest first", () => {
  assert.equal(
    formatQuotesTable(bars, { limit: 3, timeZone: "US/Eastern" }),
    [
      "time (US/Eastern)        open      high       low     close     volume",
      "-------------------  --------  --------  --------  --------  ---------",
      "2024-11-27 15:55:00  234.8700  235.0400  234.6500  234.9300  1,658,094",
      "2024-11-27 15:50:00  234.6300  234.9000  234.5800  234.8650    612,530",
      "2024-11-27 15:45:00  234.7100  234.7800  234.5000  234.6350    433,287",
    ].join("\n"),
  );
});

test("ten bars by default, whatever order they come in", () => {
  const lines = formatQuotesTable([...bars].reverse()).split("\n");
  assert.equal(lines.length, 2 + 10);
  assert.match(lines[0] ?? "", /^time {2,}open {2,}high {2,}low {2,}close {2,}volume$/);
  assert.match(lines[2] ?? "", /^2024-11-27 15:55:00 /);
  assert.match(lines.at(-1) ?? "", /^2024-11-27 15:10:00 /);
});

test("fewer bars than asked for, and none", () => {
  assert.equal(formatQuotesTable(bars, { limit: 50 }).split("\n").length, 2 + 12);
  assert.equal(formatQuotesTable([]), "no bars");
});

test("columns widen for bigger numbers", () => {
  const table = formatQuotesTable([
    { time: "2024-11-27 15:55:00", open: 1, high: 12345.5, low: 0.5, close: 2, volume: 1_234_567_890 },
  ]);
  const [heading, rule, row] = table.split("\n");
  assert.equal(row, "2024-11-27 15:55:00  1.0000  12345.5000  0.5000  2.0000  1,234,567,890");
  assert.equal(rule?.length, row?.length);
  assert.equal(heading?.length, row?.length);
});
