import { useCallback, useState } from "react";
import { useApi } from "../../hooks/use-api.js";

/** Loads what an Access page shows (see useApi); a failed load drops what was shown before. */
export function useLoad<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
): ReturnType<typeof useApi<T>> {
  return useApi(load, deps, { dropDataOnError: true });
}

type Forceable = { what: string; action: (force: boolean) => Promise<string | undefined>; after: () => void };

export interface ActionState {
  busy: boolean;
  error: unknown;
  status: string | undefined;
  run: (action: () => Promise<string | undefined>) => Promise<boolean>;
  /**
   * Runs a change the server may refuse because it would lock the administrators out (it then
   * names `Force`); `forceAgain()` repeats it with `force` true, `after` runs on success.
   */
  runForceable: (
    what: string,
    action: (force: boolean) => Promise<string | undefined>,
    after: () => void,
  ) => Promise<boolean>;
  /** What the refused change was ("Disable AKIA…"), when the last error is its lockout refusal. */
  forceWhat: string | undefined;
  forceAgain: () => Promise<boolean>;
  clear: () => void;
}

/** Runs one action at a time; `error` and `status` describe the last one. */
export function useAction(): ActionState {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState<string>();
  const [forceable, setForceable] = useState<Forceable>();
  const run = useCallback(async (action: () => Promise<string | undefined>) => {
    setBusy(true);
    setError(undefined);
    setStatus(undefined);
    try {
      setStatus(await action());
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  const runForceable = useCallback(
    async (what: string, action: (force: boolean) => Promise<string | undefined>, after: () => void) => {
      setForceable({ what, action, after });
      const ok = await run(() => action(false));
      if (ok) after();
      return ok;
    },
    [run],
  );
  const forceAgain = useCallback(async () => {
    if (!forceable) return false;
    const ok = await run(() => forceable.action(true));
    setForceable(undefined);
    if (ok) forceable.after();
    return ok;
  }, [forceable, run]);
  const clear = useCallback(() => {
    setError(undefined);
    setStatus(undefined);
  }, []);
  return {
    busy,
    error,
    status,
    run,
    runForceable,
    forceWhat: forceable !== undefined && isLockoutRefusal(error) ? forceable.what : undefined,
    forceAgain,
    clear,
  };
}

/** The server's refusal of a change that would lock the administrators out (lockout-guard.ts). */
export function isLockoutRefusal(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === "InvalidRequestException" &&
    error.message.startsWith("Refusing to") &&
    error.message.includes("Set Force to true")
  );
}

export function formatDate(epochSeconds: number | undefined): string {
  if (epochSeconds === undefined) return "—";
  return new Date(epochSeconds * 1000).toLocaleString();
}
