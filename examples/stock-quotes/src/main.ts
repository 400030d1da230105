#!/usr/bin/env node
// Prints Apple's latest 5-minute bars with the Alpha Vantage API key read from a secret.
//
//   coffer put alpha-vantage apiKey=YOUR_KEY
//   node examples/stock-quotes/dist/main.js [--bars 20]
//
// Where the secret comes from is configuration only (see @coffer/client): a Coffer endpoint
// (COFFER_ENDPOINT or AWS_ENDPOINT_URL_SECRETS_MANAGER), real AWS Secrets Manager, or
// COFFER_SOURCE=env|files|dotenv|agent.
import { parseArgs } from "node:util";
import { secrets } from "@coffer/client";
import { fetchIntraday } from "./alpha-vantage.js";
import { requireApiKey } from "./api-key.js";
import { loadConfig, parseBars } from "./config.js";
import { formatQuotesTable } from "./quotes-table.js";

const usage = `usage: node dist/main.js [--bars N]

Prints AAPL's latest 5-minute bars from Alpha Vantage. Environment: SECRET_ID (default alpha-vantage),
ALPHA_VANTAGE_BASE_URL, ALPHA_VANTAGE_TIMEOUT_MS, QUOTES_BARS, and @coffer/client's COFFER_SOURCE…`;

try {
  const { values } = parseArgs({
    options: { bars: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(usage);
  } else {
    const config = loadConfig();
    const bars = parseBars("--bars", values.bars) ?? config.bars;

    // The two lines: the key, from whichever backend is configured.
    const { apiKey } = await secrets.getJson(config.secretId);

    const quotes = await fetchIntraday({
      apiKey: requireApiKey(apiKey, config.secretId),
      symbol: "AAPL",
      interval: "5min",
      baseUrl: config.alphaVantageBaseUrl,
      timeoutMs: config.timeoutMs,
    });
    console.log(
      `${quotes.symbol} every ${quotes.interval}, last refreshed ${quotes.lastRefreshed} ${quotes.timeZone}`,
    );
    console.log();
    console.log(formatQuotesTable(quotes.bars, { limit: bars, timeZone: quotes.timeZone }));
  }
} catch (error) {
  // Every message here is written not to contain the key (AlphaVantageError scrubs it; the client's never hold values).
  console.error(`stock-quotes: ${error instanceof Error ? error.message : "failed"}`);
  process.exitCode = 1;
} finally {
  // Stops the client's timers and change-feed subscription so the process can exit.
  await secrets.close().catch(() => undefined);
}
