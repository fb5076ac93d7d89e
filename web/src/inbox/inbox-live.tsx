// Live updates for the signed-in app: one EventSource on /api/v1/events. Events carry ids only, so
// every change becomes a "tick" that makes the list, the open conversation and the counts fetch
// again. Bursts (an import, a reply that is queued then sent) are merged into one refetch.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError } from '../api/client.ts';
import { fetchInboxCounts } from '../api/endpoints.ts';
import type { InboxCounts } from '../api/types.ts';
import { useAnnounce } from '../components/announcer.tsx';

const DEBOUNCE_MS = 150;
// How long after one of our own writes its event may still arrive.
const OWN_EVENT_GRACE_MS = 1500;
// entrance.updated: a connector's health changed (a mail account that needs attention, again fine).
const LIVE_EVENTS = ['message.created', 'message.updated', 'conversation.updated', 'contact.updated', 'entrance.updated'] as const;

interface LiveEvent {
  type: string;
  conversationId?: string;
  messageId?: string;
}

interface InboxLive {
  /** Grows by one after every (merged) change; screens refetch when it changes. */
  tick: number;
  /** For the app's own actions: refetch now rather than wait for the event. */
  changed(): void;
  /**
   * Runs an action that writes a message (a reply, a logged call). Its event may arrive before the
   * answer does, so new messages are not announced while the action runs and shortly after.
   */
  writeMessage<T>(action: () => Promise<T>): Promise<T>;
  /** Null until loaded, and when the server does not offer counts. */
  counts: InboxCounts | null;
}

const InboxLiveContext = createContext<InboxLive>({
  tick: 0,
  changed: () => {},
  writeMessage: (action) => action(),
  counts: null,
});

export function InboxLiveProvider({ children }: { children: ReactNode }) {
  const announce = useAnnounce();
  const [tick, setTick] = useState(0);
  const [counts, setCounts] = useState<InboxCounts | null>(null);
  const writing = useRef(0);
  const countsAvailable = useRef(true);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const newMessages = useRef(0);

  const changed = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      setTick((n) => n + 1);
      if (newMessages.current > 0) {
        announce('inbox.live.newMessages', { count: newMessages.current });
        newMessages.current = 0;
      }
    }, DEBOUNCE_MS);
  }, [announce]);

  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    // EventSource reconnects by itself (the server asks for a 3 s retry).
    const source = new EventSource('/api/v1/events');
    const onEvent = (event: MessageEvent<string>) => {
      let data: LiveEvent = { type: event.type };
      try {
        data = JSON.parse(event.data) as LiveEvent;
      } catch {
        // An event without a readable body still means something changed.
      }
      if (data.type === 'message.created' && writing.current === 0) {
        newMessages.current += 1;
      }
      changed();
    };
    for (const type of LIVE_EVENTS) source.addEventListener(type, onEvent);
    return () => {
      for (const type of LIVE_EVENTS) source.removeEventListener(type, onEvent);
      source.close();
      clearTimeout(timer.current);
    };
  }, [changed]);

  useEffect(() => {
    if (!countsAvailable.current) return;
    const controller = new AbortController();
    fetchInboxCounts(controller.signal).then(
      (next) => setCounts(next),
      (error: unknown) => {
        // An older server without counts: show the views without numbers.
        if (error instanceof ApiError && error.status === 404) countsAvailable.current = false;
      },
    );
    return () => controller.abort();
  }, [tick]);

  const writeMessage = useCallback(async <T,>(action: () => Promise<T>): Promise<T> => {
    writing.current += 1;
    try {
      return await action();
    } finally {
      setTimeout(() => {
        writing.current -= 1;
      }, OWN_EVENT_GRACE_MS);
    }
  }, []);

  const value = useMemo(() => ({ tick, changed, writeMessage, counts }), [tick, changed, writeMessage, counts]);
  return <InboxLiveContext.Provider value={value}>{children}</InboxLiveContext.Provider>;
}

export function useInboxLive(): InboxLive {
  return useContext(InboxLiveContext);
}

/** Calls refresh() whenever something changed in the workspace (not on the first render). */
export function useRefreshOnChange(refresh: () => void): void {
  const { tick } = useInboxLive();
  const first = useRef(tick);
  useEffect(() => {
    if (tick !== first.current) refresh();
  }, [tick, refresh]);
}
