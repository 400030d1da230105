/**
 * The console's Activity and Access pages in headless Chromium against a real server: a request
 * made outside the browser shows up in the requests chart; a user and an access key made and the
 * key disabled through the Access page; a secret's access panel names the admin.
 * If the Activity page cannot load coffer.GetActivity, the test fails with the page's error.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { adminCall, createUserWithPolicy } from "../../testing/admin-call.js";
import {
  type ServerProcess,
  startServerProcess,
  testAccountId,
  testAdmin,
} from "../../testing/server-process.js";
import { secretsManagerTarget, signedCaller } from "../../testing/signed-call.js";
import { ensureConsoleBuilt, launchBrowser, requireChromium } from "./browser.test-helper.js";
import { type ConsolePage, goTo, openConsole, openTab, signIn } from "./console-driver.test-helper.js";

const adminArn = `arn:aws:iam::${testAccountId}:user/admin`;
const readerName = "activity-reader";
const readerArn = `arn:aws:iam::${testAccountId}:user/${readerName}`;
const secretName = "activity/pages-secret";

describe("console Activity and Access pages (headless Chromium)", requireChromium(), () => {
  let server: ServerProcess;
  let browser: Browser;
  let consolePage: ConsolePage;
  let page: Page;
  let problems: string[];

  before(async () => {
    ensureConsoleBuilt();
    server = await startServerProcess();
    const admin = signedCaller(server.url, testAdmin);
    const created = await admin.call(
      secretsManagerTarget("CreateSecret"),
      JSON.stringify({ Name: secretName, SecretString: "activity-pages-canary-value" }),
    );
    admin.close();
    assert.equal(created.status, 200, created.body);
    browser = await launchBrowser();
    consolePage = await openConsole(browser, server.url, { viewport: { width: 1280, height: 900 } });
    ({ page, problems } = consolePage);
    await signIn(page, testAdmin);
  });

  after(async () => {
    await consolePage?.close();
    await browser?.close();
    await server?.stop();
    server?.cleanup();
  });

  test("a request made outside the browser appears in the requests chart", async () => {
    // The reader's key makes the request; the chart is filtered to the reader, so the console's own
    // calls (every refresh is a request too) can't make the total grow.
    const reader = await createUserWithPolicy(server.url, readerName, {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "secretsmanager:ListSecrets", Resource: "*" }],
    });
    await goTo(page, "Activity");
    await page.getByRole("heading", { level: 1, name: "Activity" }).waitFor();
    await page.getByLabel(/^Caller/).fill(readerArn);
    await page.getByRole("button", { name: "Apply filters" }).click();

    const chart = page.getByTestId("requests-chart");
    // The chart with its total, or the page's error naming GetActivity. (Selectors, not string
    // predicates: the console's CSP forbids the eval that polling a string would need.)
    await page
      .locator('[data-testid="requests-chart"][data-total-requests], [role="alert"]:has-text("GetActivity")')
      .first()
      .waitFor({ timeout: 20_000 });
    if ((await chart.getAttribute("data-total-requests")) === null) {
      const alerts = (await page.getByRole("alert").allTextContents()).join(" ");
      assert.fail(`The Activity page could not load GetActivity: ${alerts}`);
    }
    // Filtered to the reader, who has made no request yet.
    await page.getByText(/No requests for caller .* in this range/).waitFor();
    const before = Number(await chart.getAttribute("data-total-requests"));
    assert.equal(before, 0);

    const caller = signedCaller(server.url, reader);
    const listed = await caller.call(secretsManagerTarget("ListSecrets"), "{}");
    caller.close();
    assert.equal(listed.status, 200, listed.body);

    // The page refreshes every 10 s while visible: wait for the attribute to change, no fixed sleep.
    await page
      .locator(`[data-testid="requests-chart"][data-total-requests]:not([data-total-requests="${before}"])`)
      .waitFor({ timeout: 30_000 });
    assert.equal(Number(await chart.getAttribute("data-total-requests")), 1);
    // The top readers list names the reader, and the figure's label says the total.
    await page
      .getByRole("list", { name: "Top readers by requests" })
      .getByText(`user/${readerName}`)
      .waitFor();
    const label = await chart.locator("figcaption").textContent();
    assert.match(label ?? "", /\b1 request,/);

    // Drag across the chart: the page asks for that narrower range, and "Reset zoom" undoes it.
    const plot = await chart.locator(".u-over").boundingBox();
    assert.ok(plot, "the chart has a plot area");
    await page.mouse.move(plot.x + plot.width * 0.2, plot.y + plot.height / 2);
    await page.mouse.down();
    await page.mouse.move(plot.x + plot.width * 0.7, plot.y + plot.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.getByRole("status").filter({ hasText: "Zoomed to" }).waitFor();
    await page.getByRole("button", { name: "Reset zoom" }).click();
    await page.getByText("Drag across a chart to zoom into a time range.").waitFor();
    await page.locator('[data-testid="requests-chart"][data-total-requests="1"]').waitFor();
    assert.deepEqual(problems, []);
  });

  test("Access: create a user and an access key, see its secret once, disable it", async () => {
    await goTo(page, "Access");
    await page.getByRole("heading", { level: 2, name: "Users" }).waitFor();
    await page.getByLabel("User name").fill("console-made");
    await page.getByRole("button", { name: "Create user" }).click();
    await page.getByRole("heading", { level: 2, name: "User console-made" }).waitFor();
    assert.match(page.url(), /\/console\/access\?user=console-made$/);

    await page.getByRole("button", { name: "Create access key" }).click();
    const shown = page.getByRole("region", { name: "New access key" });
    await shown.waitFor();
    assert.match((await shown.textContent()) ?? "", /shown this once/);
    const secretKey = (await page.getByTestId("new-secret-access-key").textContent()) ?? "";
    assert.ok(secretKey.length >= 20, `a secret access key is shown (got ${secretKey.length} characters)`);
    const { AccessKeyMetadata } = (await adminCall(server.url, "ListAccessKeys", {
      UserName: "console-made",
    })) as {
      AccessKeyMetadata: { AccessKeyId: string; Status: string }[];
    };
    assert.equal(AccessKeyMetadata.length, 1);
    const keyId = AccessKeyMetadata[0]?.AccessKeyId ?? "";
    // The key works: its secret as shown signs a request.
    const asNewUser = signedCaller(server.url, { accessKeyId: keyId, secretAccessKey: secretKey });
    const denied = await asNewUser.call(secretsManagerTarget("ListSecrets"), "{}");
    asNewUser.close();
    assert.equal(
      denied.type,
      "AccessDeniedException",
      "the key authenticates (and, without a policy, is denied)",
    );

    await page.getByRole("button", { name: "I have saved it — hide it" }).click();
    await shown.waitFor({ state: "detached" });
    assert.ok(
      !((await page.content()) ?? "").includes(secretKey),
      "the secret is gone from the page once hidden",
    );
    assert.ok(!page.url().includes(secretKey));

    await page.getByRole("button", { name: `Disable ${keyId}` }).click();
    await page
      .getByRole("status")
      .filter({ hasText: `Disabled ${keyId}.` })
      .waitFor();
    await page.getByRole("button", { name: `Enable ${keyId}` }).waitFor();
    const after = (await adminCall(server.url, "ListAccessKeys", { UserName: "console-made" })) as {
      AccessKeyMetadata: { AccessKeyId: string; Status: string }[];
    };
    assert.equal(after.AccessKeyMetadata[0]?.Status, "Inactive");

    // A key with an expiry: the admin API sets it at creation.
    await page.getByLabel(/^Expires after \(days\)/).fill("2");
    await page.getByRole("button", { name: "Create access key" }).click();
    await shown.waitFor();
    await page.getByRole("button", { name: "I have saved it — hide it" }).click();
    const withExpiry = (await adminCall(server.url, "ListAccessKeys", { UserName: "console-made" })) as {
      AccessKeyMetadata: { AccessKeyId: string; Expiration?: number; CreateDate: number }[];
    };
    const expiring = withExpiry.AccessKeyMetadata.find((key) => key.AccessKeyId !== keyId);
    assert.ok(expiring?.Expiration !== undefined, "the second key has an expiry");
    assert.equal(Math.round(expiring.Expiration - expiring.CreateDate), 2 * 86_400);
    assert.deepEqual(problems, []);
  });

  test("policy findings link to the grant; a lockout refusal offers to force", async () => {
    await page
      .getByRole("navigation", { name: "Access sections" })
      .getByRole("link", { name: "Policy findings" })
      .click();
    const findings = page.getByRole("region", { name: "Policy findings" });
    const superUser = findings.getByRole("row").filter({ hasText: "SUPER_USER_GRANT" }).first();
    await superUser.waitFor();
    await superUser.getByRole("link", { name: "admin · AdministratorAccess" }).click();
    await page.getByRole("heading", { level: 2, name: "User admin" }).waitFor();
    assert.match(page.url(), /\/console\/access\?user=admin$/);

    // Disabling the only administrator's key is refused as a lockout, with an offer to force it.
    await page.getByRole("button", { name: `Disable ${testAdmin.accessKeyId}` }).click();
    const refusal = page.getByRole("alert").filter({ hasText: "Refusing to disable access key" });
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? "", /InvalidRequestException/);
    await page.getByRole("button", { name: `Disable ${testAdmin.accessKeyId} anyway` }).waitFor();
    const keys = (await adminCall(server.url, "ListAccessKeys", { UserName: "admin" })) as {
      AccessKeyMetadata: { AccessKeyId: string; Status: string }[];
    };
    assert.equal(
      keys.AccessKeyMetadata.find((k) => k.AccessKeyId === testAdmin.accessKeyId)?.Status,
      "Active",
    );
    assert.deepEqual(problems, []);
  });

  test("a secret's access panel lists the admin and the statement that lets it read", async () => {
    await goTo(page, `/secrets/${encodeURIComponent(secretName)}`);
    await page.getByRole("heading", { level: 1, name: secretName }).waitFor();
    // The tabs appear once DescribeSecret answers, after the heading: wait for the tab, then
    // open it (counting tabs right after the heading raced that answer on a slow machine).
    await openTab(page, "Access");
    const panel = page.getByRole("region", { name: "Who can access" });
    const adminLink = panel.getByRole("link", { name: "admin", exact: true });
    await adminLink.waitFor();
    const row = panel
      .getByRole("row")
      .filter({ has: page.getByRole("link", { name: "admin", exact: true }) });
    const text = (await row.textContent()) ?? "";
    assert.match(text, new RegExp(adminArn));
    assert.match(text, /secretsmanager:GetSecretValue/);
    assert.match(text, /AdministratorAccess/);
    await adminLink.click();
    await page.getByRole("heading", { level: 2, name: "User admin" }).waitFor();
    // The panel never read the value.
    assert.ok(!(await page.content()).includes("activity-pages-canary-value"));
    assert.deepEqual(problems, []);
  });
});
