// The right pane: one conversation's messages, oldest first, as a thread reads.
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { fetchConversation } from '../api/endpoints.ts';
import type { Message } from '../api/types.ts';
import { EntranceKindIcon } from '../components/entrance-kind-icon.tsx';
import { LoadFailed } from '../components/load-failed.tsx';
import { useLoad } from '../components/use-load.ts';
import { useFormatters } from '../i18n/format.ts';
import { Link } from '../router/router.tsx';
import { WaitingTime } from './waiting-time.tsx';

export function ConversationPane({ id, backTo }: { id: string; backTo: string }) {
  const { t } = useTranslation();
  const detail = useLoad((signal) => fetchConversation(id, signal), [id]);

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

  const { conversation, messages } = detail.data;
  return (
    <article className="conversation-pane" aria-labelledby="conversation-title">
      {back}
      <header className="conversation-header">
        <h2 id="conversation-title" data-route-focus tabIndex={-1}>
          {conversation.contact.displayName}
        </h2>
        <p className="conversation-subject">{conversation.subject ?? t('inbox.noSubject')}</p>
        <p className="conversation-meta">
          <span className="row-entrance">
            <EntranceKindIcon kind={conversation.entrance.kind} />
            {t('inbox.via', { entrance: conversation.entrance.label })}
          </span>
          <span className={`status-badge status-${conversation.status}`}>{t(`inbox.status.${conversation.status}`)}</span>
          {conversation.status === 'waiting' && conversation.awaitingSince !== null ? (
            <WaitingTime since={conversation.awaitingSince} />
          ) : null}
        </p>
      </header>
      <ol className="message-list" aria-label={t('inbox.messagesLabel')}>
        {messages.map((message) => (
          <li key={message.id}>
            <MessageBubble message={message} contactName={conversation.contact.displayName} />
          </li>
        ))}
      </ol>
    </article>
  );
}

function MessageBubble({ message, contactName }: { message: Message; contactName: string }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const author = message.authorName ?? (message.direction === 'inbound' ? contactName : null);
  const delivery = message.direction === 'outbound' ? t('inbox.delivery', { state: message.deliveryState }) : '';
  return (
    <div className={`message message-${message.direction}${message.deliveryState === 'failed' ? ' is-failed' : ''}`}>
      <p className="message-meta">
        <span className="message-direction">{t(`inbox.direction.${message.direction}`)}</span>
        {author ? <span className="message-author">{author}</span> : null}
        <time dateTime={new Date(message.sentAt).toISOString()}>{format.dateTime(message.sentAt)}</time>
        {delivery ? <span className="message-delivery">{delivery}</span> : null}
      </p>
      <div className="message-text">{message.text}</div>
    </div>
  );
}
