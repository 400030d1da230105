import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium; COFFER_TEST_CHROMIUM names another. playwright-core downloads no browser. */
export const chromiumPath = process.env.COFFER_TEST_CHROMIUM ?? "/usr/bin/chromium";

const serverPackage = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const repoRoot = join(serverPackage, "..", "..");
/** Where Vite builds the console (packages/server/console), which the server serves. */
export const builtConsoleIndex = join(serverPackage, "console", "index.html");

/**
 * Chromium is required in CI (CI=true: its absence fails the tests with the reason) and optional on
 * a developer's machine, where the browser tests are skipped with the reason printed.
 */
export function requireChromium(): { skip: string | false } {
  let reason: string | undefined;
  try {
    accessSync(chromiumPath, constants.X_OK);
  } catch {
    reason = `Chromium is not installed at ${chromiumPath} (apt-get install chromium, or set COFFER_TEST_CHROMIUM)`;
  }
  if (reason === undefined) return { skip: false };
  if (process.env.CI === "true")
    throw new Error(`${reason}, and CI=true forbids skipping the console's browser tests`);
  console.log(`# skipping: ${reason}`);
  return { skip: reason };
}

/**
 * Builds the console (`npm run build -w @coffer/console`) when it is not built, so a targeted run
 * of these tests works in a fresh clone; `npm test` builds it before any test runs.
 */
export function ensureConsoleBuilt(): void {
  if (existsSync(builtConsoleIndex)) return;
  const result = spawnSync("npm", ["run", "build", "-w", "@coffer/console"], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
  if (result.status !== 0 || !existsSync(builtConsoleIndex)) {
    throw new Error(`building the console failed:\n${result.stdout}\n${result.stderr}`);
  }
}

/** Headless Chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true });
}
