// Why a conversation is back in "Waiting for me" although the owner answered: a snooze "if no
// answer" ran out. "No answer since Tue 26 Nov, 14:03 — follow up", in words, not only colour.
import { useTranslation } from 'react-i18next';
import type { ConversationSummary } from '../api/types.ts';
import { useFormatters } from '../i18n/format.ts';

export function NoAnswerReason({ conversation }: { conversation: Pick<ConversationSummary, 'noAnswerSince'> }) {
  const { t } = useTranslation();
  const format = useFormatters();
  if (!conversation.noAnswerSince) return null;
  return <span className="no-answer-reason">{t('inbox.snooze.noAnswerSince', { time: format.dayTime(conversation.noAnswerSince) })}</span>;
}
