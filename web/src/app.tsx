// Which screen shows for which address, and who may see it.
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { AnnouncerProvider } from './components/announcer.tsx';
import { AppShell } from './components/app-shell.tsx';
import { InboxLiveProvider } from './inbox/inbox-live.tsx';
import { ContactPage } from './pages/contact-page.tsx';
import { EntrancesPage } from './pages/entrances-page.tsx';
import { InboxPage } from './pages/inbox-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { SettingsPage } from './pages/settings-page.tsx';
import { SetupPage } from './pages/setup-page.tsx';
import { nextPath, SignInPage } from './pages/signin-page.tsx';
import { matchPath, navigate, useLocation } from './router/router.tsx';
import { SessionProvider, useSession } from './session/session-context.tsx';

export function App() {
  return (
    <SessionProvider>
      <AnnouncerProvider>
        <Routes />
      </AnnouncerProvider>
    </SessionProvider>
  );
}

function Routes() {
  const { t } = useTranslation();
  const session = useSession();
  const { pathname, search } = useLocation();

  if (session.status === 'loading') {
    return (
      <p className="splash" aria-busy="true">
        {t('app.loading')}
      </p>
    );
  }

  if (pathname === '/setup') {
    return (
      <AppShell>
        <SetupPage />
      </AppShell>
    );
  }

  if (pathname === '/signin') {
    if (session.status === 'signed-in') return <Redirect to={nextPath()} />;
    return (
      <AppShell>
        <SignInPage />
      </AppShell>
    );
  }

  if (session.status !== 'signed-in') {
    const next = pathname === '/' ? '' : `?next=${encodeURIComponent(pathname + search)}`;
    return <Redirect to={`/signin${next}`} />;
  }

  if (pathname === '/' || pathname === '') return <Redirect to="/inbox" />;

  const inboxConversation = matchPath('/inbox/c/:conversationId', pathname);
  const inboxView = matchPath('/inbox/:view', pathname);
  const contact = matchPath('/contacts/:contactId', pathname);
  let screen;
  let wide = false;
  if (matchPath('/inbox', pathname)) {
    screen = <InboxPage />;
    wide = true;
  } else if (matchPath('/inbox/log', pathname)) {
    screen = <InboxPage logEntry />;
    wide = true;
  } else if (inboxConversation) {
    screen = <InboxPage conversationId={inboxConversation.conversationId} />;
    wide = true;
  } else if (inboxView) {
    screen = <InboxPage view={inboxView.view} />;
    wide = true;
  } else if (contact) {
    screen = <ContactPage key={contact.contactId} id={contact.contactId ?? ''} />;
  } else if (matchPath('/entrances', pathname)) {
    screen = <EntrancesPage />;
  } else if (matchPath('/settings', pathname)) {
    screen = <SettingsPage />;
  } else {
    screen = <NotFoundPage />;
  }
  return (
    <InboxLiveProvider>
      <AppShell wide={wide}>{screen}</AppShell>
    </InboxLiveProvider>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}
