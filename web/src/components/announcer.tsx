// One polite live region for status messages ("Saved", "Token revoked"): screen readers hear
// them, and sighted people see them as a short-lived notice.
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';

type Announce = (message: string) => void;

const AnnouncerContext = createContext<Announce>(() => {});

const VISIBLE_MS = 6000;

export function AnnouncerProvider({ children }: { children: ReactNode }) {
  const [message, setMessage] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const announce = useCallback<Announce>((text) => {
    clearTimeout(timer.current);
    // Clearing first makes a repeated identical message be announced again.
    setMessage('');
    requestAnimationFrame(() => setMessage(text));
    timer.current = setTimeout(() => setMessage(''), VISIBLE_MS);
  }, []);

  useEffect(() => () => clearTimeout(timer.current), []);

  return (
    <AnnouncerContext.Provider value={announce}>
      {children}
      <div className="announcer" role="status" aria-live="polite" aria-atomic="true" data-empty={message ? undefined : ''}>
        {message}
      </div>
    </AnnouncerContext.Provider>
  );
}

export function useAnnounce(): Announce {
  return useContext(AnnouncerContext);
}
