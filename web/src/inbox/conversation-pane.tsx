// The right pane: one conversation's messages, oldest first, as a thread reads, with its actions
// on top and the reply box fixed at the bottom.
import { useCallback, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { fetchConversation } from '../api/endpoints.ts';
import type { ConversationChanges, ConversationDetail, ConversationSummary } from '../api/types.ts';
import { EntranceKindIcon } from '../components/entrance-kind-icon.tsx';
import { LoadFailed } from '../components/load-failed.tsx';
import { useLoad } from '../components/use-load.ts';
import { Link } from '../router/router.tsx';
import { Composer } from './composer.tsx';
import { ConversationActions, LabelsEditor } from './conversation-actions.tsx';
import { useRefreshOnChange } from './inbox-live.tsx';
import { MessageBubble } from './message-bubble.tsx';
import { subjectText } from './subject.ts';
import { isWaiting, WaitingTime } from './waiting-time.tsx';

export function ConversationPane({ id, backTo }: { id: string; backTo: string }) {
  const { t } = useTranslation();
  const detail = useLoad((signal) => fetchConversation(id, signal), [id]);
  useRefreshOnChange(detail.refresh);

  const back = (
    <Link to={backTo} className="back-link">
      <span aria-hidden="true">←</span> {t('inbox.backToList')}
    </Link>
  );

  if (detail.status === 'loading') {
    return (
      <div className="conversation-pane">
        {back}
        <p className="pane-message muted" aria-busy="true">
          {t('app.loading')}
        </p>
      </div>
    );
  }
  if (detail.status === 'failed') {
    const gone = detail.error instanceof ApiError && detail.error.status === 404;
    return (
      <div className="conversation-pane">
        {back}
        <div className="pane-message">
          {gone ? <p>{t('inbox.notFound')}</p> : <LoadFailed error={detail.error} onRetry={detail.reload} />}
        </div>
      </div>
    );
  }

  return <ConversationView data={detail.data} back={back} replace={detail.replace} refresh={detail.refresh} />;
}

export function StatusBadge({ conversation }: { conversation: ConversationDetail['conversation'] | ConversationSummary }) {
  const { t } = useTranslation();
  // A waiting conversation shows how long it has waited instead, which says more.
  if (isWaiting(conversation)) return null;
  const status = conversation.status === 'closed' ? 'closed' : 'open';
  return <span className={`status-badge status-${status}`}>{t(`inbox.status.${status}`)}</span>;
}

function ConversationView({
  data,
  back,
  replace,
  refresh,
}: {
  data: ConversationDetail;
  back: React.ReactNode;
  replace(data: ConversationDetail): void;
  refresh(): void;
}) {
  const { t } = useTranslation();
  const { conversation, messages } = data;
  const endRef = useRef<HTMLDivElement>(null);
  const lastMessageId = messages.at(-1)?.id;
  const subject = subjectText(conversation, t);
  // How the person asked to be answered, in their latest message that says so (the contact form).
  const preferredReply = messages.findLast((m) => m.direction === 'inbound' && m.preferredReply)?.preferredReply ?? null;

  // Start at the newest message, and follow new ones as they arrive. The pane scrolls on a wide
  // screen, the page on a phone; scrolling to the very end keeps the sticky reply box off the
  // last message.
  useEffect(() => {
    const pane = endRef.current?.closest('.inbox-conversation-pane');
    if (pane && pane.scrollHeight > pane.clientHeight + 1) pane.scrollTop = pane.scrollHeight;
    else window.scrollTo({ top: document.documentElement.scrollHeight });
  }, [lastMessageId]);

  const applyChanges = useCallback(
    (changes: ConversationChanges) => {
      const next = { ...conversation };
      if (changes.labels) next.labels = changes.labels;
      if (changes.snoozedUntil !== undefined) next.snoozedUntil = changes.snoozedUntil;
      if (changes.status === 'closed') {
        next.status = 'closed';
        next.awaitingSince = null;
      }
      if (changes.status === 'open') next.status = 'open';
      replace({ conversation: next, messages });
      refresh();
    },
    [conversation, messages, replace, refresh],
  );

  return (
    <article className="conversation-pane" aria-labelledby="conversation-title">
      <div className="conversation-scroll">
        {back}
        <header className="conversation-header">
          <div className="conversation-title-row">
            <h2 id="conversation-title" data-route-focus tabIndex={-1} title={conversation.contact.displayName}>
              {conversation.contact.displayName}
            </h2>
            <Link
              to={`/contacts/${encodeURIComponent(conversation.contact.id)}`}
              className="contact-link"
              aria-label={t('inbox.contactCardOf', { name: conversation.contact.displayName })}
            >
              {t('inbox.contactCard')}
            </Link>
          </div>
          {subject ? <p className="conversation-subject">{subject}</p> : null}
          <p className="conversation-meta">
            <span className="row-entrance">
              <EntranceKindIcon kind={conversation.entrance.kind} />
              {t('inbox.via', { entrance: conversation.entrance.label })}
            </span>
            <StatusBadge conversation={conversation} />
            {isWaiting(conversation) ? <WaitingTime since={conversation.awaitingSince ?? conversation.lastMessageAt} /> : null}
          </p>
          <ConversationActions conversation={conversation} onChanged={applyChanges} />
          <LabelsEditor conversation={conversation} onChanged={applyChanges} />
        </header>
        <ol className="message-list" aria-label={t('inbox.messagesLabel')}>
          {messages.map((message) => (
            <li key={message.id}>
              <MessageBubble message={message} contactName={conversation.contact.displayName} entranceKind={conversation.entrance.kind} />
            </li>
          ))}
        </ol>
        <div ref={endRef} />
      </div>
      <Composer key={conversation.id} conversation={conversation} preferredReply={preferredReply} onSent={refresh} />
    </article>
  );
}
