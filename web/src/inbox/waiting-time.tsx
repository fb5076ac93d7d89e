import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { ConversationSummary } from '../api/types.ts';
import { Icon } from '../components/icon.tsx';
import { splitMinutes } from '../i18n/format.ts';

/** The reply clock runs: the last word is the contact's, and the conversation is not closed. */
export function isWaiting(conversation: Pick<ConversationSummary, 'status' | 'awaitingSince'>): boolean {
  return conversation.status !== 'closed' && conversation.awaitingSince !== null;
}

/** After a working day without an answer the badge looks more pressing; its words say the same. */
const LONG_WAIT_MINUTES = 24 * 60;

/** "Waiting for 3 hours"; under a minute, "Arrived just now" rather than "Waiting for 0 minutes". */
export function waitingText(t: TFunction, minutes: number): string {
  if (minutes < 1) return t('inbox.waitingJustNow');
  const { unit, count } = splitMinutes(minutes);
  const key = unit === 'minutes' ? 'inbox.waitingMinutes' : unit === 'hours' ? 'inbox.waitingHours' : 'inbox.waitingDays';
  return t(key, { count });
}

/**
 * "Waiting for 3 hours", from the moment the last inbound message arrived unanswered. A badge:
 * the words carry the meaning, the colour only repeats it.
 */
export function WaitingTime({ since, now = Date.now() }: { since: number; now?: number }) {
  const { t } = useTranslation();
  const minutes = (now - since) / 60_000;
  return (
    <span className={`waiting-time${minutes >= LONG_WAIT_MINUTES ? ' is-long' : ''}`}>
      <Icon name="clock" />
      {waitingText(t, minutes)}
    </span>
  );
}
