// Search results in the list pane: matching contacts first (a name is what people remember), then
// messages with the matched words highlighted.
import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import { searchInbox } from '../api/endpoints.ts';
import { EntranceKindIcon } from '../components/entrance-kind-icon.tsx';
import { LoadFailed } from '../components/load-failed.tsx';
import { useLoad } from '../components/use-load.ts';
import { useFormatters } from '../i18n/format.ts';
import { Link, useLocation } from '../router/router.tsx';

/**
 * The server marks matches as [[word]] inside plain text. Splitting on the markers and rendering
 * the parts as text (never as HTML) keeps a message's own angle brackets harmless.
 */
export function Snippet({ text }: { text: string }) {
  const parts: { text: string; match: boolean }[] = [];
  let rest = text;
  while (rest) {
    const start = rest.indexOf('[[');
    const end = start >= 0 ? rest.indexOf(']]', start + 2) : -1;
    if (start < 0 || end < 0) {
      parts.push({ text: rest, match: false });
      break;
    }
    if (start > 0) parts.push({ text: rest.slice(0, start), match: false });
    parts.push({ text: rest.slice(start + 2, end), match: true });
    rest = rest.slice(end + 2);
  }
  return (
    <>
      {parts.map((part, index) => (
        <Fragment key={index}>{part.match ? <mark>{part.text}</mark> : part.text}</Fragment>
      ))}
    </>
  );
}

export function SearchResultsList({ q, selectedId }: { q: string; selectedId: string | null }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const { search } = useLocation();
  const results = useLoad((signal) => searchInbox({ q }, signal), [q]);

  if (results.status === 'loading') {
    return (
      <p className="pane-message muted" aria-busy="true">
        {t('inbox.search.searching')}
      </p>
    );
  }
  if (results.status === 'failed') {
    return (
      <div className="pane-message">
        <LoadFailed error={results.error} onRetry={results.reload} />
      </div>
    );
  }

  const { messages, contacts } = results.data;
  const total = messages.length + contacts.length;
  return (
    <div className="search-results">
      <p className="pane-message muted search-summary" role="status">
        {t('inbox.search.summary', { count: total, query: q })}
      </p>
      {contacts.length ? (
        <section aria-labelledby="search-contacts">
          <h2 id="search-contacts" className="list-section-title">
            {t('inbox.search.contacts')}
          </h2>
          <ul className="conversation-list">
            {contacts.map((contact) => (
              <li key={contact.id}>
                <Link to={`/contacts/${encodeURIComponent(contact.id)}`} className="conversation-row">
                  <span className="row-contact">{contact.displayName}</span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {messages.length ? (
        <section aria-labelledby="search-messages">
          <h2 id="search-messages" className="list-section-title">
            {t('inbox.search.messages')}
          </h2>
          <ul className="conversation-list">
            {messages.map((hit) => (
              <li key={hit.messageId}>
                <Link
                  to={`/inbox/c/${encodeURIComponent(hit.conversationId)}${search}`}
                  className="conversation-row"
                  aria-current={hit.conversationId === selectedId ? 'true' : undefined}
                >
                  <span className="row-top">
                    <span className="row-contact">{hit.contact.displayName}</span>
                    <time className="row-time" dateTime={new Date(hit.sentAt).toISOString()}>
                      {format.listTime(hit.sentAt)}
                    </time>
                  </span>
                  <span className="row-snippet">
                    <Snippet text={hit.snippet} />
                  </span>
                  <span className="row-meta">
                    <span className="row-entrance">
                      <EntranceKindIcon kind={hit.entrance.kind} />
                      {hit.entrance.label}
                    </span>
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
