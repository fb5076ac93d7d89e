import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useInboxLive } from '../inbox/inbox-live.tsx';

/**
 * Sets the tab title to "Page · Portier", so tabs and history entries say where they lead. When
 * conversations are waiting, their number comes first — "(3) Inbox · Portier" — as a pinned tab
 * then shows at a glance that someone is at the door.
 */
export function useDocumentTitle(page: string | null): void {
  const { t } = useTranslation();
  const { counts } = useInboxLive();
  const waiting = counts?.waiting ?? 0;
  useEffect(() => {
    const title = page ? t('app.pageTitle', { page }) : t('app.name');
    document.title = waiting > 0 ? `(${waiting}) ${title}` : title;
  }, [page, t, waiting]);
}
