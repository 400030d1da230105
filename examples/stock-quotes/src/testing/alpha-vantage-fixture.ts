import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** The recorded TIME_SERIES_INTRADAY answer for AAPL (fixtures/intraday-aapl.json). */
export const recordedIntraday: string = readFileSync(
  new URL("../../fixtures/intraday-aapl.json", import.meta.url),
  "utf8",
);

/** Alpha Vantage's failure bodies, as it sends them (all with HTTP 200). */
export const alphaVantageAnswers = {
  rateLimitNote: {
    Note: "Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute and 500 calls per day. Please visit https://www.alphavantage.co/premium/ if you would like to target a higher API call frequency.",
  },
  rateLimitInformation: {
    Information:
      "Thank you for using Alpha Vantage! Our standard API rate limit is 25 requests per day. Please subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly remove all daily rate limits.",
  },
  premiumInformation: {
    Information:
      "Thank you for using Alpha Vantage! This is a premium endpoint. You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly unlock all premium endpoints",
  },
  invalidKey: {
    "Error Message":
      "the parameter apikey is invalid or missing. Please claim your free API key on (https://www.alphavantage.co/support/#api-key). It should take less than 20 seconds.",
  },
  invalidCall: {
    "Error Message":
      "Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for TIME_SERIES_INTRADAY.",
  },
} as const;

export type FixtureAnswer = { status?: number; contentType?: string; body: string } | "hang";

export interface AlphaVantageFixture {
  /** Base URL to use as ALPHA_VANTAGE_BASE_URL. */
  url: string;
  /** Every request's URL, in order. */
  requests: URL[];
  /** What the next requests get; default the recorded answer. */
  answer: FixtureAnswer;
  close(): Promise<void>;
}

export function jsonAnswer(body: unknown, status = 200): FixtureAnswer {
  return { status, contentType: "application/json", body: JSON.stringify(body) };
}

/** A local stand-in for www.alphavantage.co serving the recorded answer on GET /query. */
export async function startAlphaVantageFixture(): Promise<AlphaVantageFixture> {
  const fixture: AlphaVantageFixture = {
    url: "",
    requests: [],
    answer: { contentType: "application/json", body: recordedIntraday },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://fixture.invalid");
    fixture.requests.push(url);
    const answer = fixture.answer;
    if (answer === "hang") return;
    if (request.method !== "GET" || !url.pathname.endsWith("/query")) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    response
      .writeHead(answer.status ?? 200, { "content-type": answer.contentType ?? "application/json" })
      .end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fixture.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fixture;
}
