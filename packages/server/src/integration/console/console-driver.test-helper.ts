import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";

/**
 * Drives the web console the way a person does: labels, roles and visible text, never CSS
 * internals. Navigation stays inside the app (a full page load would end the in-memory session).
 */
export interface ConsoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested, in order (for canary checks). */
  requestedUrls: string[];
  /** Content-Security-Policy violations and page errors seen in the console. */
  problems: string[];
  close(): Promise<void>;
}

/** A fresh browser context (no shared storage) with the console open at `${serverUrl}/`. */
export async function openConsole(
  browser: Browser,
  serverUrl: string,
  options: {
    viewport?: { width: number; height: number };
    installClock?: boolean;
    /** Lets a test inject a script (axe-core) the console's CSP would refuse; see accessibility.test.ts. */
    bypassCSP?: boolean;
  } = {},
): Promise<ConsolePage> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    bypassCSP: options.bypassCSP ?? false,
  });
  const page = await context.newPage();
  const requestedUrls: string[] = [];
  const problems: string[] = [];
  page.on("request", (request) => requestedUrls.push(request.url()));
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  if (options.installClock) await page.clock.install();
  await page.goto(`${serverUrl}/`);
  await page.getByRole("heading", { name: "Sign in to Coffer" }).waitFor();
  return { context, page, requestedUrls, problems, close: () => context.close() };
}

export async function signIn(page: Page, credentials: ConsoleCredentials): Promise<void> {
  await page.getByLabel("Access key ID").fill(credentials.accessKeyId);
  await page.getByLabel("Secret access key").fill(credentials.secretAccessKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** Signs out and waits for the sign-in form. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in to Coffer" }).waitFor();
}

/**
 * Goes to a section by its nav link ("Secrets", "Access", "Activity") or to an app path
 * ("/secrets/new") in the app's router, keeping the session.
 */
export async function goTo(
  page: Page,
  target: "Secrets" | "Access" | "Activity" | `/${string}`,
): Promise<void> {
  if (target.startsWith("/")) {
    // A string: this package compiles without the DOM's types.
    await page.evaluate(
      `window.history.pushState(null, "", ${JSON.stringify(`/console${target}`)}); window.dispatchEvent(new PopStateEvent("popstate"));`,
    );
  } else {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: target }).click();
  }
}

/** Creates a secret through the create page (key/value pairs) and waits for its detail page. */
export async function createSecret(
  page: Page,
  secret: { name: string; description?: string; pairs: Array<[string, string]> },
): Promise<void> {
  await goTo(page, "Secrets");
  await page.getByRole("link", { name: "Create secret" }).click();
  await page.getByLabel("Name", { exact: true }).fill(secret.name);
  if (secret.description) await page.getByLabel("Description (optional)").fill(secret.description);
  for (const [index, [key, value]] of secret.pairs.entries()) {
    if (index > 0) await page.getByRole("button", { name: "Add key" }).click();
    await page.getByRole("textbox", { name: `Key ${index + 1}` }).fill(key);
    await page.getByRole("textbox", { name: `Value ${index + 1}` }).fill(value);
  }
  await page.getByRole("button", { name: "Create secret" }).click();
  await page.getByRole("heading", { level: 1, name: secret.name }).waitFor();
}

/** Opens a secret's detail page from the list (searching by name). */
export async function openSecret(page: Page, name: string): Promise<void> {
  await goTo(page, "Secrets");
  await page.getByRole("heading", { level: 1, name: "Secrets" }).waitFor();
  const nameFilter = page.getByLabel("Name", { exact: true });
  // On a narrow screen the filters beyond Search are folded away.
  if (!(await nameFilter.isVisible())) await page.getByText("More filters").click();
  await nameFilter.fill(name);
  await page.getByRole("button", { name: "Apply filters" }).click();
  await page.getByRole("link", { name, exact: true }).click();
  await page.getByRole("heading", { level: 1, name }).waitFor();
}

export type SecretTab =
  | "Overview"
  | "Value"
  | "Versions"
  | "Tags"
  | "Resource policy"
  | "Rotation"
  | "Access";

export async function openTab(page: Page, tab: SecretTab): Promise<void> {
  await page.getByRole("tab", { name: tab }).click();
}

/** Reveals the value on the Value tab and waits for it. */
export async function revealValue(page: Page): Promise<void> {
  await openTab(page, "Value");
  await page.getByRole("button", { name: "Reveal value" }).click();
  await page.getByRole("heading", { name: "Value", exact: true }).waitFor();
}

/** Edits one key's value (after a reveal) and saves a new version; resolves with the status text. */
export async function editField(page: Page, key: string, value: string): Promise<string> {
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  const keys = page.getByRole("textbox", { name: /^Key \d+$/ });
  await keys.first().waitFor();
  const count = await keys.count();
  for (let index = 0; index < count; index++) {
    if ((await keys.nth(index).inputValue()) === key) {
      await page.getByRole("textbox", { name: `Value ${index + 1}`, exact: true }).fill(value);
      await page.getByRole("button", { name: "Save new version" }).click();
      const status = page.getByRole("status").filter({ hasText: "Saved as version" });
      await status.waitFor();
      return (await status.textContent()) ?? "";
    }
  }
  throw new Error(`no key ${key} in the editor`);
}

/** The rows of the Access tab's "Recent access" table, as text, after a fresh load. */
export async function recentAccessRows(page: Page): Promise<string[]> {
  await openTab(page, "Access");
  const panel = page.getByRole("region", { name: "Recent access" });
  await panel.getByRole("button", { name: "Refresh" }).waitFor();
  await panel.locator("table, p").first().waitFor();
  return panel.locator("tbody tr").allTextContents();
}

/** The text of the alert shown (role="alert"), waiting for one. */
export async function alertText(page: Page): Promise<string> {
  const alert = page.getByRole("alert").first();
  await alert.waitFor();
  return (await alert.textContent()) ?? "";
}

/** Everything the page could have persisted or leaked: its URL, web storage and cookies. */
export async function persistedState(console: ConsolePage): Promise<string> {
  const storage = await console.page.evaluate(`(() => {
    const dump = (store) => {
      const out = {};
      for (let index = 0; index < store.length; index++) {
        const key = store.key(index);
        if (key !== null) out[key] = store.getItem(key) ?? "";
      }
      return out;
    };
    return { local: dump(window.localStorage), session: dump(window.sessionStorage), documentCookie: document.cookie };
  })()`);
  const cookies = await console.context.cookies();
  return JSON.stringify({ url: console.page.url(), urls: console.requestedUrls, storage, cookies });
}

/** Asserts the page saw no CSP violation and no uncaught error. */
export function assertNoProblems(console: ConsolePage): void {
  assert.deepEqual(console.problems, []);
}
