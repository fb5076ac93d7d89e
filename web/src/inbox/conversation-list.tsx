// The middle pane: the conversations of one inbox view, newest activity first.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { listConversations, listEntrances } from '../api/endpoints.ts';
import type { ConversationSummary, InboxView, ListFilters } from '../api/types.ts';
import { EntranceKindIcon } from '../components/entrance-kind-icon.tsx';
import { LoadFailed } from '../components/load-failed.tsx';
import { useLoad } from '../components/use-load.ts';
import { useDescribeError } from '../i18n/describe-error.ts';
import { useFormatters } from '../i18n/format.ts';
import { Link, useLocation } from '../router/router.tsx';
import { useRefreshOnChange } from './inbox-live.tsx';
import { replaceListQuery } from './list-query.ts';
import { subjectText } from './subject.ts';
import { isWaiting, WaitingTime } from './waiting-time.tsx';
import { NoAnswerReason } from './no-answer-reason.tsx';

export function ConversationList({
  view,
  filters,
  selectedId,
}: {
  view: InboxView;
  filters: ListFilters;
  selectedId: string | null;
}) {
  const { t } = useTranslation();
  const describeError = useDescribeError();
  const filterKey = `${view}|${filters.stage ?? ''}|${filters.label ?? ''}`;
  const page = useLoad((signal) => listConversations(view, { signal, filters }), [filterKey]);
  useRefreshOnChange(page.refresh);
  const [more, setMore] = useState<{ items: ConversationSummary[]; nextCursor: string | null; loading: boolean; error?: unknown }>({
    items: [],
    nextCursor: null,
    loading: false,
  });
  const [moreFor, setMoreFor] = useState(filterKey);
  if (moreFor !== filterKey) {
    // The view changed: forget the extra pages loaded for the previous one.
    setMoreFor(filterKey);
    setMore({ items: [], nextCursor: null, loading: false });
  }

  if (page.status === 'loading') {
    return (
      <p className="pane-message muted" aria-busy="true">
        {t('inbox.loading')}
      </p>
    );
  }
  if (page.status === 'failed') {
    return (
      <div className="pane-message">
        <LoadFailed error={page.error} onRetry={page.reload} />
      </div>
    );
  }

  const filtered = Boolean(filters.stage || filters.label);
  const items = [...page.data.items, ...more.items];
  const nextCursor = more.items.length ? more.nextCursor : (page.data.nextCursor ?? null);
  if (items.length === 0) {
    if (filtered) {
      return (
        <div className="empty-state">
          <p>{t('inbox.filters.empty')}</p>
          <button type="button" onClick={() => replaceListQuery({ stage: undefined, label: undefined })}>
            {t('inbox.filters.clear')}
          </button>
        </div>
      );
    }
    return <EmptyView view={view} />;
  }

  async function loadMore() {
    if (!nextCursor) return;
    setMore((m) => ({ ...m, loading: true, error: undefined }));
    try {
      const next = await listConversations(view, { cursor: nextCursor, filters });
      setMore((m) => ({ items: [...m.items, ...next.items], nextCursor: next.nextCursor ?? null, loading: false }));
    } catch (error) {
      setMore((m) => ({ ...m, loading: false, error }));
    }
  }

  return (
    <>
      <ul className="conversation-list" aria-label={t('inbox.listLabel')}>
        {items.map((conversation) => (
          <li key={conversation.id}>
            <ConversationRow conversation={conversation} selected={conversation.id === selectedId} />
          </li>
        ))}
      </ul>
      {more.error ? <p className="field-error pane-message">{describeError(more.error)}</p> : null}
      {nextCursor ? (
        <div className="load-more">
          <button type="button" onClick={() => void loadMore()} disabled={more.loading}>
            {more.loading ? t('app.loading') : t('inbox.loadMore')}
          </button>
        </div>
      ) : null}
    </>
  );
}

function ConversationRow({ conversation, selected }: { conversation: ConversationSummary; selected: boolean }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const { search } = useLocation();
  const waiting = isWaiting(conversation);
  const subject = subjectText(conversation, t);
  return (
    <Link
      to={`/inbox/c/${encodeURIComponent(conversation.id)}${search}`}
      className={`conversation-row${waiting ? ' is-waiting' : ''}`}
      aria-current={selected ? 'true' : undefined}
    >
      <span className="row-top">
        <span className="row-contact" title={conversation.contact.displayName}>
          {conversation.contact.displayName}
        </span>
        <time className="row-time" dateTime={new Date(conversation.lastMessageAt).toISOString()}>
          {format.listTime(conversation.lastMessageAt)}
        </time>
      </span>
      {subject ? <span className="row-subject">{subject}</span> : null}
      <span className="row-preview">{conversation.preview}</span>
      <span className="row-meta">
        <span className="row-entrance">
          <EntranceKindIcon kind={conversation.entrance.kind} />
          {conversation.entrance.label}
        </span>
        {/* A follow-up that came due says so instead of "arrived just now": nobody wrote. */}
        {waiting && !conversation.noAnswerSince ? <WaitingTime since={conversation.awaitingSince ?? conversation.lastMessageAt} /> : null}
        <NoAnswerReason conversation={conversation} />
      </span>
    </Link>
  );
}

/** Explains what belongs in this view, and where to start if no entrance is connected yet. */
function EmptyView({ view }: { view: InboxView }) {
  const { t } = useTranslation();
  const entrances = useLoad((signal) => listEntrances().then((r) => (signal.aborted ? null : r.items.length)), []);
  const noEntrances = entrances.status === 'loaded' && entrances.data === 0;
  return (
    <div className="empty-state">
      <p>{t(`inbox.empty.${view}`)}</p>
      {noEntrances ? (
        <>
          <p className="muted">{t('inbox.noEntrances')}</p>
          <p>
            <Link to="/entrances" className="button button-primary">
              {t('inbox.connectFirstEntrance')}
            </Link>
          </p>
        </>
      ) : null}
    </div>
  );
}
