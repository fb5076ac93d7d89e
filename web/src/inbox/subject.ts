// What to show as a conversation's subject. Only e-mail has subjects as a rule, so only there does
// a missing one say "(no subject)"; a contact form, a phone call or a chat shows nothing instead.
import type { TFunction } from 'i18next';
import type { EntranceKind } from '../api/types.ts';

const KINDS_WITH_SUBJECTS = new Set<EntranceKind>(['email']);

export function subjectText(conversation: { subject: string | null; entrance: { kind: EntranceKind } }, t: TFunction): string | null {
  if (conversation.subject?.trim()) return conversation.subject;
  return KINDS_WITH_SUBJECTS.has(conversation.entrance.kind) ? t('inbox.noSubject') : null;
}
