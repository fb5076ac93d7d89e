// One polite live region for status messages ("Saved", "Token revoked"): screen readers hear
// them, and sighted people see them as a short-lived notice.
//
// A notice is kept as a message key (or a function of t), never as finished text, so it is
// translated when shown and follows a change of language. It belongs to the screen where it was
// given: moving to another screen, or signing in, clears it.
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { useLocation } from '../router/router.tsx';
import { useSession } from '../session/session-context.tsx';

/** Builds the notice's text in the current language, when it is shown. */
export type NoticeText = (t: TFunction) => string;

/**
 * announce('settings.workspace.saved'), announce('entrances.removed', { label }), or
 * announce((t) => describeError(t, error)) for text that needs more than one key.
 */
export type Announce = (message: string | NoticeText, values?: Record<string, unknown>) => void;

interface Notice {
  text: NoticeText;
  /** When it was given, so the navigation that usually follows an action does not clear it. */
  at: number;
}

const AnnouncerContext = createContext<Announce>(() => {});

const VISIBLE_MS = 6000;
/** "Saved, now go to the list" and "Signed out, now the sign-in page" keep their notice. */
const SAME_ACTION_MS = 500;

export function toNoticeText(message: string | NoticeText, values?: Record<string, unknown>): NoticeText {
  return typeof message === 'function' ? message : (t) => (values ? t(message, values) : t(message));
}

export function AnnouncerProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const { status } = useSession();
  const [notice, setNotice] = useState<Notice | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const frame = useRef<number | undefined>(undefined);
  const latest = useRef<Notice | null>(null);

  const clear = useCallback(() => {
    clearTimeout(timer.current);
    if (frame.current !== undefined) cancelAnimationFrame(frame.current);
    latest.current = null;
    setNotice(null);
  }, []);

  const announce = useCallback<Announce>((message, values) => {
    clearTimeout(timer.current);
    if (frame.current !== undefined) cancelAnimationFrame(frame.current);
    const next: Notice = { text: toNoticeText(message, values), at: Date.now() };
    latest.current = next;
    // Clearing first makes a repeated identical message be announced again.
    setNotice(null);
    frame.current = requestAnimationFrame(() => {
      frame.current = undefined;
      if (latest.current === next) setNotice(next);
    });
    timer.current = setTimeout(() => {
      latest.current = null;
      setNotice(null);
    }, VISIBLE_MS);
  }, []);

  // A notice from an earlier screen, or from before signing in, no longer applies.
  useEffect(() => {
    const current = latest.current;
    if (current && Date.now() - current.at > SAME_ACTION_MS) clear();
  }, [pathname, status, clear]);

  useEffect(
    () => () => {
      clearTimeout(timer.current);
      if (frame.current !== undefined) cancelAnimationFrame(frame.current);
    },
    [],
  );

  const text = notice ? notice.text(t) : '';
  return (
    <AnnouncerContext.Provider value={announce}>
      {children}
      <div className="announcer" role="status" aria-live="polite" aria-atomic="true" data-empty={text ? undefined : ''}>
        {text}
      </div>
    </AnnouncerContext.Provider>
  );
}

export function useAnnounce(): Announce {
  return useContext(AnnouncerContext);
}
