import { useTranslation } from 'react-i18next';
import { INBOX_VIEWS } from '../api/types.ts';
import type { InboxView } from '../api/types.ts';
import { Link } from '../router/router.tsx';

export function InboxViewsNav({ active, current }: { active: InboxView; current: boolean }) {
  const { t } = useTranslation();
  return (
    <nav className="inbox-views" aria-label={t('inbox.viewsLabel')}>
      <ul>
        {INBOX_VIEWS.map((view) => (
          <li key={view}>
            <Link
              to={`/inbox/${view}`}
              aria-current={view === active ? (current ? 'page' : 'true') : undefined}
              className={`view-link view-${view}`}
            >
              {t(`inbox.views.${view}`)}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
