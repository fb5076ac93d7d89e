// The conversation's toolbar: done / reopen, snooze (menu of usual times plus a chosen one, and
// "if no answer in N days" once the owner has answered), and labels. Each change is sent at once;
// the live update then refreshes the list and the counts.
import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent, KeyboardEvent as ReactKeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { updateConversation } from '../api/endpoints.ts';
import type { ConversationChanges, ConversationDetail, SnoozeCondition } from '../api/types.ts';
import { useAnnounce } from '../components/announcer.tsx';
import type { NoticeText } from '../components/announcer.tsx';
import { Icon } from '../components/icon.tsx';
import { describeError as explainError, useDescribeError } from '../i18n/describe-error.ts';
import { useFormatters } from '../i18n/format.ts';
import { daysFromTodayAt, fromLocalInput, nextMondayAt, toLocalInput } from '../i18n/zoned-time.ts';
import { useSignedInSession } from '../session/session-context.tsx';
import { useInboxLive } from './inbox-live.tsx';
import { NoAnswerReason } from './no-answer-reason.tsx';

type Conversation = ConversationDetail['conversation'];

function useChangeConversation(conversation: Conversation, onChanged: (changes: ConversationChanges) => void) {
  const announce = useAnnounce();
  const describeError = useDescribeError();
  const live = useInboxLive();
  const [busy, setBusy] = useState(false);
  return {
    busy,
    async change(changes: ConversationChanges, done: NoticeText): Promise<boolean> {
      setBusy(true);
      try {
        await updateConversation(conversation.id, changes);
        onChanged(changes);
        live.changed();
        announce(done);
        return true;
      } catch (error) {
        announce((t) => explainError(t, error));
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
}

export function ConversationActions({
  conversation,
  onChanged,
}: {
  conversation: Conversation;
  onChanged(changes: ConversationChanges): void;
}) {
  const { t } = useTranslation();
  const { busy, change } = useChangeConversation(conversation, onChanged);
  const closed = conversation.status === 'closed';
  return (
    <div className="conversation-actions" role="group" aria-label={t('inbox.actions.label')}>
      {closed ? (
        <button type="button" disabled={busy} onClick={() => void change({ status: 'open' }, (t) => t('inbox.actions.reopened'))}>
          {t('inbox.actions.reopen')}
        </button>
      ) : (
        <button
          type="button"
          className="button-done"
          data-shortcut="done"
          disabled={busy}
          aria-keyshortcuts="e"
          onClick={() => void change({ status: 'closed', snoozedUntil: null }, (t) => t('inbox.actions.closed'))}
        >
          <Icon name="check" /> {t('inbox.actions.done')}
        </button>
      )}
      <SnoozeMenu
        snoozedUntil={conversation.snoozedUntil}
        snoozeCondition={conversation.snoozeCondition ?? null}
        // Waiting for the contact makes sense once the owner has answered (or a follow-up came back).
        canAwaitAnswer={!closed && (conversation.awaitingSince === null || Boolean(conversation.noAnswerSince))}
        busy={busy}
        onSnooze={(until, done, condition) => change({ snoozedUntil: until, ...(condition ? { snoozeCondition: condition } : {}) }, done)}
      />
      <NoAnswerReason conversation={conversation} />
    </div>
  );
}

/** "If no answer in 1 / 3 / 7 days": a deadline counted from now, to the minute. */
const NO_ANSWER_DAYS = [1, 3, 7] as const;
const DAY_MS = 24 * 60 * 60_000;

function SnoozeMenu({
  snoozedUntil,
  snoozeCondition,
  canAwaitAnswer,
  busy,
  onSnooze,
}: {
  snoozedUntil: number | null;
  snoozeCondition: SnoozeCondition | null;
  canAwaitAnswer: boolean;
  busy: boolean;
  onSnooze(until: number | null, done: NoticeText, condition?: SnoozeCondition): Promise<boolean>;
}) {
  const { t } = useTranslation();
  const format = useFormatters();
  const { workspace } = useSignedInSession();
  const zone = workspace.timeZone;
  const id = useId();
  const [open, setOpen] = useState(false);
  const [custom, setCustom] = useState('');
  const [customError, setCustomError] = useState('');
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const snoozed = snoozedUntil !== null && snoozedUntil > Date.now();

  const choices = open
    ? [
        { key: 'tomorrow', at: daysFromTodayAt(1, 9, zone) },
        { key: 'inThreeDays', at: daysFromTodayAt(3, 9, zone) },
        { key: 'nextMonday', at: nextMondayAt(9, zone) },
      ]
    : [];
  const noAnswerChoices = open && canAwaitAnswer ? NO_ANSWER_DAYS.map((days) => ({ days, at: Math.floor((Date.now() + days * DAY_MS) / 60_000) * 60_000 })) : [];

  useEffect(() => {
    if (!open) return;
    setCustom(toLocalInput(daysFromTodayAt(1, 9, zone), zone));
    setCustomError('');
    requestAnimationFrame(() => menuRef.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus());
    function onPointerDown(event: PointerEvent) {
      if (!menuRef.current?.contains(event.target as Node) && !buttonRef.current?.contains(event.target as Node)) {
        setOpen(false);
      }
    }
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open, zone]);

  function close() {
    setOpen(false);
    buttonRef.current?.focus();
  }

  async function choose(at: number | null) {
    const time = at === null ? '' : format.dateTime(at);
    const done: NoticeText = (t) => (at === null ? t('inbox.snooze.woken') : t('inbox.snooze.done', { time }));
    if (await onSnooze(at, done)) close();
  }

  async function chooseNoAnswer(at: number) {
    const time = format.dateTime(at);
    if (await onSnooze(at, (t) => t('inbox.snooze.noAnswerDone', { time }), 'no_answer')) close();
  }

  function onMenuKeyDown(event: ReactKeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
      return;
    }
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    if ((event.target as HTMLElement).tagName === 'INPUT') return;
    const items = [...(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const index = items.indexOf(document.activeElement as HTMLElement);
    const next = items[(index + (event.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length];
    next?.focus();
    event.preventDefault();
  }

  function submitCustom(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const at = fromLocalInput(custom, zone);
    if (at === null || at <= Date.now()) {
      setCustomError(t('inbox.snooze.future'));
      return;
    }
    void choose(at);
  }

  return (
    <div className="snooze">
      <button
        ref={buttonRef}
        type="button"
        data-shortcut="snooze"
        aria-keyshortcuts="s"
        aria-haspopup="true"
        aria-expanded={open}
        aria-controls={open ? `${id}-menu` : undefined}
        disabled={busy}
        onClick={() => setOpen((o) => !o)}
      >
        <Icon name="clock" /> {t('inbox.snooze.button')}
      </button>
      {snoozed ? (
        <span className="snoozed-until">
          {snoozeCondition === 'no_answer'
            ? t('inbox.snooze.untilNoAnswer', { time: format.dateTime(snoozedUntil) })
            : t('inbox.snooze.until', { time: format.dateTime(snoozedUntil) })}
        </span>
      ) : null}
      {open ? (
        <div ref={menuRef} id={`${id}-menu`} className="popover snooze-menu" onKeyDown={onMenuKeyDown}>
          <div role="menu" aria-label={t('inbox.snooze.menuLabel')}>
            {choices.map((choice) => (
              <button
                key={choice.key}
                type="button"
                role="menuitem"
                className="menu-item"
                onClick={() => void choose(choice.at)}
              >
                <span>{t(`inbox.snooze.${choice.key}`)}</span>
                <span className="menu-item-detail">{format.dayTime(choice.at)}</span>
              </button>
            ))}
            {noAnswerChoices.length ? (
              <div role="group" aria-labelledby={`${id}-no-answer`}>
                <div id={`${id}-no-answer`} className="menu-group-label">
                  {t('inbox.snooze.ifNoAnswerGroup')}
                </div>
                {noAnswerChoices.map((choice) => (
                  <button
                    key={choice.days}
                    type="button"
                    role="menuitem"
                    className="menu-item"
                    onClick={() => void chooseNoAnswer(choice.at)}
                  >
                    <span>{t('inbox.snooze.ifNoAnswer', { count: choice.days })}</span>
                    <span className="menu-item-detail">{format.dayTime(choice.at)}</span>
                  </button>
                ))}
              </div>
            ) : null}
            {snoozed ? (
              <button type="button" role="menuitem" className="menu-item" onClick={() => void choose(null)}>
                {t('inbox.snooze.wake')}
              </button>
            ) : null}
          </div>
          <form className="snooze-custom" onSubmit={submitCustom} noValidate>
            <label htmlFor={`${id}-custom`}>{t('inbox.snooze.custom')}</label>
            <div className="inline-row">
              <input
                id={`${id}-custom`}
                type="datetime-local"
                value={custom}
                onChange={(event) => setCustom(event.target.value)}
                aria-invalid={customError ? true : undefined}
                aria-describedby={customError ? `${id}-custom-error` : `${id}-custom-hint`}
              />
              <button type="submit" className="button-primary">
                {t('inbox.snooze.submit')}
              </button>
            </div>
            {customError ? (
              <p className="field-error" id={`${id}-custom-error`}>
                {customError}
              </p>
            ) : (
              <p className="field-hint" id={`${id}-custom-hint`}>
                {t('inbox.snooze.zoneHint', { zone: zone.replace(/_/g, ' ') })}
              </p>
            )}
          </form>
        </div>
      ) : null}
    </div>
  );
}

/** Labels as removable chips, and a field to add one (Enter or the + button). */
export function LabelsEditor({
  conversation,
  onChanged,
}: {
  conversation: Conversation;
  onChanged(changes: ConversationChanges): void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const { busy, change } = useChangeConversation(conversation, onChanged);
  const [text, setText] = useState('');
  const labels = conversation.labels;

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const label = text.trim().slice(0, 40);
    if (!label) return;
    if (labels.some((l) => l.toLowerCase() === label.toLowerCase())) {
      setText('');
      return;
    }
    if (await change({ labels: [...labels, label] }, (t) => t('inbox.labels.added', { label }))) setText('');
  }

  return (
    <div className="labels">
      <ul className="label-chips" aria-label={t('inbox.labels.title')}>
        {labels.map((label) => (
          <li key={label} className="chip">
            <span>{label}</span>
            <button
              type="button"
              className="chip-remove"
              disabled={busy}
              aria-label={t('inbox.labels.remove', { label })}
              onClick={() => void change({ labels: labels.filter((l) => l !== label) }, (t) => t('inbox.labels.removed', { label }))}
            >
              <span aria-hidden="true">×</span>
            </button>
          </li>
        ))}
      </ul>
      <form className="label-add" onSubmit={(event) => void add(event)}>
        <label htmlFor={`${id}-label`} className="visually-hidden">
          {t('inbox.labels.add')}
        </label>
        <input
          id={`${id}-label`}
          type="text"
          value={text}
          maxLength={40}
          placeholder={t('inbox.labels.placeholder')}
          onChange={(event) => setText(event.target.value)}
          enterKeyHint="done"
          autoComplete="off"
        />
        <button type="submit" className="button-quiet" disabled={busy || !text.trim()} aria-label={t('inbox.labels.add')}>
          <Icon name="plus" />
        </button>
      </form>
    </div>
  );
}
