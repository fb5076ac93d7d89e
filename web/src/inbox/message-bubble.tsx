// One message of the thread. Inbound mail may carry HTML, sanitised by the server and shown in a
// sandboxed frame (message-html-frame.tsx); remote images in it stay blocked until the reader
// allows them, so opening a message tells no sender that it was read.
import { useTranslation } from 'react-i18next';
import type { EntranceKind, Message } from '../api/types.ts';
import { useFormatters } from '../i18n/format.ts';
import { MessageHtmlFrame } from './message-html-frame.tsx';
import { AttachmentList } from './attachment-list.tsx';

export function MessageBubble({ message, contactName, entranceKind }: { message: Message; contactName: string; entranceKind?: EntranceKind }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const author = message.authorName ?? (message.direction === 'inbound' ? contactName : null);
  const failed = message.deliveryState === 'failed';
  const outbound = message.direction === 'outbound';
  const answeredElsewhere = message.deliveryState === 'answered_elsewhere';
  const label = answeredElsewhere ? t('inbox.direction.answeredElsewhere') : t(`inbox.direction.${message.direction}`);
  return (
    <div
      className={`message message-${message.direction}${failed ? ' is-failed' : ''}${answeredElsewhere ? ' is-elsewhere' : ''}`}
    >
      <p className="message-meta">
        <span className="message-direction">{label}</span>
        {author ? (
          <span className="message-author" title={author}>
            {author}
          </span>
        ) : null}
        <time dateTime={new Date(message.sentAt).toISOString()}>{format.dateTime(message.sentAt)}</time>
        {outbound && !answeredElsewhere ? (
          <span className={`message-delivery delivery-${message.deliveryState}`}>
            {t('inbox.delivery', { state: message.deliveryState })}
          </span>
        ) : null}
      </p>
      {failed ? (
        <p className="delivery-error" role="note">
          <strong>{t('inbox.deliveryFailed')}</strong> {message.deliveryError ?? t('inbox.deliveryFailedUnknown')}
        </p>
      ) : null}
      {message.subject && message.direction === 'inbound' ? <p className="message-subject">{message.subject}</p> : null}
      {message.html ? <MessageHtmlFrame message={message} /> : <div className="message-text">{message.text}</div>}
      <AttachmentList message={message} />
      {message.referral || message.preferredReply ? (
        <ul className="message-facts">
          {message.referral ? (
            <li>
              {/* The contact form stores a whole phrase in the owner's language ("LinkedIn",
                  "Recommendation: Anna"), shown as is; a logged call stores who recommended. */}
              {entranceKind === 'webform'
                ? t('inbox.howFound', { text: message.referral })
                : t('inbox.referredBy', { name: message.referral })}
            </li>
          ) : null}
          {message.preferredReply ? <li>{t('inbox.preferredReply', { how: message.preferredReply })}</li> : null}
        </ul>
      ) : null}
    </div>
  );
}
