import { useTranslation } from 'react-i18next';
import { useDescribeError } from '../i18n/describe-error.ts';

/** Says what failed and offers to try again. */
export function LoadFailed({ error, onRetry }: { error: unknown; onRetry(): void }) {
  const { t } = useTranslation();
  const describeError = useDescribeError();
  return (
    <div className="alert alert-error" role="alert">
      <p>
        {t('errors.loadFailed')} {describeError(error)}
      </p>
      <button type="button" onClick={onRetry}>
        {t('common.retry')}
      </button>
    </div>
  );
}
