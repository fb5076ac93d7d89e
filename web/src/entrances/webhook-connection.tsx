// After a webhook entrance is created: the delivery address and the signing secret. The secret is
// stored encrypted and never returned again, so this is the one moment to copy it.
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { WebhookConnection } from '../api/types.ts';
import { CopyField } from '../components/copy-field.tsx';

export function WebhookConnectionPanel({
  label,
  connection,
  onDismiss,
}: {
  label: string;
  connection: WebhookConnection;
  onDismiss(): void;
}) {
  const { t } = useTranslation();
  const titleRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => titleRef.current?.focus(), [connection.signingSecret]);
  return (
    <div className="new-token" role="region" aria-labelledby="webhook-connection-title">
      <h3 id="webhook-connection-title" tabIndex={-1} ref={titleRef}>
        {t('entrances.webhook.title', { label })}
      </h3>
      <p>{t('entrances.webhook.intro')}</p>
      <div className="stack">
        <CopyField label={t('entrances.webhook.url')} value={connection.webhookUrl} />
        <CopyField label={t('entrances.webhook.secret')} value={connection.signingSecret} secret />
      </div>
      <p className="new-token-warning">{t('entrances.webhook.secretWarning')}</p>
      <button type="button" className="button-quiet" onClick={onDismiss}>
        {t('settings.tokens.dismiss')}
      </button>
    </div>
  );
}
