// Weak evidence that two contacts are one person, as keys: two contacts with an equal key may be
// the same person, and the sources of the two keys say why in words the owner understands ("same
// name", "the name matches the e-mail address anna.meier@…"). Pure functions: no I/O.
//
// Keys:
//  - n:<words>   the words of a name, folded (case, accents) and sorted, from the display name, the
//                local part of an e-mail address ("anna.meier") or a profile URL's last segment
//                ("anna-meier-4b1a2c3"): "Anna Méier", "Meier Anna", anna.meier@… meet here;
//  - j:<letters> a name's words joined ("annameier"), which an address without dots matches;
//  - i:<value>   an identity's normalised value under any kind: a profile URL given as a webhook
//                handle meets the same URL from a LinkedIn notification.
import { foldText } from '../core/fold-text.ts';
import type { MatchKeySource } from '../storage/schema.ts';

export interface MatchKey {
  key: string;
  source: MatchKeySource;
  /** What the key came from, as written (a name, an address, a URL). */
  value: string;
}

export type SuggestionReasonKind = 'same_name' | 'name_matches_email' | 'name_matches_profile' | 'similar_addresses' | 'same_address';

/** One piece of evidence between contacts a and b of a suggestion (a: the smaller id). */
export interface SuggestionReason {
  kind: SuggestionReasonKind;
  a: { source: MatchKeySource; value: string };
  b: { source: MatchKeySource; value: string };
}

/** Titles and particles of address that say nothing about who someone is. */
const TITLE_WORDS = new Set(['dr', 'prof', 'mr', 'mrs', 'ms', 'mme', 'mlle', 'herr', 'frau', 'sig', 'sigra', 'dott', 'dottssa', 'ing', 'mag', 'lic', 'phil', 'med']);
/** Mailboxes of a role, not of a person: "no.reply", "info.team" would otherwise meet everywhere. */
const ROLE_WORDS = new Set(['info', 'contact', 'kontakt', 'hello', 'hallo', 'bonjour', 'office', 'mail', 'admin', 'support', 'team', 'sales', 'noreply', 'no', 'reply', 'donotreply', 'do', 'not', 'service', 'news', 'newsletter', 'notifications', 'notification', 'bounce', 'postmaster', 'mailer', 'daemon', 'billing', 'invoice', 'jobs', 'hr', 'booking', 'bookings', 'webmaster', 'secretariat', 'sekretariat', 'segreteria', 'linkedin', 'xing', 'member', 'messages', 'invitations']);
/** Names that ingestion gives to senders it knows nothing about. */
const PLACEHOLDER_NAMES = new Set(['unknown sender', 'linkedin member', 'xing member']);
/** Above this many words a "name" is a sentence, not a name. */
const MAX_NAME_WORDS = 5;
/** A joined key shorter than this ("jolu") would meet unrelated short addresses. */
const MIN_JOINED_LENGTH = 6;
/** Profile paths whose last segment is not a person's name. */
const PROFILE_NAME_PATH = /^(?:[a-z]{2}\.)?(?:linkedin\.com\/in\/|xing\.com\/profile\/)/;

/** The words of a person's name, folded, without titles, initials and digits; [] when it is no name. */
export function nameWords(name: string): string[] {
  const folded = foldText(name).trim();
  if (!folded || folded.includes('@') || PLACEHOLDER_NAMES.has(folded.replace(/\s+/g, ' '))) return [];
  const words = (folded.match(/[\p{L}]+/gu) ?? []).filter((w) => w.length > 1 && !TITLE_WORDS.has(w));
  return words.length >= 2 && words.length <= MAX_NAME_WORDS ? words : [];
}

/** The name words in an address's local part ("anna.meier+news" → anna, meier); [] for role mailboxes. */
function localPartWords(localPart: string): string[] {
  const words = (foldText(localPart.replace(/\+.*$/, '')).match(/\p{L}+/gu) ?? []).filter((w) => w.length > 1);
  if (words.some((w) => ROLE_WORDS.has(w))) return [];
  return words;
}

/** The name words of a profile URL's last segment ("anna-meier-4b1a2c3" → anna, meier). */
function profileWords(normalizedUrl: string): string[] {
  if (!PROFILE_NAME_PATH.test(normalizedUrl)) return [];
  const segment = normalizedUrl.split('/').filter(Boolean).at(-1) ?? '';
  // Segments carry a number to make them unique ("anna_meier2", "anna-meier-4b1a2c3"): drop it.
  const words = segment.split(/[-_.]+/).map((w) => w.replace(/\d+$/, '')).filter((w) => /^\p{L}{2,}$/u.test(w));
  return words.map((w) => foldText(w)).filter((w) => !ROLE_WORDS.has(w));
}

const wordsKey = (words: string[]) => `n:${[...words].sort().join(' ')}`;

/** Every key of one contact, without repeats. */
export function matchKeysOf(displayName: string, identities: Array<{ kind: string; value: string; value_normalized: string }>): MatchKey[] {
  const keys = new Map<string, MatchKey>();
  const add = (key: string, source: MatchKeySource, value: string) => {
    // Keys are bounded like identities: a 500-character "name" still makes a short key.
    const k = key.slice(0, 300);
    if (!keys.has(`${source}|${k}`)) keys.set(`${source}|${k}`, { key: k, source, value: value.slice(0, 300) });
  };

  // An address's words give the sorted key and the joined one: "jeanluc.rochat" meets the name
  // "Jean-Luc Rochat" only through "jeanlucrochat".
  const addWords = (parts: string[], source: MatchKeySource, value: string) => {
    if (parts.length > MAX_NAME_WORDS) return;
    if (parts.length >= 2) add(wordsKey(parts), source, value);
    const joined = parts.join('');
    if (joined.length >= MIN_JOINED_LENGTH) add(`j:${joined}`, source, value);
  };

  const words = nameWords(displayName);
  if (words.length) {
    add(wordsKey(words), 'name', displayName.trim());
    add(`j:${words.join('')}`, 'name', displayName.trim());
    if (words.length === 2) add(`j:${words[1]}${words[0]}`, 'name', displayName.trim());
  }

  for (const identity of identities) {
    add(`i:${identity.value_normalized}`, 'identity', identity.value);
    if (identity.kind === 'email') {
      const local = identity.value_normalized.split('@')[0] ?? '';
      const parts = localPartWords(local);
      addWords(parts, 'email', identity.value);
    } else if (['linkedin', 'xing', 'url'].includes(identity.kind)) {
      addWords(profileWords(identity.value_normalized), 'profile', identity.value);
    }
  }
  return [...keys.values()];
}

/**
 * What an equal key means, given where each side's key came from; null when it means nothing.
 * A joined key (j:) only counts against a name: two addresses "contact@…" are not one person.
 */
export function reasonKind(key: string, a: MatchKeySource, b: MatchKeySource): SuggestionReasonKind | null {
  if (a === 'identity' || b === 'identity') return a === b ? 'same_address' : null;
  if (a === 'name' && b === 'name') return key.startsWith('n:') ? 'same_name' : null;
  if (a === 'name' || b === 'name') {
    const other = a === 'name' ? b : a;
    return other === 'email' ? 'name_matches_email' : 'name_matches_profile';
  }
  return key.startsWith('n:') ? 'similar_addresses' : null;
}

/** The reasons two contacts share, from the keys they have in common; the same words once. */
export function reasonsBetween(aKeys: MatchKey[], bKeys: MatchKey[]): SuggestionReason[] {
  const out: SuggestionReason[] = [];
  const seen = new Set<string>();
  for (const ka of aKeys) {
    for (const kb of bKeys) {
      if (ka.key !== kb.key) continue;
      const kind = reasonKind(ka.key, ka.source, kb.source);
      if (!kind) continue;
      // "same name" through n: and j: keys is one reason, as are both orders of a two-word name.
      const id = `${kind}|${ka.value}|${kb.value}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ kind, a: { source: ka.source, value: ka.value }, b: { source: kb.source, value: kb.value } });
    }
  }
  // A total order: the same evidence gives the same stored text whichever side computed it, so a
  // refresh that changes nothing writes nothing.
  const text = (r: SuggestionReason) => `${r.a.source}|${r.a.value}|${r.b.source}|${r.b.value}`;
  return out.sort((x, y) => REASON_ORDER.indexOf(x.kind) - REASON_ORDER.indexOf(y.kind) || (text(x) < text(y) ? -1 : text(x) > text(y) ? 1 : 0));
}

/** Strongest and plainest evidence first: the notice names it first. */
export const REASON_ORDER: SuggestionReasonKind[] = ['same_address', 'same_name', 'name_matches_email', 'name_matches_profile', 'similar_addresses'];
