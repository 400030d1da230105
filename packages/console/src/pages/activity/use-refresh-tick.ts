import { useCallback, useEffect, useState } from "react";

/**
 * A number that goes up every `intervalMilliseconds` while `enabled`, and when the tab becomes
 * visible again; a hidden tab skips the refresh. `refreshNow()` bumps it at once.
 */
export function useRefreshTick(enabled: boolean, intervalMilliseconds: number) {
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (!enabled) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState === "visible") setTick((n) => n + 1);
    }, intervalMilliseconds);
    const onVisible = () => {
      if (document.visibilityState === "visible") setTick((n) => n + 1);
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [enabled, intervalMilliseconds]);

  const refreshNow = useCallback(() => setTick((n) => n + 1), []);
  return { tick, refreshNow };
}
