// The reply box, fixed at the bottom of the conversation. What it offers depends on the entrance:
// a channel Portier can send through gets "Send"; a network it cannot send on (LinkedIn, Xing…)
// gets a link to answer there and "Mark as answered" to stop the clock. Notes are for the team.
// Typing "/" at the start of a word opens the reply templates.
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { FormEvent, KeyboardEvent as ReactKeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { fetchContact, listTemplates, replyToConversation } from '../api/endpoints.ts';
import type { ConversationDetail, EntranceKind, ReplyMode, Template } from '../api/types.ts';
import { useAnnounce } from '../components/announcer.tsx';
import { FormAlert } from '../components/form-alert.tsx';
import { useLoad } from '../components/use-load.ts';
import { useDescribeError } from '../i18n/describe-error.ts';
import { useSignedInSession } from '../session/session-context.tsx';
import { useInboxLive } from './inbox-live.tsx';
import { fillTemplate, matchTemplates, slashWordBefore, templateValues } from './reply-templates.ts';

type Conversation = ConversationDetail['conversation'] & { language?: string | null };

const IN_PERSON_KINDS = new Set<EntranceKind>(['phone', 'manual', 'referral']);
/** Entrances answered directly, by e-mail or phone, at the addresses the person left. */
const DIRECT_KINDS = new Set<EntranceKind>(['webform', ...IN_PERSON_KINDS]);

const draftKey = (id: string) => `portier.draft.${id}`;

function readDraft(id: string): string {
  try {
    return localStorage.getItem(draftKey(id)) ?? '';
  } catch {
    return '';
  }
}

function writeDraft(id: string, text: string): void {
  try {
    if (text) localStorage.setItem(draftKey(id), text);
    else localStorage.removeItem(draftKey(id));
  } catch {
    // Without storage the draft lasts as long as the page.
  }
}

export function Composer({
  conversation,
  preferredReply = null,
  onSent,
}: {
  conversation: Conversation;
  /** How the person asked to be answered (the contact form's email, phone, sms, whatsapp…). */
  preferredReply?: string | null;
  onSent(): void;
}) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const describeError = useDescribeError();
  const live = useInboxLive();
  const id = useId();
  const canSend = conversation.replyModes.includes('send');
  const canRecord = conversation.replyModes.includes('answered_elsewhere');
  const [kind, setKind] = useState<'reply' | 'note'>('reply');
  const [text, setText] = useState(() => readDraft(conversation.id));
  const [failure, setFailure] = useState<unknown>(null);
  const [sending, setSending] = useState<ReplyMode | null>(null);
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  const picker = useTemplatePicker(conversation, textareaRef, text, setText);

  useEffect(() => writeDraft(conversation.id, text), [conversation.id, text]);

  const entrance = conversation.entrance.label;
  // Phone calls, talks and recommendations are answered in person, not "on" the entrance.
  const inPerson = IN_PERSON_KINDS.has(conversation.entrance.kind);
  // A contact form is not a place to answer: the person is answered at the address they left.
  const fromForm = conversation.entrance.kind === 'webform';
  const direct = DIRECT_KINDS.has(conversation.entrance.kind) && !canSend;
  const fallbackText = inPerson
    ? t('inbox.composer.answeredInPersonText')
    : fromForm
      ? t('inbox.composer.answeredDirectlyText')
      : t('inbox.composer.answeredOnText', { entrance });

  async function submit(mode: ReplyMode) {
    const body = text.trim() || (mode === 'answered_elsewhere' ? fallbackText : '');
    if (!body) {
      textareaRef.current?.focus();
      setFailure(new Error(t('inbox.composer.empty')));
      return;
    }
    setSending(mode);
    setFailure(null);
    try {
      await live.writeMessage(() => replyToConversation(conversation.id, body, mode));
      setText('');
      picker.close();
      announce(`inbox.composer.done.${mode}`);
      onSent();
      live.changed();
    } catch (error) {
      setFailure(error);
      requestAnimationFrame(() => alertRef.current?.focus());
    } finally {
      setSending(null);
    }
  }

  const primaryMode: ReplyMode = kind === 'note' ? 'note' : canSend ? 'send' : 'answered_elsewhere';

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void submit(primaryMode);
  }

  function handleKeyDown(event: ReactKeyboardEvent<HTMLTextAreaElement>) {
    if (picker.onKeyDown(event)) return;
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void submit(primaryMode);
    }
  }

  const failureText = failure instanceof Error && !('status' in failure) ? failure.message : failure ? describeError(failure) : null;

  return (
    <form className={`composer composer-${kind}`} onSubmit={handleSubmit} aria-labelledby={`${id}-title`} noValidate>
      <h3 id={`${id}-title`} className="visually-hidden">
        {t('inbox.composer.title')}
      </h3>
      <FormAlert ref={alertRef}>{failureText}</FormAlert>
      <div className="composer-modes" role="radiogroup" aria-label={t('inbox.composer.modeLabel')}>
        <label className={kind === 'reply' ? 'is-selected' : undefined}>
          <input type="radio" name={`${id}-mode`} checked={kind === 'reply'} onChange={() => setKind('reply')} />
          {canSend ? t('inbox.composer.reply') : t('inbox.composer.answer')}
        </label>
        <label className={kind === 'note' ? 'is-selected' : undefined}>
          <input type="radio" name={`${id}-mode`} checked={kind === 'note'} onChange={() => setKind('note')} />
          {t('inbox.composer.note')}
        </label>
      </div>
      {kind === 'reply' && direct ? (
        <DirectReply
          id={`${id}-elsewhere`}
          contactId={conversation.contact.id}
          fromForm={fromForm}
          preferredReply={preferredReply}
        />
      ) : kind === 'reply' && !canSend ? (
        <p className="composer-elsewhere" id={`${id}-elsewhere`}>
          {t('inbox.composer.cannotSend', { entrance })}{' '}
          {conversation.entranceUrl ? (
            <a href={conversation.entranceUrl} target="_blank" rel="noopener noreferrer" className="answer-there">
              {t('inbox.composer.answerOn', { entrance })}
              <span aria-hidden="true"> ↗</span>
              <span className="visually-hidden"> {t('common.newTab')}</span>
            </a>
          ) : null}
        </p>
      ) : null}
      <div className="composer-field">
        <label htmlFor={`${id}-text`} className="visually-hidden">
          {kind === 'note' ? t('inbox.composer.noteLabel') : t('inbox.composer.textLabel', { name: conversation.contact.displayName })}
        </label>
        <textarea
          id={`${id}-text`}
          ref={textareaRef}
          data-shortcut="reply"
          aria-keyshortcuts="r"
          rows={window.matchMedia?.('(max-width: 700px)').matches ? 2 : 3}
          value={text}
          placeholder={
            kind === 'note'
              ? t('inbox.composer.notePlaceholder')
              : canSend
                ? t('inbox.composer.placeholder')
                : t('inbox.composer.elsewherePlaceholder')
          }
          onChange={(event) => {
            setText(event.target.value);
            picker.update(event.target.value, event.target.selectionStart);
          }}
          onKeyDown={handleKeyDown}
          onClick={(event) => picker.update(event.currentTarget.value, event.currentTarget.selectionStart)}
          onBlur={() => setTimeout(picker.close, 150)}
          aria-describedby={`${id}-hint${kind === 'reply' && !canSend ? ` ${id}-elsewhere` : ''}`}
          {...picker.inputProps}
        />
        {picker.listbox}
      </div>
      <div className="composer-actions">
        <p className="composer-hint" id={`${id}-hint`}>
          {picker.available ? t('inbox.composer.hintTemplates') : t('inbox.composer.hint')}
        </p>
        {kind === 'reply' && canSend && canRecord ? (
          <button type="button" className="button-quiet" disabled={sending !== null} onClick={() => void submit('answered_elsewhere')}>
            {t('inbox.composer.markAnswered')}
          </button>
        ) : null}
        <button type="submit" className="button-primary" disabled={sending !== null}>
          {sending ? t('inbox.composer.sending') : t(`inbox.composer.submit.${primaryMode}`)}
        </button>
      </div>
    </form>
  );
}

/** mailto: with the address percent-encoded (a stored address may hold "?", "#" or quotes). */
const mailtoHref = (address: string) => `mailto:${encodeURIComponent(address).replace(/%40/g, '@')}`;
/** A dialable number: "+" and digits only, or null when nothing dialable is left. */
function dialable(number: string): string | null {
  const digits = number.replace(/^\s*00/, '+').replace(/[^\d+]/g, '').replace(/(?!^)\+/g, '');
  return /\d{3,}/.test(digits) ? digits : null;
}

/**
 * For a contact form, a call or a recommendation: the person's e-mail addresses and phone numbers
 * as links to answer with, the way they asked for first, marked as preferred.
 */
function DirectReply({ id, contactId, fromForm, preferredReply }: { id: string; contactId: string; fromForm: boolean; preferredReply: string | null }) {
  const { t } = useTranslation();
  const contact = useLoad((signal) => fetchContact(contactId, signal), [contactId]);
  const identities = contact.status === 'loaded' ? contact.data.identities : [];
  const emails = [...new Set(identities.filter((i) => i.kind === 'email').map((i) => i.value))];
  const phones = [...new Set(identities.filter((i) => i.kind === 'phone' || i.kind === 'sms').map((i) => i.value))];

  type Way = { key: string; href: string; text: string; preferred: boolean; external?: boolean };
  const ways: Way[] = [];
  for (const address of emails) {
    ways.push({ key: `email:${address}`, href: mailtoHref(address), text: t('inbox.composer.writeTo', { address }), preferred: preferredReply === 'email' });
  }
  for (const number of phones) {
    const dial = dialable(number);
    if (!dial) continue;
    if (preferredReply === 'whatsapp' && dial.startsWith('+')) {
      ways.push({ key: `wa:${number}`, href: `https://wa.me/${dial.slice(1)}`, text: t('inbox.composer.whatsappNumber', { number }), preferred: true, external: true });
    }
    if (preferredReply === 'sms') {
      ways.push({ key: `sms:${number}`, href: `sms:${dial}`, text: t('inbox.composer.textNumber', { number }), preferred: true });
    }
    ways.push({ key: `tel:${number}`, href: `tel:${dial}`, text: t('inbox.composer.callNumber', { number }), preferred: preferredReply === 'phone' });
  }
  // The preferred way first; otherwise e-mail before phone, as listed.
  ways.sort((a, b) => Number(b.preferred) - Number(a.preferred));
  // Until the contact has loaded (or if it cannot be), the sentence alone.
  const noAddress = contact.status === 'loaded' && ways.length === 0;
  const intro = !fromForm
    ? t('inbox.composer.cannotSendInPerson')
    : noAddress
      ? t('inbox.composer.cannotSendFormNoAddress')
      : t('inbox.composer.cannotSendForm');

  return (
    <div className="composer-elsewhere" id={id}>
      <p>{intro}</p>
      {ways.length ? (
        <ul className="reply-ways" aria-label={t('inbox.composer.replyWaysLabel')}>
          {ways.map((way) => (
            <li key={way.key} className={way.preferred ? 'is-preferred' : undefined}>
              <a href={way.href} {...(way.external ? { target: '_blank', rel: 'noopener noreferrer' } : {})}>
                {way.text}
              </a>
              {way.preferred ? <span className="preferred-way"> · {t('inbox.composer.preferredWay')}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/**
 * The "/" template picker, as an ARIA combobox list attached to the textarea: arrow keys move,
 * Enter or Tab inserts, Escape closes; the textarea keeps the focus throughout.
 */
function useTemplatePicker(
  conversation: Conversation,
  textareaRef: React.RefObject<HTMLTextAreaElement | null>,
  text: string,
  setText: (text: string) => void,
) {
  const { t, i18n } = useTranslation();
  const { user, workspace } = useSignedInSession();
  const listId = useId();
  const templates = useLoad((signal) => listTemplates(signal).then((r) => r.items, () => [] as Template[]), []);
  const [slash, setSlash] = useState<{ start: number; typed: string } | null>(null);
  const [active, setActive] = useState(0);
  const available = templates.status === 'loaded' && templates.data.length > 0;

  const languages = useMemo(
    () => [conversation.language, workspace.locale, i18n.language].filter((l): l is string => Boolean(l)),
    [conversation.language, workspace.locale, i18n.language],
  );
  const matches = slash && available ? matchTemplates(templates.data, slash.typed, languages).slice(0, 8) : [];
  const open = matches.length > 0;

  function update(value: string, caret: number | null) {
    const found = caret === null ? null : slashWordBefore(value, caret);
    setSlash(found);
    setActive(0);
  }

  function close() {
    setSlash(null);
  }

  function insert(template: Template) {
    if (!slash) return;
    const values = templateValues({
      contactName: conversation.contact.displayName,
      myName: user.displayName,
      handle: workspace.handle,
      links: workspace.links,
      origin: window.location.origin,
    });
    const body = fillTemplate(template.body, values);
    const end = slash.start + 1 + slash.typed.length;
    const next = text.slice(0, slash.start) + body + text.slice(end);
    setText(next);
    setSlash(null);
    const caret = slash.start + body.length;
    requestAnimationFrame(() => {
      const area = textareaRef.current;
      if (!area) return;
      area.focus();
      area.setSelectionRange(caret, caret);
    });
  }

  function onKeyDown(event: ReactKeyboardEvent<HTMLTextAreaElement>): boolean {
    if (!open) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((a) => (a + (event.key === 'ArrowDown' ? 1 : -1) + matches.length) % matches.length);
      return true;
    }
    if (event.key === 'Enter' || event.key === 'Tab') {
      const chosen = matches[active];
      if (!chosen) return false;
      event.preventDefault();
      insert(chosen);
      return true;
    }
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
      return true;
    }
    return false;
  }

  const optionId = (index: number) => `${listId}-option-${index}`;
  const listbox = open ? (
    <ul id={listId} role="listbox" className="popover template-list" aria-label={t('inbox.composer.templatesLabel')}>
      {matches.map((template, index) => (
        <li
          key={template.id}
          id={optionId(index)}
          role="option"
          aria-selected={index === active}
          className="template-option"
          onPointerDown={(event) => {
            event.preventDefault();
            insert(template);
          }}
        >
          <span className="template-shortcut">/{template.shortcut}</span>
          <span className="template-name">{template.name}</span>
          <span className="template-locale" lang={template.locale}>
            {template.locale.toUpperCase()}
          </span>
        </li>
      ))}
    </ul>
  ) : null;

  return {
    available,
    update,
    close,
    onKeyDown,
    listbox,
    inputProps: {
      'aria-autocomplete': 'list' as const,
      'aria-controls': open ? listId : undefined,
      'aria-expanded': available ? open : undefined,
      'aria-activedescendant': open ? optionId(active) : undefined,
      role: available ? 'combobox' : undefined,
    },
  };
}
