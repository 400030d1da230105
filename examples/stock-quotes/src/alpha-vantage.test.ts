import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, test } from "node:test";
import {
  AlphaVantageError,
  type AlphaVantageErrorKind,
  fetchIntraday,
  parseIntraday,
} from "./alpha-vantage.js";
import {
  type AlphaVantageFixture,
  alphaVantageAnswers,
  jsonAnswer,
  recordedIntraday,
  startAlphaVantageFixture,
} from "./testing/alpha-vantage-fixture.js";

const canary = "CANARYKEY7F3A9C5";

let fixture: AlphaVantageFixture;
before(async () => {
  fixture = await startAlphaVantageFixture();
});
after(() => fixture.close());
beforeEach(() => {
  fixture.requests.length = 0;
  fixture.answer = { contentType: "application/json", body: recordedIntraday };
});

/** Asserts the failure's kind and that its message (and stack) never shows the key. */
async function rejectsAs(
  promise: Promise<unknown>,
  kind: AlphaVantageErrorKind,
  message: RegExp,
  key = canary,
) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AlphaVantageError, `expected an AlphaVantageError, got ${String(error)}`);
    assert.equal(error.kind, kind);
    assert.match(error.message, message);
    for (const form of [key, encodeURIComponent(key)]) {
      assert.equal(`${error.message}\n${error.stack}`.includes(form), false, "the key leaked into the error");
    }
    assert.equal(error.cause, undefined, "no underlying error that could quote the URL");
    return true;
  });
}

describe("parseIntraday", () => {
  test("reads the recorded answer: meta data, and bars newest first as numbers", () => {
    const series = parseIntraday(JSON.parse(recordedIntraday));
    assert.equal(series.symbol, "AAPL");
    assert.equal(series.interval, "5min");
    assert.equal(series.timeZone, "US/Eastern");
    assert.equal(series.lastRefreshed, "2024-11-27 15:55:00");
    assert.equal(series.bars.length, 12);
    assert.deepEqual(series.bars[0], {
      time: "2024-11-27 15:55:00",
      open: 234.87,
      high: 235.04,
      low: 234.65,
      close: 234.93,
      volume: 1658094,
    });
    assert.equal(series.bars.at(-1)?.time, "2024-11-27 15:00:00");
    const times = series.bars.map((bar) => bar.time);
    assert.deepEqual(times, [...times].sort().reverse());
  });

  test("sorts bars that arrive oldest first", () => {
    const recorded = JSON.parse(recordedIntraday) as Record<string, Record<string, unknown>>;
    const reversed = Object.fromEntries(Object.entries(recorded["Time Series (5min)"] ?? {}).reverse());
    const series = parseIntraday({ ...recorded, "Time Series (5min)": reversed });
    assert.equal(series.bars[0]?.time, "2024-11-27 15:55:00");
  });

  test("refuses a bar whose numbers are not numbers", () => {
    const body = JSON.parse(recordedIntraday) as Record<string, Record<string, Record<string, string>>>;
    const bar = body["Time Series (5min)"]?.["2024-11-27 15:55:00"];
    assert.ok(bar);
    bar["2. high"] = "n/a";
    assert.throws(() => parseIntraday(body), /bar 2024-11-27 15:55:00 has no valid "2. high"/);
  });

  test("refuses a series for another interval", () => {
    assert.throws(
      () => parseIntraday(JSON.parse(recordedIntraday), { interval: "1min" }),
      (error: unknown) => {
        assert.ok(error instanceof AlphaVantageError);
        assert.equal(error.kind, "malformed");
        assert.match(
          error.message,
          /without "Meta Data" and "Time Series \(1min\)" \(keys: "Meta Data", "Time Series \(5min\)"\)/,
        );
        return true;
      },
    );
  });
});

describe("fetchIntraday against a local Alpha Vantage", () => {
  test("asks /query for TIME_SERIES_INTRADAY, AAPL, 5min with the key as apikey", async () => {
    const series = await fetchIntraday({ apiKey: canary, baseUrl: fixture.url });
    assert.equal(series.bars.length, 12);
    assert.equal(fixture.requests.length, 1);
    const [request] = fixture.requests;
    assert.equal(request?.pathname, "/query");
    assert.deepEqual(Object.fromEntries(request?.searchParams ?? []), {
      function: "TIME_SERIES_INTRADAY",
      symbol: "AAPL",
      interval: "5min",
      apikey: canary,
    });
  });

  test("keeps a path prefix in the base URL, and encodes a key with reserved characters", async () => {
    const oddKey = "k&y=+/ %1#";
    await fetchIntraday({ apiKey: oddKey, baseUrl: `${fixture.url}/alpha-vantage` });
    assert.equal(fixture.requests[0]?.pathname, "/alpha-vantage/query");
    assert.equal(fixture.requests[0]?.searchParams.get("apikey"), oddKey);
    assert.equal(fixture.requests[0]?.searchParams.get("symbol"), "AAPL");
  });

  const errorShapes: Array<[string, unknown, AlphaVantageErrorKind, RegExp]> = [
    [
      "Note (the older rate limit)",
      alphaVantageAnswers.rateLimitNote,
      "rate-limited",
      /rate limit reached: .*5 calls per minute/,
    ],
    [
      "Information about the daily limit",
      alphaVantageAnswers.rateLimitInformation,
      "rate-limited",
      /rate limit reached: .*25 requests per day/,
    ],
    [
      "Information about a premium endpoint",
      alphaVantageAnswers.premiumInformation,
      "rejected",
      /declined the request: .*premium endpoint/,
    ],
    [
      "Error Message for a bad key",
      alphaVantageAnswers.invalidKey,
      "rejected",
      /rejected the request: the parameter apikey is invalid/,
    ],
    [
      "Error Message for a bad call",
      alphaVantageAnswers.invalidCall,
      "rejected",
      /rejected the request: Invalid API call/,
    ],
    ["an empty object", {}, "malformed", /without "Meta Data" and "Time Series \(5min\)" \(keys: none\)/],
    ["an array", [], "malformed", /not an object/],
  ];
  for (const [name, body, kind, message] of errorShapes) {
    test(`${name} becomes a ${kind} error without the key`, async () => {
      fixture.answer = jsonAnswer(body);
      await rejectsAs(fetchIntraday({ apiKey: canary, baseUrl: fixture.url }), kind, message);
    });
  }

  test("a message that quotes the key back has it removed", async () => {
    const oddKey = "key with spaces&more";
    for (const form of [
      oddKey,
      encodeURIComponent(oddKey),
      new URLSearchParams({ k: oddKey }).toString().slice(2),
    ]) {
      fixture.answer = jsonAnswer({ "Error Message": `the apikey ${form} is invalid` });
      await rejectsAs(
        fetchIntraday({ apiKey: oddKey, baseUrl: fixture.url }),
        "rejected",
        /the apikey \[REDACTED\] is invalid/,
        oddKey,
      );
    }
  });

  test("an HTTP error status and a non-JSON body", async () => {
    fixture.answer = { status: 503, contentType: "text/html", body: "<html>busy</html>" };
    await rejectsAs(fetchIntraday({ apiKey: canary, baseUrl: fixture.url }), "http", /answered HTTP 503/);
    fixture.answer = {
      status: 200,
      contentType: "text/html; charset=utf-8",
      body: "<html>maintenance</html>",
    };
    await rejectsAs(
      fetchIntraday({ apiKey: canary, baseUrl: fixture.url }),
      "malformed",
      /not JSON \(text\/html; charset=utf-8\)/,
    );
  });

  test("no answer within the timeout", async () => {
    fixture.answer = "hang";
    const started = Date.now();
    await rejectsAs(
      fetchIntraday({ apiKey: canary, baseUrl: fixture.url, timeoutMs: 200 }),
      "timeout",
      /within 200 ms/,
    );
    assert.ok(Date.now() - started < 5_000);
  });

  test("nobody listening: the socket error's code, not the URL", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await rejectsAs(
      fetchIntraday({ apiKey: canary, baseUrl: `http://127.0.0.1:${port}` }),
      "unreachable",
      new RegExp(`could not reach Alpha Vantage at http://127.0.0.1:${port} \\(ECONNREFUSED\\)`),
    );
  });

  test("an empty key is refused before any request", async () => {
    await rejectsAs(fetchIntraday({ apiKey: "", baseUrl: fixture.url }), "rejected", /API key is empty/);
    assert.equal(fixture.requests.length, 0);
  });
});
