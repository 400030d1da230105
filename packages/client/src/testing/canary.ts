import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { inspect } from "node:util";

/** A unique, greppable value that must never show up in an error, a log line or an event. */
export function canary(label = "value"): string {
  return `CANARY-${label}-${randomBytes(6).toString("hex")}`;
}

/** Everything a developer could see of an error: message, stack, inspect (with causes), JSON. */
export function renderError(error: unknown): string {
  if (!(error instanceof Error)) return inspect(error, { depth: 10 });
  const parts = [error.message, error.stack ?? "", inspect(error, { depth: 10, showHidden: false })];
  try {
    parts.push(JSON.stringify(error));
  } catch {
    // Circular structures are fine: inspect covered them.
  }
  return parts.join("\n");
}

export function assertNoCanary(text: string, ...canaries: string[]): void {
  for (const value of canaries) {
    assert.ok(!text.includes(value), `a secret value leaked into:\n${text}`);
  }
}

/** Asserts `run` rejects, and that nothing of the rejection shows any of the canaries. Returns the error. */
export async function rejectsWithoutLeak(run: () => Promise<unknown>, ...canaries: string[]): Promise<Error> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof Error, "expected a rejection");
  assertNoCanary(renderError(caught), ...canaries);
  return caught;
}
