// Which conversation an e-mail belongs to. The rule, for the sync that files messages:
//
//   1. Try the candidates in order; the first one that matches an existing conversation of the
//      entrance wins:
//        - `mid:<id>` for every id in In-Reply-To, then in References from newest to oldest:
//          matches the conversation of a stored message (inbound, or one of the owner's own — store
//          the Message-ID the server actually used, some providers replace it) whose external id
//          is <id>, or a conversation whose thread key is `mid:<id>`.
//        - `subject:<normalised subject>|<address>` (only for replies — "Re:", "AW:", "R:" …; it
//          comes last, for when none of the ids is known): matches a conversation with the same
//          normalised subject and the same external participant. Limit it to conversations active in the last 30 days: it is
//          the fallback for mail programs that drop In-Reply-To, not a way to group by topic.
//   2. Nothing matches: the message starts a new conversation with thread key `newThreadKey`
//      (`mid:<its own Message-ID>`), so that later replies find it by rule 1.
// Unrelated mail with the same subject never joins: a subject key needs a reply prefix AND the
// same participant, and a first message never has a reply prefix.
import { normalizeMessageId, type ParsedEmail } from './parse-email.ts';

export interface ThreadKeyCandidate {
  key: string;
  source: 'in-reply-to' | 'references' | 'subject';
}

export interface EmailThreadKeys {
  /** In priority order; the first that matches an existing conversation wins. */
  candidates: ThreadKeyCandidate[];
  /** The key of a new conversation started by this message. */
  newThreadKey: string;
  /** This message's own id as matched later (normalised Message-ID, or sha256:<fingerprint>). */
  ownId: string;
  /**
   * Keys to record for the conversation this message ends up in, so that later mail finds it:
   * its own `mid:`, its parents' `mid:`s, and its subject key (also for a first message, so that a
   * later "Re:" without ids can find it).
   */
  ownKeys: string[];
}

// Reply and forward prefixes of the mail programs our users and their clients use: English,
// German (AW, WG, Antw), French (TR, "RE :" with the French space), Italian (R, I, Rif), Dutch,
// Nordic, Polish, Spanish/Portuguese; with counters such as "Re[2]:" or "Re^3:".
const PREFIX = /^\s*(?:\[[^\]]{1,40}\]\s*)?(?:re|aw|wg|fw|fwd|tr|antw|antwort|r|i|rif|sv|vs|vb|odp|res|enc|wtr|doorst|ynt|reply)\s*(?:\[\d+\]|\^\d+|\(\d+\))?\s*[:：]\s*/i;
const REPLY_PREFIX = /^\s*(?:re|aw|antw|antwort|r|rif|sv|vs|odp|res|ynt|reply)\s*(?:\[\d+\]|\^\d+|\(\d+\))?\s*[:：]/i;

/** The subject without reply/forward prefixes, whitespace collapsed, NFC; case kept for display. */
export function normalizeSubject(subject: string | null | undefined): string {
  let s = (subject ?? '').normalize('NFC').replace(/\s+/g, ' ').trim();
  for (let i = 0; i < 20; i++) {
    const next = s.replace(PREFIX, '');
    if (next === s) break;
    s = next;
  }
  return s.trim();
}

/** True when the subject starts with a reply prefix (not only a forward prefix). */
export function isReplySubject(subject: string | null | undefined): boolean {
  let s = (subject ?? '').replace(/^\s*\[[^\]]{1,40}\]\s*/, '');
  for (let i = 0; i < 20; i++) {
    if (REPLY_PREFIX.test(s)) return true;
    const next = s.replace(PREFIX, '');
    if (next === s) return false;
    s = next;
  }
  return false;
}

export function subjectKey(subject: string, participant: string): string {
  return `subject:${normalizeSubject(subject).toLowerCase()}|${participant.trim().toLowerCase()}`;
}

export function ownIdOf(parsed: Pick<ParsedEmail, 'messageId' | 'fingerprint'>): string {
  return normalizeMessageId(parsed.messageId) ?? `sha256:${parsed.fingerprint}`;
}

/** The other party of the message: the sender, or for the owner's own mail its first external recipient. */
export function externalParticipantOf(parsed: Pick<ParsedEmail, 'from' | 'to' | 'cc'>, ownAddresses: readonly string[] = []): string | null {
  const own = new Set(ownAddresses.map((a) => a.trim().toLowerCase()));
  const from = parsed.from?.address.toLowerCase();
  if (from && !own.has(from)) return from;
  const other = [...parsed.to, ...parsed.cc].find((a) => a.address && !own.has(a.address.toLowerCase()));
  return other?.address.toLowerCase() ?? from ?? null;
}

export function threadKeysOf(parsed: ParsedEmail, options: { ownAddresses?: readonly string[] } = {}): EmailThreadKeys {
  const ownId = ownIdOf(parsed);
  const candidates: ThreadKeyCandidate[] = [];
  const seen = new Set<string>([`mid:${ownId}`]);
  const add = (id: string, source: ThreadKeyCandidate['source']) => {
    const n = normalizeMessageId(id);
    if (!n || seen.has(`mid:${n}`)) return;
    seen.add(`mid:${n}`);
    candidates.push({ key: `mid:${n}`, source });
  };
  for (const id of parsed.inReplyTo) add(id, 'in-reply-to');
  for (const id of [...parsed.references].reverse()) add(id, 'references');

  const normalized = normalizeSubject(parsed.subject);
  const participant = externalParticipantOf(parsed, options.ownAddresses);
  const subject = normalized.length >= 3 && participant ? subjectKey(normalized, participant) : null;
  // Conservative: only a reply, only a subject with some substance, only with a known participant.
  if (subject && isReplySubject(parsed.subject)) candidates.push({ key: subject, source: 'subject' });
  const ownKeys = [`mid:${ownId}`, ...candidates.filter((c) => c.source !== 'subject').map((c) => c.key), ...(subject ? [subject] : [])];
  return { candidates, newThreadKey: `mid:${ownId}`, ownId, ownKeys };
}
