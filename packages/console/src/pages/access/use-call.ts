import { useCallback, useEffect, useState } from "react";

/**
 * Loads something on mount and when `deps` change, aborting a stale load; `reload()` refreshes.
 * `error` is what the last load rejected with (shown with `<ErrorAlert>`).
 */
export function useLoad<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
): { data: T | undefined; error: unknown; loading: boolean; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to load again
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(undefined);
    load(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setLoading(false);
      },
      (caught: unknown) => {
        if (controller.signal.aborted) return;
        setData(undefined);
        setError(caught);
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { data, error, loading, reload };
}

/** Runs one action at a time; `error` and `status` describe the last one. */
export function useAction(): {
  busy: boolean;
  error: unknown;
  status: string | undefined;
  run: (action: () => Promise<string | undefined>) => Promise<boolean>;
  clear: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState<string>();
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
  const clear = useCallback(() => {
    setError(undefined);
    setStatus(undefined);
  }, []);
  return { busy, error, status, run, clear };
}

export function formatDate(epochSeconds: number | undefined): string {
  if (epochSeconds === undefined) return "—";
  return new Date(epochSeconds * 1000).toLocaleString();
}
