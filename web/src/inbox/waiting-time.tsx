import { useTranslation } from 'react-i18next';
import type { ConversationSummary } from '../api/types.ts';
import { splitMinutes } from '../i18n/format.ts';

/** The reply clock runs: the last word is the contact's, and the conversation is not closed. */
export function isWaiting(conversation: Pick<ConversationSummary, 'status' | 'awaitingSince'>): boolean {
  return conversation.status !== 'closed' && conversation.awaitingSince !== null;
}

/** "Waiting for 3 hours", from the moment the last inbound message arrived unanswered. */
export function WaitingTime({ since, now = Date.now() }: { since: number; now?: number }) {
  const { t } = useTranslation();
  const { unit, count } = splitMinutes((now - since) / 60_000);
  const key = unit === 'minutes' ? 'inbox.waitingMinutes' : unit === 'hours' ? 'inbox.waitingHours' : 'inbox.waitingDays';
  return <span className="waiting-time">{t(key, { count })}</span>;
}
