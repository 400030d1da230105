/**
 * The issue's "accessible (keyboard, labels, contrast) and usable on a narrow screen", checked in
 * headless Chromium: axe-core's WCAG 2.0/2.1 A and AA rules find no violation on any page of the
 * console, wide (1280x800) and narrow (390x844), and at 390px no page scrolls sideways (reflow);
 * a keyboard alone signs in, skips to the main content, opens a secret, moves between its tabs (the
 * ARIA tabs pattern of components/tabs.tsx) and reveals the value; every Tab stop draws its focus.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { adminCall } from "../../testing/admin-call.js";
import {
  type ServerProcess,
  startServerProcess,
  testAccountId,
  testAdmin,
} from "../../testing/server-process.js";
import { secretsManagerTarget, signedCaller } from "../../testing/signed-call.js";
import { ensureConsoleBuilt, launchBrowser, requireChromium } from "./browser.test-helper.js";
import {
  type ConsolePage,
  goTo,
  openConsole,
  openSecret,
  openTab,
  revealValue,
  signIn,
} from "./console-driver.test-helper.js";

const { skip } = requireChromium();
const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");

const secretName = "a11y/app/db";
const roleName = "a11y-deployer";
const adminArn = `arn:aws:iam::${testAccountId}:user/admin`;
const wide = { width: 1280, height: 800 };
const narrow = { width: 390, height: 844 };

interface Violation {
  page: string;
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe-core's WCAG 2.0/2.1 A and AA rules on the whole document; the violations, named by `where`. */
async function axeViolations(page: Page, where: string): Promise<Violation[]> {
  await settle(page);
  if (!(await page.evaluate("typeof window.axe !== 'undefined'"))) {
    await page.addScriptTag({ path: axePath });
  }
  // A string: this package compiles without the DOM's types.
  const found = (await page.evaluate(`(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      targets: v.nodes.slice(0, 4).map((n) => n.target.join(" ") + " :: " + (n.failureSummary ?? "").split("\\n").slice(1, 2).join("").trim()),
    }));
  })()`)) as Omit<Violation, "page">[];
  return found.map((v) => ({ page: where, ...v }));
}

/**
 * Waits for the page's loads to end (no "Loading…" left) and for the browser to lay out and
 * paint what they brought (two animation frames), so axe sees what a person would. Callers
 * first wait for the element their step is about; this catches the loads that step started.
 * The string predicate is evaluated in the page, which the console's CSP forbids: it works here
 * because these pages are opened with `bypassCSP` (for axe); elsewhere wait on a locator.
 */
async function settle(page: Page): Promise<void> {
  await page.waitForFunction("!document.body.innerText.includes('Loading…')", undefined, {
    polling: "raf",
    timeout: 15_000,
  });
  // A string: this package compiles without the DOM's types.
  await page.evaluate(
    "new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))",
  );
}

/** Fails with every violation's rule, impact, help and first nodes, so a failure explains itself. */
function assertNone(violations: Violation[]): void {
  if (violations.length === 0) return;
  const report = violations
    .map(
      (v) => `[${v.page}] ${v.id} (${v.impact}): ${v.help}\n${v.targets.map((t) => `    ${t}`).join("\n")}`,
    )
    .join("\n");
  assert.fail(`${violations.length} accessibility violation(s):\n${report}`);
}

/**
 * WCAG 1.4.10 (reflow), which axe does not check: at 390px wide the page does not scroll sideways.
 * The elements reaching past the right edge are named (a table-wrap scrolling inside itself is fine,
 * unless something positioned inside it escapes it).
 */
async function reflow(page: Page, where: string): Promise<Violation[]> {
  const result = (await page.evaluate(`(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return null;
    const wide = [];
    for (const el of document.querySelectorAll("body *")) {
      const scroller = el.parentElement?.closest(".table-wrap");
      if (scroller && !["absolute", "fixed"].includes(getComputedStyle(el).position)) continue;
      if (el.getBoundingClientRect().right > width + 1) {
        wide.push(el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "") + " " + Math.round(el.getBoundingClientRect().right) + "px");
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(-4) };
  })()`)) as { scrollWidth: number; width: number; wide: string[] } | null;
  if (result === null) return [];
  return [
    {
      page: where,
      id: "reflow (WCAG 1.4.10)",
      impact: "serious",
      help: `The page scrolls sideways: ${result.scrollWidth}px of content in ${result.width}px`,
      targets: result.wide,
    },
  ];
}

/** Scans at 1280x800 and, when `alsoNarrow`, at 390x844 too (then back to wide). */
async function scan(page: Page, where: string, alsoNarrow = false): Promise<Violation[]> {
  const found = await axeViolations(page, `${where} @1280`);
  if (!alsoNarrow) return found;
  await page.setViewportSize(narrow);
  try {
    return [
      ...found,
      ...(await axeViolations(page, `${where} @390`)),
      ...(await reflow(page, `${where} @390`)),
    ];
  } finally {
    await page.setViewportSize(wide);
  }
}

/** What has focus: its tag, role, name, ARIA state and whether its focus is drawn. */
interface Focused {
  tag: string;
  id: string;
  role: string | null;
  text: string;
  selected: string | null;
  outline: string;
  boxShadow: string;
}
async function focused(page: Page): Promise<Focused> {
  return (await page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el) return { tag: "", id: "", role: null, text: "", selected: null, outline: "none", boxShadow: "none" };
    const style = getComputedStyle(el);
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      role: el.getAttribute("role"),
      text: (el.textContent ?? "").trim().slice(0, 80),
      selected: el.getAttribute("aria-selected"),
      outline: style.outlineStyle === "none" || style.outlineWidth === "0px" ? "none" : style.outlineStyle + " " + style.outlineWidth + " " + style.outlineColor,
      boxShadow: style.boxShadow,
    };
  })()`)) as Focused;
}

function assertFocusVisible(f: Focused, what: string): void {
  assert.ok(
    f.outline !== "none" || (f.boxShadow !== "none" && f.boxShadow !== ""),
    `focus is visible on ${what} (${f.tag}${f.id ? `#${f.id}` : ""} "${f.text}": outline ${f.outline}, box-shadow ${f.boxShadow})`,
  );
}

/** Presses Tab (or Shift+Tab) until `matches` holds for the focused element, at most `limit` times. */
async function tabTo(
  page: Page,
  matches: (f: Focused) => boolean,
  what: string,
  options: { limit?: number; key?: "Tab" | "Shift+Tab" } = {},
): Promise<Focused> {
  const seen: string[] = [];
  for (let press = 0; press < (options.limit ?? 60); press++) {
    await page.keyboard.press(options.key ?? "Tab");
    const f = await focused(page);
    seen.push(`${f.tag}${f.id ? `#${f.id}` : ""} "${f.text.slice(0, 30)}"`);
    if (matches(f)) return f;
  }
  assert.fail(`Tab never reached ${what}; focus went through: ${seen.join(", ")}`);
}

describe("console accessibility (axe-core WCAG 2.1 AA, keyboard) in headless Chromium", { skip }, () => {
  let server: ServerProcess;
  let browser: Browser;
  const pages: ConsolePage[] = [];
  // bypassCSP for these contexts only: the console's CSP (script-src 'self') rightly refuses the
  // inline script addScriptTag injects axe-core with; the console's own CSP is tested elsewhere.
  const open = async () => {
    const console = await openConsole(browser, server.url, { viewport: wide, bypassCSP: true });
    pages.push(console);
    return console;
  };

  before(async () => {
    ensureConsoleBuilt();
    server = await startServerProcess();
    browser = await launchBrowser();
    // A secret with two versions, a tag and a resource policy; a user, a role; some traffic for the
    // Activity charts.
    const admin = signedCaller(server.url, testAdmin);
    const created = await admin.call(
      secretsManagerTarget("CreateSecret"),
      JSON.stringify({
        Name: secretName,
        Description: "for the accessibility test",
        Tags: [{ Key: "team", Value: "payments" }],
        SecretString: JSON.stringify({ username: "app", password: "a11y-value" }),
      }),
    );
    assert.equal(created.status, 200, created.body);
    const put = await admin.call(
      secretsManagerTarget("PutSecretValue"),
      JSON.stringify({
        SecretId: secretName,
        SecretString: JSON.stringify({ username: "app", password: "a11y-value-2" }),
      }),
    );
    assert.equal(put.status, 200, put.body);
    const policy = await admin.call(
      secretsManagerTarget("PutResourcePolicy"),
      JSON.stringify({
        SecretId: secretName,
        ResourcePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: adminArn },
              Action: "secretsmanager:GetSecretValue",
              Resource: "*",
            },
          ],
        }),
      }),
    );
    assert.equal(policy.status, 200, policy.body);
    for (let index = 0; index < 5; index++) {
      await admin.call(secretsManagerTarget("GetSecretValue"), JSON.stringify({ SecretId: secretName }));
      await admin.call(secretsManagerTarget("ListSecrets"), "{}");
    }
    admin.close();
    await adminCall(server.url, "CreateUser", { UserName: "a11y-reader" });
    await adminCall(server.url, "CreateRole", {
      RoleName: roleName,
      Description: "for the accessibility test",
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: adminArn }, Action: "sts:AssumeRole" }],
      }),
    });
  });
  after(async () => {
    for (const console of pages) await console.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
    server?.cleanup();
  });

  test("axe finds no WCAG 2.1 A/AA violation on any page, wide and narrow", async () => {
    const { page } = await open();
    const violations: Violation[] = [];
    const check = async (where: string) => violations.push(...(await scan(page, where, true)));

    // A refused sign-in shows its alert.
    await page.getByLabel("Access key ID").fill("AKIAWRONGWRONGWRONG1");
    await page.getByLabel("Secret access key").fill("wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").first().waitFor();
    await check("sign-in, refused");
    await signIn(page, testAdmin);

    await page.getByRole("link", { name: secretName, exact: true }).waitFor();
    await check("secrets list");

    await openSecret(page, secretName);
    await check("secret Overview");
    await revealValue(page);
    await check("secret Value (revealed)");
    await page.getByRole("button", { name: "Edit", exact: true }).click();
    await page.getByRole("button", { name: "Save new version" }).waitFor();
    await check("secret Value (editing)");
    await openTab(page, "Versions");
    await page.getByRole("table").first().waitFor();
    await check("secret Versions");
    await openTab(page, "Tags");
    await check("secret Tags");
    await openTab(page, "Resource policy");
    await check("secret Resource policy");
    await openTab(page, "Rotation");
    await check("secret Rotation");
    await openTab(page, "Access");
    await page.getByRole("region", { name: "Who can access" }).getByRole("link").first().waitFor();
    await check("secret Access");

    await goTo(page, "/secrets/new");
    await page.getByRole("heading", { level: 1, name: /Create/ }).waitFor();
    await check("create secret");

    await goTo(page, "Access");
    await page.getByRole("heading", { level: 2, name: "Users" }).waitFor();
    await check("Access users");
    await page.getByRole("link", { name: "a11y-reader", exact: true }).click();
    await page.getByRole("heading", { level: 2, name: "User a11y-reader" }).waitFor();
    await check("Access user");
    await page.getByRole("button", { name: "Create access key" }).click();
    await page.getByRole("region", { name: "New access key" }).waitFor();
    await check("Access user, new access key shown");
    await page.getByRole("button", { name: "I have saved it — hide it" }).click();
    const sections = page.getByRole("navigation", { name: "Access sections" });
    await sections.getByRole("link", { name: "Roles" }).click();
    await page.getByRole("heading", { level: 2, name: "Roles" }).waitFor();
    await check("Access roles");
    await page.getByRole("link", { name: roleName, exact: true }).click();
    await page.getByRole("heading", { level: 2, name: `Role ${roleName}` }).waitFor();
    await check("Access role");
    await sections.getByRole("link", { name: "Policy findings" }).click();
    await page.getByRole("region", { name: "Policy findings" }).getByRole("row").nth(1).waitFor();
    await check("Access policy findings");

    await goTo(page, "Activity");
    await page.locator('[data-testid="requests-chart"][data-total-requests] .u-over').waitFor();
    await check("Activity");

    await goTo(page, "/no-such-page");
    await check("not found");

    assertNone(violations);
  });

  test("the keyboard alone signs in, skips to main, opens a secret, moves between tabs, reveals", async () => {
    const { page } = await open();
    const keyInput = await tabTo(page, (f) => f.id === "access-key-id", "the Access key ID field");
    assertFocusVisible(keyInput, "the Access key ID field");
    await page.keyboard.type(testAdmin.accessKeyId);
    const secretInput = await tabTo(page, (f) => f.id === "secret-access-key", "the Secret access key field");
    assertFocusVisible(secretInput, "the Secret access key field");
    await page.keyboard.type(testAdmin.secretAccessKey);
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Sign out" }).waitFor();

    // The skip link comes first, and moves focus to main.
    await page.keyboard.press("Tab");
    const skipLink = await focused(page);
    assert.equal(
      skipLink.text,
      "Skip to main content",
      "the first Tab after signing in reaches the skip link",
    );
    assertFocusVisible(skipLink, "the skip link");
    await page.keyboard.press("Enter");
    assert.equal((await focused(page)).tag, "main", "the skip link moves focus to main");

    // Into the list: the secret's link, then Enter opens it.
    await page.getByRole("link", { name: secretName, exact: true }).waitFor();
    const link = await tabTo(page, (f) => f.tag === "a" && f.text === secretName, "the secret's link");
    assertFocusVisible(link, "the secret's link");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: secretName }).waitFor();

    // The tabs: one Tab stop (the selected tab); arrows, Home and End move and select (tabs.tsx).
    const overview = await tabTo(page, (f) => f.role === "tab", "the tab list");
    assert.equal(overview.text, "Overview");
    assert.equal(overview.selected, "true");
    assertFocusVisible(overview, "the selected tab");
    const tabNames = await page.getByRole("tab").allTextContents();
    await page.keyboard.press("ArrowRight");
    let now = await focused(page);
    assert.equal(now.text, tabNames[1]);
    assert.equal(now.selected, "true", "an arrow key selects the tab it moves to");
    assertFocusVisible(now, "a tab reached by arrow");
    await page.keyboard.press("End");
    now = await focused(page);
    assert.equal(now.text, tabNames[tabNames.length - 1]);
    assert.equal(now.selected, "true");
    await page.keyboard.press("ArrowRight");
    assert.equal((await focused(page)).text, tabNames[0], "ArrowRight wraps to the first tab");
    await page.keyboard.press("ArrowLeft");
    assert.equal((await focused(page)).text, tabNames[tabNames.length - 1], "ArrowLeft wraps to the last");
    await page.keyboard.press("Home");
    assert.equal((await focused(page)).text, "Overview");
    // The tab panel is labelled by the selected tab, which controls it; the list is labelled.
    const panel = page.getByRole("tabpanel");
    const selectedTab = page.getByRole("tab", { selected: true });
    assert.equal(await panel.getAttribute("aria-labelledby"), await selectedTab.getAttribute("id"));
    assert.equal(await selectedTab.getAttribute("aria-controls"), await panel.getAttribute("id"));
    assert.equal(await page.getByRole("tablist").getAttribute("aria-label"), "Secret");
    // Only the selected tab is a Tab stop: Tab leaves the tab list.
    const valueIndex = tabNames.indexOf("Value");
    assert.ok(valueIndex > 0, `a Value tab (tabs: ${tabNames.join(", ")})`);
    for (let index = 0; index < valueIndex; index++) await page.keyboard.press("ArrowRight");
    now = await focused(page);
    assert.equal(now.text, "Value");
    assert.equal(now.selected, "true");

    // Reveal with Space.
    const reveal = await tabTo(page, (f) => f.tag === "button" && f.text === "Reveal value", "Reveal value", {
      limit: 10,
    });
    assertFocusVisible(reveal, "the Reveal value button");
    await page.keyboard.press("Space");
    await page.getByRole("heading", { name: "Value", exact: true }).waitFor();
    await page.getByText("a11y-value-2", { exact: false }).first().waitFor();

    // Shift+Tab walks back to the selected tab (the other tabs are not Tab stops).
    const back = await tabTo(page, (f) => f.role === "tab", "the tab list, backwards", {
      key: "Shift+Tab",
      limit: 30,
    });
    assert.equal(back.text, "Value", "Shift+Tab returns to the selected tab only");
  });

  test("every Tab stop shows its focus, wide and narrow", async () => {
    const { page } = await open();
    await signIn(page, testAdmin);
    const unseen: string[] = [];
    const walk = async (where: string) => {
      for (const viewport of [wide, narrow]) {
        await page.setViewportSize(viewport);
        await settle(page);
        unseen.push(
          ...(await tabStopsWithoutFocus(page)).map((stop) => `[${where} @${viewport.width}] ${stop}`),
        );
      }
      await page.setViewportSize(wide);
    };
    await page.getByRole("link", { name: secretName, exact: true }).waitFor();
    await walk("secrets list");
    await openSecret(page, secretName);
    await revealValue(page);
    await walk("secret Value (revealed)");
    await goTo(page, "Access");
    await page.getByRole("link", { name: "a11y-reader", exact: true }).click();
    await page.getByRole("heading", { level: 2, name: "User a11y-reader" }).waitFor();
    await walk("Access user");
    await goTo(page, "Activity");
    await page.locator('[data-testid="requests-chart"][data-total-requests] .u-over').waitFor();
    await walk("Activity");
    assert.deepEqual(unseen, [], `Tab stops whose focus is not visible:\n${unseen.join("\n")}`);
  });
});

/**
 * Tabs through the whole page from its first stop (at most 150 stops) and returns the stops whose focus is
 * not drawn (no outline, no box-shadow) or that are off screen once focused.
 */
async function tabStopsWithoutFocus(page: Page): Promise<string[]> {
  // Chromium tabs on from where focus last was, even after blur(): start at the page's first stop
  // (the skip link), which a person reaches with the first Tab of a fresh page.
  await page.evaluate(
    `window.scrollTo(0, 0); document.querySelector("a[href], button:not([disabled]), input, select, textarea, summary, [tabindex]:not([tabindex='-1'])")?.focus({ focusVisible: true })`,
  );
  const seen = new Set<string>();
  const bad: string[] = [];
  for (let press = 0; press < 150; press++) {
    if (press > 0) await page.keyboard.press("Tab");
    const stop = (await page.evaluate(`(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const path = [];
      for (let node = el; node && node !== document.body; node = node.parentElement) {
        path.unshift(node.tagName.toLowerCase() + ":" + Array.prototype.indexOf.call(node.parentElement?.children ?? [], node));
      }
      const style = getComputedStyle(el);
      const rect = el.getBoundingClientRect();
      const drawn = (style.outlineStyle !== "none" && style.outlineWidth !== "0px") || (style.boxShadow && style.boxShadow !== "none");
      const onScreen = rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0 && rect.top < innerHeight && rect.left < innerWidth;
      const name = (el.getAttribute("aria-label") || el.textContent || el.getAttribute("name") || el.id || "").trim().slice(0, 40);
      return { key: path.join("/"), what: el.tagName.toLowerCase() + ' "' + name + '"', drawn: Boolean(drawn), onScreen };
    })()`)) as { key: string; what: string; drawn: boolean; onScreen: boolean } | null;
    if (stop === null || seen.has(stop.key)) break;
    seen.add(stop.key);
    if (!stop.drawn) bad.push(`${stop.what}: no focus outline`);
    else if (!stop.onScreen) bad.push(`${stop.what}: focused off screen`);
  }
  return bad;
}
