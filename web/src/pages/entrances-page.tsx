import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { deleteEntrance, listEntrances } from '../api/endpoints.ts';
import type { Entrance, WebhookConnection } from '../api/types.ts';
import { useAnnounce } from '../components/announcer.tsx';
import { useDocumentTitle } from '../components/document-title.ts';
import { LoadFailed } from '../components/load-failed.tsx';
import { useLoad } from '../components/use-load.ts';
import { useRefreshOnChange } from '../inbox/inbox-live.tsx';
import { AddEntranceForm } from '../entrances/add-entrance-form.tsx';
import { EntranceList } from '../entrances/entrance-list.tsx';
import { WebhookConnectionPanel } from '../entrances/webhook-connection.tsx';
import { describeError as explainError, useDescribeError } from '../i18n/describe-error.ts';

export function EntrancesPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('entrances.title'));
  const announce = useAnnounce();
  const describeError = useDescribeError();
  const entrances = useLoad(() => listEntrances().then((r) => r.items), []);
  // A connector's state changes on the server (a sync that fails or recovers): shown without a reload.
  useRefreshOnChange(entrances.refresh);
  const [connection, setConnection] = useState<{ label: string; connection: WebhookConnection } | null>(null);

  async function remove(entrance: Entrance) {
    if (!window.confirm(t('entrances.removeConfirm', { label: entrance.label }))) return;
    try {
      await deleteEntrance(entrance.id);
      if (entrances.status === 'loaded') entrances.replace(entrances.data.filter((e) => e.id !== entrance.id));
      announce('entrances.removed', { label: entrance.label });
    } catch (error) {
      announce((t) =>
        error instanceof ApiError && error.code === 'conflict'
          ? t('entrances.removeConflict', { label: entrance.label })
          : explainError(t, error),
      );
    }
  }

  return (
    <div className="page">
      <h1>{t('entrances.title')}</h1>
      <p className="lead">{t('entrances.intro')}</p>
      <section aria-labelledby="entrances-list-title" className="page-section">
        <h2 id="entrances-list-title">{t('entrances.listTitle')}</h2>
        {entrances.status === 'loading' ? (
          <p className="muted" aria-busy="true">
            {t('app.loading')}
          </p>
        ) : entrances.status === 'failed' ? (
          <LoadFailed error={entrances.error} onRetry={entrances.reload} />
        ) : entrances.data.length === 0 ? (
          <p className="empty-state">{t('entrances.empty')}</p>
        ) : (
          <EntranceList
            entrances={entrances.data}
            onRemove={(entrance) => void remove(entrance)}
            onUpdated={(saved) => entrances.replace(entrances.data.map((e) => (e.id === saved.id ? saved : e)))}
          />
        )}
      </section>
      <section aria-labelledby="entrances-add-title" className="page-section card">
        <h2 id="entrances-add-title">{t('entrances.add.title')}</h2>
        {connection ? (
          <WebhookConnectionPanel
            label={connection.label}
            connection={connection.connection}
            onDismiss={() => setConnection(null)}
          />
        ) : null}
        <AddEntranceForm
          onAdded={(entrance, created) => {
            entrances.replace([...(entrances.status === 'loaded' ? entrances.data : []), entrance]);
            setConnection(created ? { label: entrance.label, connection: created } : null);
          }}
        />
      </section>
    </div>
  );
}
