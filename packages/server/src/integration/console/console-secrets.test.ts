import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { adminCall, createUserWithPolicy } from "../../testing/admin-call.js";
import { type ServerProcess, startServerProcess, testAdmin } from "../../testing/server-process.js";
import { ensureConsoleBuilt, launchBrowser, requireChromium } from "./browser.test-helper.js";
import {
  alertText,
  assertNoProblems,
  type ConsolePage,
  createSecret,
  editField,
  goTo,
  openConsole,
  openSecret,
  openTab,
  persistedState,
  recentAccessRows,
  revealValue,
  signIn,
  signOut,
} from "./console-driver.test-helper.js";

const { skip } = requireChromium();
const canary = "CANARY-console-7f3a9c1e";

describe("web console in headless Chromium", { skip }, () => {
  let server: ServerProcess;
  let browser: Browser;
  const pages: ConsolePage[] = [];
  const open = async (options?: Parameters<typeof openConsole>[2]) => {
    const page = await openConsole(browser, server.url, options);
    pages.push(page);
    return page;
  };

  before(async () => {
    ensureConsoleBuilt();
    server = await startServerProcess();
    browser = await launchBrowser();
  });
  after(async () => {
    for (const page of pages) await page.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
    server?.cleanup();
  });

  test("sign in, create, reveal (audited), edit, sign out; the value stays out of URLs, storage and cookies", async () => {
    const console = await open();
    const { page } = console;
    await signIn(page, testAdmin);
    // The admin key may make sessions: the console signs with a temporary key, not the one typed in.
    assert.match((await page.locator("footer").textContent()) ?? "", /user\/admin until/);

    await createSecret(page, {
      name: "console/e2e/db",
      description: "made by the browser test",
      pairs: [
        ["username", "app"],
        ["password", canary],
      ],
    });
    await openSecret(page, "console/e2e/db");
    // Hidden until Reveal: the value is nowhere in the page, and no GetSecretValue was made.
    assert.equal((await page.content()).includes(canary), false);
    assert.equal(
      (await recentAccessRows(page)).some((row) => row.includes("GetSecretValue")),
      false,
    );

    await revealValue(page);
    await page.getByText(canary, { exact: true }).waitFor();
    const reads = (await recentAccessRows(page)).filter((row) => row.includes("GetSecretValue"));
    assert.equal(reads.length, 1, "the reveal is one audited GetSecretValue");
    assert.match(reads[0] ?? "", /user\/admin/);
    assert.match(reads[0] ?? "", /OK/);
    // Leaving the Value tab forgot the value.
    assert.equal((await page.content()).includes(canary), false);

    await revealValue(page);
    const saved = await editField(page, "password", `${canary}-2`);
    assert.match(saved, /Saved as version .*AWSCURRENT/);
    const stored = await adminCall(
      server.url,
      "GetSecretValue",
      { SecretId: "console/e2e/db" },
      testAdmin,
      "secretsmanager.GetSecretValue",
    );
    assert.deepEqual(JSON.parse(stored.SecretString as string), { username: "app", password: `${canary}-2` });

    await openTab(page, "Versions");
    await page.getByRole("button", { name: /^Make version .* current$/ }).click();
    await page.getByRole("status").filter({ hasText: "AWSCURRENT moved" }).waitFor();
    const back = await adminCall(
      server.url,
      "GetSecretValue",
      { SecretId: "console/e2e/db" },
      testAdmin,
      "secretsmanager.GetSecretValue",
    );
    assert.equal(JSON.parse(back.SecretString as string).password, canary);

    const persisted = await persistedState(console);
    assert.equal(persisted.includes(canary), false, "no value in a URL, web storage or a cookie");
    assert.equal(persisted.includes(testAdmin.secretAccessKey), false, "no secret key in them either");
    assert.match(persisted, /"local":\{\},"session":\{\},"documentCookie":""/);
    assert.match(persisted, /"cookies":\[\]/);

    await signOut(page);
    assert.match((await page.getByRole("status").first().textContent()) ?? "", /You signed out/);
    assert.equal((await page.content()).includes(canary), false);
    // The session is gone: going to a page of the app shows the sign-in form, not the page.
    await goTo(page, "/secrets");
    await page.getByRole("heading", { name: "Sign in to Coffer" }).waitFor();
    assert.equal(await page.getByRole("button", { name: "Sign out" }).count(), 0);
    assertNoProblems(console);
    assert.equal(server.output().includes(canary), false, "no value in the server's log");
  });

  test("a denied action shows the server's AWS error name and message", async () => {
    const created = await adminCall(
      server.url,
      "CreateSecret",
      { Name: "console/e2e/locked", SecretString: canary },
      testAdmin,
      "secretsmanager.CreateSecret",
    );
    const reader = await createUserWithPolicy(server.url, "console-narrow", {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["secretsmanager:ListSecrets", "secretsmanager:DescribeSecret"],
          Resource: "*",
        },
      ],
    });
    // What the API itself answers this user, to compare with what the console shows.
    // (The console names the secret by its ARN, as DescribeSecret gave it.)
    const direct = await fetchDenied(server.url, reader, created.ARN as string);
    const console = await open();
    const { page } = console;
    await signIn(page, reader);
    assert.match((await page.locator("footer").textContent()) ?? "", /user\/console-narrow/);
    await openSecret(page, "console/e2e/locked");
    await openTab(page, "Value");
    await page.getByRole("button", { name: "Reveal value" }).click();
    const shown = await alertText(page);
    assert.equal(shown, `AccessDeniedException: ${direct}`);
    assert.equal((await page.content()).includes(canary), false);
    const persisted = await persistedState(console);
    assert.equal(persisted.includes(reader.secretAccessKey), false);
    assertNoProblems(console);
  });

  test("tags, policy findings, deletion with a recovery window, and restore", async () => {
    const console = await open();
    const { page } = console;
    await signIn(page, testAdmin);
    await createSecret(page, { name: "console/e2e/lifecycle", pairs: [["k", "v"]] });

    await openTab(page, "Tags");
    await page.getByLabel("Key", { exact: true }).fill("team");
    await page.getByLabel("Value", { exact: true }).fill("payments");
    await page.getByRole("button", { name: "Save tag" }).click();
    await page.getByRole("button", { name: "Remove tag team" }).waitFor();
    const described = await adminCall(
      server.url,
      "DescribeSecret",
      { SecretId: "console/e2e/lifecycle" },
      testAdmin,
      "secretsmanager.DescribeSecret",
    );
    assert.deepEqual(described.Tags, [{ Key: "team", Value: "payments" }]);

    await openTab(page, "Resource policy");
    await page.getByLabel("Resource policy (JSON)").fill(
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" },
        ],
      }),
    );
    await page.getByRole("button", { name: "Validate" }).click();
    const findings = page.getByRole("region", { name: /Validation failed/ });
    await findings.waitFor();
    assert.match((await findings.textContent()) ?? "", /PUBLIC_ACCESS/);
    await page.getByLabel("Resource policy (JSON)").fill("{ not json");
    await page.getByRole("button", { name: "Save policy" }).click();
    assert.match(await alertText(page), /^Not valid JSON: /);

    await openTab(page, "Overview");
    await page.getByLabel("Recovery window (days)").selectOption("7");
    const effect = (await page.locator("#delete-effect").textContent()) ?? "";
    const expectedDay = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    assert.match(effect, new RegExp(`deleted on ${expectedDay}`));
    const schedule = page.getByRole("button", { name: "Schedule deletion" });
    assert.equal(await schedule.isDisabled(), true, "disabled until the name is typed");
    await page.getByLabel("Type the secret's name to confirm").fill("console/e2e/lifecycle");
    await schedule.click();
    await page.getByRole("status").filter({ hasText: "Scheduled for deletion on" }).waitFor();
    await page.getByRole("button", { name: "Restore secret" }).waitFor();

    // The list hides it unless planned deletions are included.
    await goTo(page, "Secrets");
    await page.getByLabel("Name", { exact: true }).fill("console/e2e/lifecycle");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.getByText("No secrets match these filters.").waitFor();
    await page.getByLabel("Include secrets scheduled for deletion").check();
    await page.getByRole("button", { name: "Apply filters" }).click();
    const row = page.getByRole("row").filter({ hasText: "console/e2e/lifecycle" });
    await row.waitFor();
    assert.match((await row.textContent()) ?? "", /Deletion planned/);

    await row.getByRole("link").click();
    await page.getByRole("button", { name: "Restore secret" }).click();
    await page.getByRole("status").filter({ hasText: "Restored" }).waitFor();
    const restored = await adminCall(
      server.url,
      "DescribeSecret",
      { SecretId: "console/e2e/lifecycle" },
      testAdmin,
      "secretsmanager.DescribeSecret",
    );
    assert.equal(restored.DeletedDate, undefined);
    assertNoProblems(console);
  });

  test("fifteen idle minutes end the session", async () => {
    const console = await open({ installClock: true });
    const { page } = console;
    await signIn(page, testAdmin);
    await page.getByRole("heading", { name: "Secrets", level: 1 }).waitFor();
    await page.clock.fastForward("14:00");
    assert.equal(
      await page.getByRole("button", { name: "Sign out" }).count(),
      1,
      "still signed in at 14 minutes",
    );
    await page.clock.fastForward("01:10");
    await page.getByRole("heading", { name: "Sign in to Coffer" }).waitFor();
    assert.match((await page.getByRole("status").first().textContent()) ?? "", /15 minutes without activity/);
    assertNoProblems(console);
  });

  test("the session's credentials expire after an hour, however active the user", async () => {
    const console = await open({ installClock: true });
    const { page } = console;
    await signIn(page, testAdmin);
    await page.getByRole("heading", { name: "Secrets", level: 1 }).waitFor();
    for (let minutes = 0; minutes < 60; minutes += 10) {
      assert.equal(
        await page.getByRole("button", { name: "Sign out" }).count(),
        1,
        `signed in at ${minutes} minutes`,
      );
      await page.keyboard.press("Shift");
      await page.clock.fastForward("10:00");
    }
    await page.clock.fastForward("00:10");
    await page.getByRole("heading", { name: "Sign in to Coffer" }).waitFor();
    assert.match((await page.getByRole("status").first().textContent()) ?? "", /credentials expired/);
    assertNoProblems(console);
  });
});

/** The message the API gives `credentials` for GetSecretValue on `secretId`. */
async function fetchDenied(
  url: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  secretId: string,
): Promise<string> {
  try {
    await adminCall(
      url,
      "GetSecretValue",
      { SecretId: secretId },
      credentials,
      "secretsmanager.GetSecretValue",
    );
  } catch (error) {
    assert.equal((error as Error).name, "AccessDeniedException");
    return (error as Error).message.replace(/^AccessDeniedException: /, "");
  }
  throw new Error("expected AccessDeniedException");
}
