#!/usr/bin/env node
// `node scripts/console-screenshots.mjs`: the web console's screenshots in docs/console/*.png, taken
// in headless Chromium (/usr/bin/chromium, or COFFER_TEST_CHROMIUM) from a real server started in a
// temporary data folder, seeded with a few made-up secrets, and removed afterwards.
// Build first (`npm run build`): it uses the compiled server and the built console.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
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
import { adminCall } from "../packages/server/dist/testing/admin-call.js";
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
