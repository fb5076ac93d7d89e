import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/** Sets the tab title to "Page · Portier", so tabs and history entries say where they lead. */
export function useDocumentTitle(page: string | null): void {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = page ? t('app.pageTitle', { page }) : t('app.name');
  }, [page, t]);
}
