#!/usr/bin/env node
// `node scripts/console-screenshots.mjs`: the web console's screenshots in docs/console/*.png, taken
// in headless Chromium (/usr/bin/chromium, or COFFER_TEST_CHROMIUM) from a real server started in a
// temporary data folder, seeded with a few made-up secrets, and removed afterwards.
// The Activity page needs traffic over a few minutes (the audit trail cannot be back-dated): the
// script makes it for SCREENSHOT_TRAFFIC_SECONDS (default 180) before the Activity screenshot —
// reads by two applications, reads refused to a third, a few unknown names, client reports.
// Build first (`npm run build`): it uses the compiled server and the built console.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import {
  chromiumPath,
  ensureConsoleBuilt,
  launchBrowser,
} from "../packages/server/dist/integration/console/browser.test-helper.js";
import {
  goTo,
  openConsole,
  openSecret,
  openTab,
  revealValue,
  signIn,
} from "../packages/server/dist/integration/console/console-driver.test-helper.js";
import { adminCall, createUserWithPolicy } from "../packages/server/dist/testing/admin-call.js";
import { startServerProcess, testAdmin } from "../packages/server/dist/testing/server-process.js";

const root = new URL("..", import.meta.url).pathname;
const outDir = join(root, "docs/console");
if (!existsSync(chromiumPath)) {
  console.error(`Chromium is not installed at ${chromiumPath} (set COFFER_TEST_CHROMIUM)`);
  process.exit(1);
}
ensureConsoleBuilt();
mkdirSync(outDir, { recursive: true });

const sm = (operation, input) =>
  adminCall(server.url, operation, input, testAdmin, `secretsmanager.${operation}`);
// Made-up values: these pages show them.
const seed = [
  [
    "prod/payments/db",
    "Primary PostgreSQL for the payments service",
    { username: "payments_app", password: "demo-Zq81-not-real", host: "db.internal", port: "5432" },
    [
      ["team", "payments"],
      ["env", "prod"],
    ],
  ],
  [
    "prod/alpha-vantage",
    "Market data API key",
    { apiKey: "demo-key-0000" },
    [
      ["team", "quotes"],
      ["env", "prod"],
    ],
  ],
  [
    "staging/payments/db",
    "Staging database",
    { username: "payments_app", password: "demo-staging" },
    [
      ["team", "payments"],
      ["env", "staging"],
    ],
  ],
  [
    "ci/github-token",
    "Token used by CI to publish packages",
    { token: "demo-ghp-not-real" },
    [["team", "platform"]],
  ],
  [
    "prod/smtp",
    "Outgoing mail relay",
    { user: "mailer", password: "demo-smtp" },
    [
      ["team", "platform"],
      ["env", "prod"],
    ],
  ],
];

const server = await startServerProcess({ store: "sqlite" });
let browser;
try {
  for (const [name, description, value, tags] of seed) {
    await sm("CreateSecret", {
      Name: name,
      Description: description,
      SecretString: JSON.stringify(value),
      Tags: tags.map(([Key, Value]) => ({ Key, Value })),
    });
  }
  await sm("PutSecretValue", {
    SecretId: "prod/payments/db",
    SecretString: JSON.stringify({ ...seed[0][2], password: "demo-rotated-2" }),
  });
  await sm("DeleteSecret", { SecretId: "prod/smtp", RecoveryWindowInDays: 7 });
  await sm("GetSecretValue", { SecretId: "prod/payments/db" });

  const reads = (arn) => ({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: arn },
      { Effect: "Allow", Action: "coffer:ReportClientMetrics", Resource: "*" },
    ],
  });
  const arnOf = async (name) => (await sm("DescribeSecret", { SecretId: name })).ARN;
  const payments = await createUserWithPolicy(
    server.url,
    "payments-api",
    reads(await arnOf("prod/payments/db")),
  );
  const quotes = await createUserWithPolicy(
    server.url,
    "quotes-worker",
    reads(await arnOf("prod/alpha-vantage")),
  );
  const ci = await createUserWithPolicy(server.url, "ci-runner", reads(await arnOf("ci/github-token")));
  const as = (credentials) => (operation, input) =>
    adminCall(server.url, operation, input, credentials, `secretsmanager.${operation}`).catch(
      () => undefined,
    );
  const trafficSeconds = Number(process.env.SCREENSHOT_TRAFFIC_SECONDS ?? 180);
  const trafficEnds = Date.now() + trafficSeconds * 1000;
  console.log(`making ${trafficSeconds} s of traffic for the Activity page…`);
  for (let round = 0; Date.now() < trafficEnds; round++) {
    const wave = 3 + Math.round(3 * (1 + Math.sin(round / 4)));
    for (let i = 0; i < wave; i++) await as(payments)("GetSecretValue", { SecretId: "prod/payments/db" });
    for (let i = 0; i < wave / 2; i++) await as(quotes)("GetSecretValue", { SecretId: "prod/alpha-vantage" });
    if (round % 3 === 0) await as(ci)("GetSecretValue", { SecretId: "prod/payments/db" }); // denied
    if (round % 5 === 0) await as(quotes)("GetSecretValue", { SecretId: "prod/alpha-vantage-old" }); // not found
    await delay(2_000);
  }
  for (const [who, ClientId, Kind, ColdStarts, CacheHits, CacheMisses] of [
    [payments, "payments-api-7f9c", "client", 3, 1840, 21],
    [quotes, "quotes-agent-1", "agent", 1, 960, 64],
  ]) {
    await adminCall(
      server.url,
      "ReportClientMetrics",
      { ClientId, Kind, ColdStarts, CacheHits, CacheMisses, PeriodSeconds: 60 },
      who,
    );
  }

  browser = await launchBrowser();
  const wide = await openConsole(browser, server.url);
  const page = wide.page;
  const shot = async (name, target = page) => {
    await target.waitForLoadState("networkidle");
    await target.screenshot({ path: join(outDir, `${name}.png`), fullPage: false });
    console.log(`docs/console/${name}.png`);
  };
  await shot("sign-in");
  await signIn(page, testAdmin);
  await page.getByRole("link", { name: "prod/payments/db" }).waitFor();
  await shot("secrets-list");
  await openSecret(page, "prod/payments/db");
  await shot("secret-detail");
  await revealValue(page);
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  await page.getByRole("textbox", { name: "Key 1" }).waitFor();
  await shot("secret-edit");
  await page.getByRole("button", { name: "Cancel" }).click();
  await openTab(page, "Versions");
  await page.getByRole("button", { name: /^Make version .* current$/ }).waitFor();
  await shot("secret-versions");
  await openTab(page, "Resource policy");
  await page.getByLabel("Resource policy (JSON)").fill(
    JSON.stringify(
      {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::123456789012:user/payments-app" },
            Action: "secretsmanager:GetSecretValue",
            Resource: "*",
          },
          { Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" },
        ],
      },
      null,
      2,
    ),
  );
  await page.getByRole("button", { name: "Validate" }).click();
  await page
    .getByRole("heading", { name: /Validation/ })
    .or(page.getByText("Validation passed"))
    .first()
    .waitFor();
  await shot("secret-policy");
  await openTab(page, "Access");
  await page
    .getByRole("region", { name: "Who can access" })
    .getByRole("link", { name: "payments-api", exact: true })
    .waitFor();
  await shot("secret-access");

  await goTo(page, "Activity");
  await page.getByLabel("Time range").selectOption("15m");
  await page
    .locator('[data-testid="requests-chart"][data-total-requests]:not([data-total-requests="0"])')
    .waitFor();
  await page.getByRole("list", { name: "Top readers by requests" }).getByText("user/payments-api").waitFor();
  await shot("activity");
  await page.setViewportSize({ width: 1280, height: 1600 });
  await page.getByText("payments-api-7f9c").waitFor();
  await page.screenshot({ path: join(outDir, "activity-full.png"), fullPage: true });
  console.log("docs/console/activity-full.png");
  await page.setViewportSize({ width: 1280, height: 800 });

  await goTo(page, "Access");
  await page.getByRole("heading", { level: 2, name: "Users" }).waitFor();
  await page.getByRole("link", { name: "payments-api", exact: true }).first().click();
  await page.getByRole("heading", { level: 2, name: "User payments-api" }).waitFor();
  await shot("access-user");
  await page
    .getByRole("navigation", { name: "Access sections" })
    .getByRole("link", { name: "Policy findings" })
    .click();
  await page.getByRole("region", { name: "Policy findings" }).getByRole("row").nth(1).waitFor();
  await shot("access-findings");
  await wide.close();

  const narrow = await openConsole(browser, server.url, { viewport: { width: 390, height: 844 } });
  await signIn(narrow.page, testAdmin);
  await goTo(narrow.page, "Secrets");
  await narrow.page.getByRole("link", { name: "prod/payments/db" }).waitFor();
  await shot("narrow-secrets-list", narrow.page);
  await narrow.close();
} finally {
  await browser?.close();
  await server.stop();
  server.cleanup();
}
