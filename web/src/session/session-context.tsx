// Who is signed in, shared by every screen. The session is read once at start; signing in,
// setup and sign-out replace it.
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import i18next from 'i18next';
import { setUnauthenticatedHandler } from '../api/client.ts';
import { fetchSession, signOut as endSession } from '../api/endpoints.ts';
import type { Session, User, Workspace } from '../api/types.ts';
import { readStoredLocale, toLocale } from '../i18n/locales.ts';

export type SessionStatus = 'loading' | 'anonymous' | 'signed-in';

export interface SessionState {
  status: SessionStatus;
  current: Session | null;
  /** Set after an authenticated call answered 401, so the sign-in page can say why. */
  expired: boolean;
  signedIn(session: Session): void;
  signOut(): Promise<void>;
  replaceUser(user: User): void;
  replaceWorkspace(workspace: Workspace): void;
}

const SessionContext = createContext<SessionState | null>(null);

/** The account's language preference applies unless this browser made its own choice. */
function applyUserLocale(user: User): void {
  const preferred = toLocale(user.locale);
  if (preferred && !readStoredLocale() && i18next.language !== preferred) void i18next.changeLanguage(preferred);
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SessionStatus>('loading');
  const [current, setCurrent] = useState<Session | null>(null);
  const [expired, setExpired] = useState(false);

  const signedIn = useCallback((session: Session) => {
    applyUserLocale(session.user);
    setCurrent(session);
    setStatus('signed-in');
    setExpired(false);
  }, []);

  useEffect(() => {
    let cancelled = false;
    fetchSession()
      .then((session) => !cancelled && signedIn(session))
      .catch(() => {
        if (cancelled) return;
        setCurrent(null);
        setStatus('anonymous');
      });
    setUnauthenticatedHandler(() => {
      setCurrent(null);
      setStatus('anonymous');
      setExpired(true);
    });
    return () => {
      cancelled = true;
      setUnauthenticatedHandler(null);
    };
  }, [signedIn]);

  const signOut = useCallback(async () => {
    try {
      await endSession();
    } finally {
      setCurrent(null);
      setStatus('anonymous');
      setExpired(false);
    }
  }, []);

  const replaceUser = useCallback((user: User) => {
    setCurrent((session) => (session ? { ...session, user } : session));
  }, []);

  const replaceWorkspace = useCallback((workspace: Workspace) => {
    setCurrent((session) => (session ? { ...session, workspace } : session));
  }, []);

  const value = useMemo(
    () => ({ status, current, expired, signedIn, signOut, replaceUser, replaceWorkspace }),
    [status, current, expired, signedIn, signOut, replaceUser, replaceWorkspace],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession must be used inside <SessionProvider>');
  return state;
}

/** For screens that only render when signed in. */
export function useSignedInSession(): Session {
  const { current } = useSession();
  if (!current) throw new Error('useSignedInSession used while signed out');
  return current;
}
