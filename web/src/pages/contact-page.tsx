// One contact across every entrance: where they came from, the stage of the relationship, notes
// and the next step, how they are known on each channel, all their conversations, who may be the
// same person (suggestion-notice.tsx), and merging a duplicate in (with undo, because a wrong
// merge must never be final).
import { useEffect, useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { fetchContact, findContacts, mergeContact, undoContactMerge, updateContact } from '../api/endpoints.ts';
import { CONTACT_STAGES } from '../api/types.ts';
import type { Contact, ContactChanges, ContactListItem, ContactStage } from '../api/types.ts';
import { useAnnounce } from '../components/announcer.tsx';
import type { NoticeText } from '../components/announcer.tsx';
import { useDocumentTitle } from '../components/document-title.ts';
import { EntranceKindIcon } from '../components/entrance-kind-icon.tsx';
import { SelectField, TextAreaField, TextField } from '../components/fields.tsx';
import { LoadFailed } from '../components/load-failed.tsx';
import { useLoad } from '../components/use-load.ts';
import { useRefreshOnChange } from '../inbox/inbox-live.tsx';
import { StatusBadge } from '../inbox/conversation-pane.tsx';
import { subjectText } from '../inbox/subject.ts';
import { isWaiting, WaitingTime } from '../inbox/waiting-time.tsx';
import { describeError as explainError, useDescribeError } from '../i18n/describe-error.ts';
import { useFormatters } from '../i18n/format.ts';
import { fromLocalInput, toLocalInput } from '../i18n/zoned-time.ts';
import { Link } from '../router/router.tsx';
import { useSignedInSession } from '../session/session-context.tsx';
import { SuggestionNotice } from '../contacts/suggestion-notice.tsx';

export function ContactPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const contact = useLoad((signal) => fetchContact(id, signal), [id]);
  useRefreshOnChange(contact.refresh);
  useDocumentTitle(contact.status === 'loaded' ? contact.data.displayName : t('contacts.title'));

  const back = (
    <p>
      <Link to="/inbox" className="back-link-always">
        <span aria-hidden="true">←</span> {t('contacts.backToInbox')}
      </Link>
    </p>
  );

  if (contact.status === 'loading') {
    return (
      <div className="page">
        {back}
        <p className="muted" aria-busy="true">
          {t('app.loading')}
        </p>
      </div>
    );
  }
  if (contact.status === 'failed') {
    const gone = contact.error instanceof ApiError && contact.error.status === 404;
    return (
      <div className="page">
        {back}
        <h1>{t('contacts.title')}</h1>
        {gone ? <p>{t('contacts.notFound')}</p> : <LoadFailed error={contact.error} onRetry={contact.reload} />}
      </div>
    );
  }
  return <ContactView contact={contact.data} back={back} onChanged={contact.replace} reload={contact.refresh} />;
}

function ContactView({
  contact,
  back,
  onChanged,
  reload,
}: {
  contact: Contact;
  back: React.ReactNode;
  onChanged(contact: Contact): void;
  reload(): void;
}) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const describeError = useDescribeError();
  const format = useFormatters();

  async function save(changes: ContactChanges, done: NoticeText): Promise<boolean> {
    try {
      const answer = await updateContact(contact.id, changes);
      onChanged(answer && typeof answer === 'object' && 'id' in answer ? answer : { ...contact, ...changes } as Contact);
      announce(done);
      return true;
    } catch (error) {
      announce((t) => explainError(t, error));
      return false;
    }
  }

  return (
    <div className="page contact-page">
      {back}
      <header className="contact-header">
        <h1>{contact.displayName}</h1>
        <p className="muted contact-origin">
          {contact.firstEntrance ? (
            <span className="row-entrance">
              <EntranceKindIcon kind={contact.firstEntrance.kind} />
              {t('contacts.firstEntrance', { entrance: contact.firstEntrance.label })}
            </span>
          ) : null}
          {contact.referredByText ? (
            <span>
              {/* The contact form stores a whole phrase ("LinkedIn", "Recommendation: Anna"); a logged call, a name. */}
              {contact.firstEntrance?.kind === 'webform'
                ? t('inbox.howFound', { text: contact.referredByText })
                : t('inbox.referredBy', { name: contact.referredByText })}
            </span>
          ) : null}
        </p>
      </header>
      <SuggestionNotice contact={contact} onMerged={reload} />
      <div className="contact-grid">
        <div className="contact-main">
          <section className="card" aria-labelledby="contact-conversations">
            <h2 id="contact-conversations">{t('contacts.conversations')}</h2>
            {contact.conversations.length === 0 ? (
              <p className="muted">{t('contacts.noConversations')}</p>
            ) : (
              <ul className="conversation-list contact-conversations">
                {contact.conversations.map((conversation) => {
                  // Without a subject (a form, a call, a chat) the message itself names the conversation.
                  const subject = subjectText(conversation, t);
                  const headline = subject ?? (conversation.preview || null);
                  return (
                    <li key={conversation.id}>
                      <Link to={`/inbox/c/${encodeURIComponent(conversation.id)}`} className="conversation-row">
                        <span className="row-top">
                          <span className="row-contact">{headline ?? conversation.entrance.label}</span>
                          <time className="row-time" dateTime={new Date(conversation.lastMessageAt).toISOString()}>
                            {format.listTime(conversation.lastMessageAt)}
                          </time>
                        </span>
                        {subject ? <span className="row-preview">{conversation.preview}</span> : null}
                        <span className="row-meta">
                          {headline ? (
                            <span className="row-entrance">
                              <EntranceKindIcon kind={conversation.entrance.kind} />
                              {conversation.entrance.label}
                            </span>
                          ) : null}
                          <StatusBadge conversation={conversation} />
                          {isWaiting(conversation) ? (
                            <WaitingTime since={conversation.awaitingSince ?? conversation.lastMessageAt} />
                          ) : null}
                        </span>
                      </Link>
                    </li>
                  );
                })}
              </ul>
            )}
          </section>
          <NotesCard contact={contact} save={save} />
        </div>
        <div className="contact-side">
          <section className="card" aria-labelledby="contact-pipeline">
            <h2 id="contact-pipeline">{t('contacts.pipeline')}</h2>
            <SelectField
              label={t('contacts.stageLabel')}
              value={contact.stage}
              onChange={(stage) =>
                void save({ stage: stage as ContactStage }, (t) => t('contacts.stageSaved', { stage: t(`contacts.stage.${stage}`) }))
              }
            >
              {CONTACT_STAGES.map((stage) => (
                <option key={stage} value={stage}>
                  {t(`contacts.stage.${stage}`)}
                </option>
              ))}
            </SelectField>
            <NextActionForm contact={contact} save={save} />
          </section>
          <section className="card" aria-labelledby="contact-identities">
            <h2 id="contact-identities">{t('contacts.identities')}</h2>
            {contact.identities.length === 0 ? (
              <p className="muted">{t('contacts.noIdentities')}</p>
            ) : (
              <ul className="identity-list">
                {contact.identities.map((identity) => (
                  <li key={identity.id}>
                    <span className="identity-kind">{t(`contacts.identityKind.${identity.kind}`, { defaultValue: identity.kind })}</span>
                    <span className="identity-value">{identity.value}</span>
                    {identity.verified ? <span className="identity-verified">{t('contacts.verified')}</span> : null}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <MergeCard contact={contact} onMerged={reload} />
        </div>
      </div>
    </div>
  );
}

type Save = (changes: ContactChanges, done: NoticeText) => Promise<boolean>;

function NotesCard({ contact, save }: { contact: Contact; save: Save }) {
  const { t } = useTranslation();
  const [notes, setNotes] = useState(contact.notes ?? '');
  const [referredBy, setReferredBy] = useState(contact.referredByText ?? '');
  const [saving, setSaving] = useState(false);
  const dirty = notes !== (contact.notes ?? '') || referredBy !== (contact.referredByText ?? '');
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaving(true);
    await save({ notes: notes.trim() || null, referredByText: referredBy.trim() || null } as ContactChanges, (t) => t('contacts.notesSaved'));
    setSaving(false);
  }
  return (
    <section className="card" aria-labelledby="contact-notes">
      <h2 id="contact-notes">{t('contacts.notes')}</h2>
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <TextAreaField label={t('contacts.notesLabel')} hint={t('contacts.notesHint')} value={notes} onChange={setNotes} rows={5} />
        <TextField label={t('contacts.referredBy')} value={referredBy} onChange={setReferredBy} maxLength={500} autoComplete="off" />
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={saving || !dirty}>
            {saving ? t('common.saving') : t('common.save')}
          </button>
        </div>
      </form>
    </section>
  );
}

function NextActionForm({ contact, save }: { contact: Contact; save: Save }) {
  const { t } = useTranslation();
  const { workspace } = useSignedInSession();
  const zone = workspace.timeZone;
  const [action, setAction] = useState(contact.nextAction ?? '');
  const [at, setAt] = useState(contact.nextActionAt ? toLocalInput(contact.nextActionAt, zone) : '');
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    setAction(contact.nextAction ?? '');
    setAt(contact.nextActionAt ? toLocalInput(contact.nextActionAt, zone) : '');
  }, [contact.nextAction, contact.nextActionAt, zone]);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaving(true);
    await save(
      { nextAction: action.trim() || null, nextActionAt: at ? fromLocalInput(at, zone) : null } as ContactChanges,
      (t) => t('contacts.nextActionSaved'),
    );
    setSaving(false);
  }
  return (
    <form className="stack next-action" onSubmit={(event) => void submit(event)}>
      <TextField
        label={t('contacts.nextAction')}
        placeholder={t('contacts.nextActionPlaceholder')}
        value={action}
        onChange={setAction}
        maxLength={200}
        autoComplete="off"
      />
      <TextField label={t('contacts.nextActionAt')} type="datetime-local" value={at} onChange={setAt} />
      <div className="form-actions">
        <button type="submit" disabled={saving}>
          {saving ? t('common.saving') : t('contacts.saveNextAction')}
        </button>
      </div>
    </form>
  );
}

function MergeCard({ contact, onMerged }: { contact: Contact; onMerged(): void }) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const describeError = useDescribeError();
  const format = useFormatters();
  const id = useId();
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<ContactListItem[] | null>(null);
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const q = query.trim();
    if (q.length < 2) {
      setResults(null);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      findContacts(q, controller.signal).then(
        (answer) => {
          setProblem('');
          setResults(answer.items.filter((item) => item.id !== contact.id));
        },
        (error: unknown) => {
          if (!controller.signal.aborted) setProblem(describeError(error));
        },
      );
    }, 200);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query, contact.id, describeError]);

  async function merge(from: ContactListItem) {
    if (!window.confirm(t('contacts.merge.confirm', { from: from.displayName, into: contact.displayName }))) return;
    setBusy(true);
    try {
      await mergeContact(contact.id, from.id);
      announce('contacts.merge.done', { from: from.displayName });
      setQuery('');
      onMerged();
    } catch (error) {
      announce((t) => explainError(t, error));
    } finally {
      setBusy(false);
    }
  }

  async function undo(mergeId: string, name: string) {
    setBusy(true);
    try {
      await undoContactMerge(mergeId);
      announce('contacts.merge.undone', { from: name });
      onMerged();
    } catch (error) {
      announce((t) => explainError(t, error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="contact-merge">
      <h2 id="contact-merge">{t('contacts.merge.title')}</h2>
      <p className="muted small">{t('contacts.merge.intro', { name: contact.displayName })}</p>
      <div className="field">
        <label htmlFor={`${id}-q`}>{t('contacts.merge.search')}</label>
        <input id={`${id}-q`} type="search" value={query} onChange={(event) => setQuery(event.target.value)} autoComplete="off" />
      </div>
      {problem ? <p className="field-error">{problem}</p> : null}
      {results ? (
        results.length === 0 ? (
          <p className="muted" role="status">
            {t('contacts.merge.noResults')}
          </p>
        ) : (
          <ul className="merge-results" aria-label={t('contacts.merge.results')}>
            {results.map((item) => (
              <li key={item.id}>
                <span>
                  <span className="merge-name">{item.displayName}</span>
                  <span className="muted small"> · {t(`contacts.stage.${item.stage}`)}</span>
                </span>
                <button
                  type="button"
                  disabled={busy}
                  aria-label={t('contacts.merge.mergeNamed', { name: item.displayName })}
                  onClick={() => void merge(item)}
                >
                  {t('contacts.merge.merge')}
                </button>
              </li>
            ))}
          </ul>
        )
      ) : null}
      {contact.merges.length ? (
        <>
          <h3>{t('contacts.merge.history')}</h3>
          <ul className="merge-history">
            {contact.merges.map((merge) => (
              <li key={merge.id}>
                <span>
                  {t('contacts.merge.record', { name: merge.fromDisplayName, date: format.dateTime(merge.createdAt) })}
                  {merge.undoneAt ? (
                    <span className="muted"> · {t('contacts.merge.undoneAt', { date: format.dateTime(merge.undoneAt) })}</span>
                  ) : null}
                </span>
                {merge.undoneAt ? null : (
                  <button
                    type="button"
                    className="button-quiet"
                    disabled={busy}
                    aria-label={t('contacts.merge.undoNamed', { name: merge.fromDisplayName })}
                    onClick={() => void undo(merge.id, merge.fromDisplayName)}
                  >
                    {t('contacts.merge.undo')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
