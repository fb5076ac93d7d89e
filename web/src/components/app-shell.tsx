// The frame around every screen: skip link, top bar, and the <main> landmark.
import { useEffect, useRef } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, navigate, useLocation } from '../router/router.tsx';
import { useSession } from '../session/session-context.tsx';
import { useAnnounce } from './announcer.tsx';
import { LanguageSelect } from './language-select.tsx';

const SECTIONS = [
  { path: '/inbox', key: 'nav.inbox' },
  { path: '/entrances', key: 'nav.entrances' },
  { path: '/settings', key: 'nav.settings' },
] as const;

export function AppShell({ children, wide = false }: { children: ReactNode; wide?: boolean }) {
  const { t } = useTranslation();
  const session = useSession();
  const announce = useAnnounce();
  const { pathname } = useLocation();
  const workspace = session.current?.workspace;

  useFocusOnNavigation(pathname);

  async function handleSignOut() {
    await session.signOut().catch(() => undefined);
    announce('nav.signedOut');
    navigate('/signin');
  }

  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="top-bar">
        <div className="top-bar-brand">
          <Link to={session.current ? '/inbox' : '/signin'} className="brand">
            <svg className="brand-mark" viewBox="0 0 32 32" width="26" height="26" aria-hidden="true" focusable="false">
              <rect width="32" height="32" rx="7" />
              <path d="M10 26V7h9a6 6 0 0 1 0 12h-5v7z" />
            </svg>
            <span>{t('app.name')}</span>
          </Link>
          {workspace ? <span className="workspace-name">{workspace.name}</span> : null}
        </div>
        {session.current ? (
          <nav className="top-nav" aria-label={t('nav.main')}>
            <ul>
              {SECTIONS.map((section) => (
                <li key={section.path}>
                  <Link
                    to={section.path}
                    aria-current={pathname === section.path || pathname.startsWith(`${section.path}/`) ? 'page' : undefined}
                  >
                    {t(section.key)}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
        <div className="top-bar-tools">
          <LanguageSelect />
          {session.current ? (
            <button type="button" className="button-quiet" onClick={() => void handleSignOut()}>
              {t('nav.signOut')}
            </button>
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1} className={wide ? 'main main-wide' : 'main'}>
        {children}
      </main>
    </>
  );
}

/**
 * After a client-side navigation, focus moves to the new screen's heading (or to an element
 * marked data-route-focus, such as the sign-in page's e-mail field), as a full page load would,
 * so screen readers announce where you are. A form whose first job is typing marks its first
 * field, so people can type at once.
 */
function useFocusOnNavigation(pathname: string): void {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    // Wait a frame so the new screen has rendered its heading.
    const frame = requestAnimationFrame(() => {
      const target =
        document.querySelector<HTMLElement>('#main [data-route-focus]') ?? document.querySelector<HTMLElement>('#main h1');
      if (!target) return;
      if (!target.hasAttribute('tabindex') && !target.matches('input, textarea, select, button, a[href]')) {
        target.setAttribute('tabindex', '-1');
      }
      target.focus({ preventScroll: false });
    });
    return () => cancelAnimationFrame(frame);
  }, [pathname]);
}
