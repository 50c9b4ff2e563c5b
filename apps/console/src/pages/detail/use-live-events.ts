// Polls the events API every 2 s while the page is visible (a hidden tab costs the dispatcher
// nothing), and remembers which events arrived since the first load so they can be highlighted.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventSummary } from '../../api/types';
import { useApi } from '../../api-context';

export const LIVE_INTERVAL_MS = 2000;

export interface LiveEvents {
  readonly events: EventSummary[] | undefined;
  readonly error: Error | undefined;
  readonly newIds: ReadonlySet<string>;
  /** How many arrived in the latest refresh (for the screen-reader announcement). */
  readonly lastArrivals: number;
  readonly live: boolean;
  readonly refresh: () => void;
}

export function useLiveEvents(instanceId: string): LiveEvents {
  const api = useApi();
  const [events, setEvents] = useState<EventSummary[] | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [newIds, setNewIds] = useState<ReadonlySet<string>>(new Set());
  const [lastArrivals, setLastArrivals] = useState(0);
  const [visible, setVisible] = useState(() => document.visibilityState === 'visible');
  const known = useRef<Set<string> | null>(null);
  const inFlight = useRef(false);

  const refresh = useCallback(() => {
    if (inFlight.current) return;
    inFlight.current = true;
    api.listEvents(instanceId).then(
      (loaded) => {
        inFlight.current = false;
        const ids = loaded.map((event) => event.id);
        if (known.current === null) {
          known.current = new Set(ids);
        } else {
          const seen = known.current;
          const arrived = ids.filter((id) => !seen.has(id));
          for (const id of arrived) seen.add(id);
          setLastArrivals(arrived.length);
          if (arrived.length > 0) setNewIds((current) => new Set([...current, ...arrived]));
        }
        setEvents(loaded);
        setError(undefined);
      },
      (failure: unknown) => {
        inFlight.current = false;
        setError(failure instanceof Error ? failure : new Error(String(failure)));
      },
    );
  }, [api, instanceId]);

  useEffect(() => {
    const onVisibility = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, []);

  useEffect(() => {
    if (!visible) return;
    refresh();
    const timer = window.setInterval(refresh, LIVE_INTERVAL_MS);
    return () => window.clearInterval(timer);
  }, [visible, refresh]);

  return { events, error, newIds, lastArrivals, live: visible, refresh };
}
