// Loads data for a page: { data, error, loading, reload }. Stale answers (after unmount or a newer
// reload) are dropped.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  readonly loading: boolean;
  readonly reload: () => void;
}

export function useLoad<T>(
  load: () => Promise<T>,
  dependencies: readonly unknown[],
  options: { readonly refreshMs?: number } = {},
): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  // The caller's dependency list decides when `load` is a new function, as with useEffect's.
  // eslint-disable-next-line react-hooks/exhaustive-deps, react-hooks/use-memo
  const stableLoad = useCallback(load, dependencies);

  const reload = useCallback(() => {
    const mine = ++generation.current;
    setLoading(true);
    stableLoad().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (failure: unknown) => {
        if (mine !== generation.current) return;
        setError(failure instanceof Error ? failure : new Error(String(failure)));
        setLoading(false);
      },
    );
  }, [stableLoad]);

  useEffect(() => {
    // Loading is the outside system this effect synchronizes with; reload() marks it as started.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    reload();
    return () => {
      // A counter, not a rendered node: bumping the value current at cleanup drops answers in flight.
      // eslint-disable-next-line react-hooks/exhaustive-deps
      generation.current++;
    };
  }, [reload]);

  // Live panels reload on an interval while the tab is visible (a hidden tab costs the services nothing):
  // e.g. the poller knows a new instance only once its snapshot arrives, seconds after creation.
  const { refreshMs } = options;
  useEffect(() => {
    if (refreshMs === undefined) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, refreshMs);
    return () => window.clearInterval(timer);
  }, [reload, refreshMs]);

  return { data, error, loading, reload };
}
