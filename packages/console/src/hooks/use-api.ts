import { useCallback, useEffect, useState } from "react";

/**
 * Runs an API call when `deps` change (and on `reload()`), aborting the previous one:
 * `{ data, error, loading, reload }`. `data` keeps the last good answer while reloading, and
 * after a failure too unless `dropDataOnError` (a page about one thing that may be gone: its
 * stale details must not stay beside the error; a chart that refreshes keeps its last picture).
 * `error` stays until an answer replaces it, so a failing refresh does not blink.
 */
export function useApi<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
  options: { dropDataOnError?: boolean } = {},
): { data: T | undefined; error: unknown; loading: boolean; reload: () => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to load again
  useEffect(() => {
    const abort = new AbortController();
    setLoading(true);
    load(abort.signal).then(
      (answer) => {
        if (abort.signal.aborted) return;
        setData(answer);
        setError(undefined);
        setLoading(false);
      },
      (failure: unknown) => {
        if (abort.signal.aborted) return;
        if (options.dropDataOnError) setData(undefined);
        setError(failure);
        setLoading(false);
      },
    );
    return () => abort.abort();
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { data, error, loading, reload };
}
