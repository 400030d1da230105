/**
 * How hard a chaos test pushes. `npm test` runs every `*.chaos.test.ts` at the short scale (a few
 * seconds each, so the whole suite stays quick); `npm run test:chaos` sets `COFFER_CHAOS=full` and
 * runs the same files at the scale `docs/RELIABILITY.md` reports. A test picks its counts with
 * {@link chaosCount}, so both scales run the same code.
 */
export type ChaosScale = "short" | "full";

export function chaosScale(env: NodeJS.ProcessEnv = process.env): ChaosScale {
  return env.COFFER_CHAOS === "full" ? "full" : "short";
}

/** `short` under `npm test`, `full` under `npm run test:chaos`. */
export function chaosCount(
  counts: { short: number; full: number },
  env: NodeJS.ProcessEnv = process.env,
): number {
  return counts[chaosScale(env)];
}

/**
 * Chaos tests that need root (chattr, tmpfs mounts, PID namespaces) skip elsewhere with this
 * reason, but never under CI, where the machine has what they need.
 */
export function rootlessSkipReason(env: NodeJS.ProcessEnv = process.env): string | false {
  if (process.getuid?.() === 0) return false;
  if (env.CI === "true")
    throw new Error("CI=true: chaos tests need root (chattr, mount, unshare) and must not skip");
  return "needs root (chattr, tmpfs mount, PID namespaces); run as root or in CI";
}

/** One line the chaos report in docs/RELIABILITY.md is built from: `CHAOS <name> <json>`. */
export function reportFigure(name: string, figures: Record<string, number | string | boolean>): void {
  process.stdout.write(`# CHAOS ${name} ${JSON.stringify(figures)}\n`);
}
