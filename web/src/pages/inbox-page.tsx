// The inbox frame: views on the left, the conversation list in the middle, the open conversation
// on the right. On a phone (≤ 700px) one pane shows at a time, with a way back.
import { useTranslation } from 'react-i18next';
import { INBOX_VIEWS } from '../api/types.ts';
import type { InboxView } from '../api/types.ts';
import { useDocumentTitle } from '../components/document-title.ts';
import { ConversationList } from '../inbox/conversation-list.tsx';
import { ConversationPane } from '../inbox/conversation-pane.tsx';
import { InboxViewsNav } from '../inbox/inbox-views-nav.tsx';
import { ListTools } from '../inbox/list-tools.tsx';
import { readListQuery } from '../inbox/list-query.ts';
import { LogEntryForm } from '../inbox/log-entry-form.tsx';
import { SearchResultsList } from '../inbox/search-results.tsx';
import { ShortcutHelp, useInboxShortcuts } from '../inbox/shortcuts.tsx';
import { useLocation } from '../router/router.tsx';
import { NotFoundPage } from './not-found-page.tsx';

// The list shown beside an open conversation is the view it was opened from.
let lastView: InboxView = 'waiting';

export function isInboxView(value: string | undefined): value is InboxView {
  return (INBOX_VIEWS as readonly string[]).includes(value ?? '');
}

export function InboxPage({
  view,
  conversationId,
  logEntry = false,
}: {
  view?: string;
  conversationId?: string;
  logEntry?: boolean;
}) {
  const { t } = useTranslation();
  const { search } = useLocation();
  const query = readListQuery(search);
  if (view !== undefined && isInboxView(view)) lastView = view;
  const activeView = lastView;
  const viewTitle = t(`inbox.views.${activeView}`);
  const searching = query.q.trim().length > 0;
  const listTitle = searching ? t('inbox.search.title') : viewTitle;
  const paneOpen = Boolean(conversationId) || logEntry;
  const shortcuts = useInboxShortcuts();
  useDocumentTitle(paneOpen ? t('inbox.title') : listTitle);

  if (view !== undefined && !isInboxView(view)) return <NotFoundPage />;

  const backTo = `/inbox/${activeView}${search}`;

  return (
    <div className={`inbox${paneOpen ? ' inbox-conversation-open' : ''}`}>
      <InboxViewsNav active={activeView} current={!paneOpen && !searching} />
      <section className="inbox-list-pane" aria-labelledby="inbox-list-title">
        <div className="list-head">
          <h1 id="inbox-list-title" className="pane-title">
            {listTitle}
          </h1>
          <ListTools query={query} />
        </div>
        {searching ? (
          <SearchResultsList q={query.q.trim()} selectedId={conversationId ?? null} />
        ) : (
          <ConversationList
            view={activeView}
            filters={{ stage: query.stage, label: query.label }}
            selectedId={conversationId ?? null}
          />
        )}
      </section>
      <section className="inbox-conversation-pane" aria-label={paneOpen ? undefined : t('inbox.title')}>
        {conversationId ? (
          <ConversationPane key={conversationId} id={conversationId} backTo={backTo} />
        ) : logEntry ? (
          <LogEntryForm backTo={backTo} />
        ) : (
          <div className="pane-placeholder muted">
            <p>{t('inbox.selectConversation')}</p>
            <p className="shortcut-hint">{t('shortcuts.hint')}</p>
          </div>
        )}
      </section>
      <ShortcutHelp open={shortcuts.helpOpen} onClose={shortcuts.closeHelp} />
    </div>
  );
}
