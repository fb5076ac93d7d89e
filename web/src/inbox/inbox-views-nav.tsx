import { useTranslation } from 'react-i18next';
import { INBOX_VIEWS } from '../api/types.ts';
import type { InboxView } from '../api/types.ts';
import { Icon } from '../components/icon.tsx';
import { Link } from '../router/router.tsx';
import { useInboxLive } from './inbox-live.tsx';

export function InboxViewsNav({ active, current }: { active: InboxView; current: boolean }) {
  const { t } = useTranslation();
  const { counts } = useInboxLive();
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
              <span className="view-name">{t(`inbox.views.${view}`)}</span>
              {counts && view !== 'done' ? (
                <span className={`view-count${view === 'waiting' && counts.waiting > 0 ? ' is-urgent' : ''}`}>
                  <span className="visually-hidden">: </span>
                  {counts[view]}
                </span>
              ) : null}
            </Link>
          </li>
        ))}
      </ul>
      <Link to="/inbox/log" className="button log-entry-link">
        <Icon name="phone" /> {t('inbox.log.open')}
      </Link>
    </nav>
  );
}
