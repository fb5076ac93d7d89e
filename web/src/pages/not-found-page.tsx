import { useTranslation } from 'react-i18next';
import { useDocumentTitle } from '../components/document-title.ts';
import { Link } from '../router/router.tsx';

export function NotFoundPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('notFound.title'));
  return (
    <div className="narrow-page">
      <h1>{t('notFound.title')}</h1>
      <p>{t('notFound.text')}</p>
      <p>
        <Link to="/inbox">{t('notFound.home')}</Link>
      </p>
    </div>
  );
}
