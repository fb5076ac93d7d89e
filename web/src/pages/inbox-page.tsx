// The inbox frame: views on the left, the conversation list in the middle, the open conversation
// on the right. On a phone (≤ 700px) one pane shows at a time, with a way back.
import { useTranslation } from 'react-i18next';
import { INBOX_VIEWS } from '../api/types.ts';
import type { InboxView } from '../api/types.ts';
import { useDocumentTitle } from '../components/document-title.ts';
import { ConversationList } from '../inbox/conversation-list.tsx';
import { ConversationPane } from '../inbox/conversation-pane.tsx';
import { InboxViewsNav } from '../inbox/inbox-views-nav.tsx';
import { NotFoundPage } from './not-found-page.tsx';

// The list shown beside an open conversation is the view it was opened from.
let lastView: InboxView = 'waiting';

export function isInboxView(value: string | undefined): value is InboxView {
  return (INBOX_VIEWS as readonly string[]).includes(value ?? '');
}

export function InboxPage({ view, conversationId }: { view?: string; conversationId?: string }) {
  const { t } = useTranslation();
  if (view !== undefined && isInboxView(view)) lastView = view;
  const activeView = lastView;
  const viewTitle = t(`inbox.views.${activeView}`);
  useDocumentTitle(conversationId ? t('inbox.title') : viewTitle);

  if (view !== undefined && !isInboxView(view)) return <NotFoundPage />;

  return (
    <div className={`inbox${conversationId ? ' inbox-conversation-open' : ''}`}>
      <InboxViewsNav active={activeView} current={!conversationId} />
      <section className="inbox-list-pane" aria-labelledby="inbox-list-title">
        <h1 id="inbox-list-title" className="pane-title">
          {viewTitle}
        </h1>
        <ConversationList view={activeView} selectedId={conversationId ?? null} />
      </section>
      <section className="inbox-conversation-pane" aria-label={conversationId ? undefined : t('inbox.title')}>
        {conversationId ? (
          <ConversationPane key={conversationId} id={conversationId} backTo={`/inbox/${activeView}`} />
        ) : (
          <p className="pane-placeholder muted">{t('inbox.selectConversation')}</p>
        )}
      </section>
    </div>
  );
}
