// The contact form's fields: reading an application/x-www-form-urlencoded body strictly, the
// choices offered (built from the workspace's entrances), validation with messages in the
// visitor's language, and the referral text written in the owner's language.
import { normalizeIdentity } from '../core/identities.ts';
import type { Entrance } from '../storage/schema.ts';
import type { Messages } from './messages/index.ts';

export const LIMITS = { name: 200, email: 254, phone: 40, message: 5_000, recommendedBy: 200 } as const;
/** 5,000 characters percent-encoded can take ~45 KB (accented letters are 6 bytes each). */
export const FORM_BODY_LIMIT_BYTES = 64 * 1024;

export const FIELD_NAMES = ['name', 'email', 'phone', 'message', 'preferred', 'heard', 'recommendedBy', 'website', 'submission', 'issued', 'altcha'] as const;
export type FieldName = (typeof FIELD_NAMES)[number];
export type FormValues = Record<FieldName, string>;

export class UnreadableForm extends Error {}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes one urlencoded component to text, refusing what is not UTF-8 — raw bytes or
 * percent-encoded ones alike (URLSearchParams would silently turn them into U+FFFD).
 */
function decodeComponent(component: string): string {
  const input = Buffer.from(component.replace(/\+/g, ' '), 'utf8');
  const out = Buffer.alloc(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!;
    if (byte === 0x25 && i + 2 < input.length && /^[0-9a-fA-F]{2}$/.test(input.toString('latin1', i + 1, i + 3))) {
      out[n++] = parseInt(input.toString('latin1', i + 1, i + 3), 16);
      i += 2;
    } else {
      out[n++] = byte;
    }
  }
  try {
    return utf8.decode(out.subarray(0, n));
  } catch {
    throw new UnreadableForm('not UTF-8');
  }
}

/** The known fields of a form body (first value wins; unknown fields are ignored). */
export function parseFormBody(body: Buffer): FormValues {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new UnreadableForm('not UTF-8');
  }
  const values = Object.fromEntries(FIELD_NAMES.map((f) => [f, ''])) as FormValues;
  const seen = new Set<string>();
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    if (!(FIELD_NAMES as readonly string[]).includes(key) || seen.has(key)) continue;
    seen.add(key);
    const value = decodeComponent(eq === -1 ? '' : pair.slice(eq + 1));
    // No field has a use for NUL, and PostgreSQL cannot store it.
    if (value.includes('\u0000')) throw new UnreadableForm('NUL character');
    values[key as FieldName] = value;
  }
  return values;
}

export function emptyValues(): FormValues {
  return Object.fromEntries(FIELD_NAMES.map((f) => [f, ''])) as FormValues;
}

export interface Choice {
  value: string;
  label: string;
}

export type ReplyDoor = 'email' | 'phone' | 'sms' | 'whatsapp' | 'telegram';
const PHONE_DOORS = new Set<ReplyDoor>(['phone', 'sms', 'whatsapp', 'telegram']);

/** The doors a visitor may ask to be answered through. */
export function replyChoices(entrances: Entrance[], t: Messages): Array<{ value: ReplyDoor; label: string }> {
  const doors: ReplyDoor[] = ['email', 'phone', 'sms', 'whatsapp'];
  if (entrances.some((e) => e.kind === 'telegram')) doors.push('telegram');
  return doors.map((d) => ({ value: d, label: t.reply[d] }));
}

/** Entrances where people discover a professional (their networks), offered as "how did you hear". */
const DISCOVERY_KINDS = new Set(['linkedin', 'xing', 'instagram', 'messenger', 'x', 'mastodon', 'bluesky']);

export function heardChoices(entrances: Entrance[], t: Messages): Choice[] {
  return [
    ...entrances.filter((e) => DISCOVERY_KINDS.has(e.kind)).map((e) => ({ value: `entrance:${e.id}`, label: e.label })),
    { value: 'search', label: t.heardSearch },
    { value: 'event', label: t.heardEvent },
    { value: 'recommended', label: t.heardRecommended },
    { value: 'other', label: t.heardOther },
  ];
}

export interface FieldError {
  /** The field's name, or null for a problem with the form as a whole. */
  field: FieldName | null;
  message: string;
}

export interface ValidSubmission {
  name: string;
  email: string | null;
  phone: string | null;
  message: string;
  preferredReply: ReplyDoor;
  heard: string;
  recommendedBy: string;
}

const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
const length = (s: string) => [...s].length;

export function validateSubmission(values: FormValues, entrances: Entrance[], t: Messages, lang: string): { ok: true; value: ValidSubmission } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const count = (n: number) => new Intl.NumberFormat(lang).format(n);

  const name = oneLine(values.name);
  if (!name) errors.push({ field: 'name', message: t.errors.nameRequired });
  else if (length(name) > LIMITS.name) errors.push({ field: 'name', message: t.errors.tooLong(count(LIMITS.name)) });

  const email = values.email.trim();
  if (email && (email.length > LIMITS.email || !normalizeIdentity({ kind: 'email', value: email, verified: false }))) errors.push({ field: 'email', message: length(email) > LIMITS.email ? t.errors.tooLong(count(LIMITS.email)) : t.errors.emailInvalid });

  const phone = oneLine(values.phone);
  if (phone && (phone.length > LIMITS.phone || !normalizeIdentity({ kind: 'phone', value: phone, verified: false }))) errors.push({ field: 'phone', message: length(phone) > LIMITS.phone ? t.errors.tooLong(count(LIMITS.phone)) : t.errors.phoneInvalid });
  if (!email && !phone) errors.push({ field: 'email', message: t.errors.contactRequired });

  // Browsers send line breaks as CRLF; other control characters have no place in a message.
  const message = values.message.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').trim();
  if (!message) errors.push({ field: 'message', message: t.errors.messageRequired });
  else if (length(message) > LIMITS.message) errors.push({ field: 'message', message: t.errors.messageTooLong(count(LIMITS.message), count(length(message))) });

  const doors = replyChoices(entrances, t).map((c) => c.value as string);
  let preferredReply = values.preferred as ReplyDoor;
  if (preferredReply && !doors.includes(preferredReply)) errors.push({ field: 'preferred', message: t.errors.invalidChoice });
  else if (preferredReply === 'email' && !email && phone) errors.push({ field: 'preferred', message: t.errors.preferredNeedsEmail });
  else if (PHONE_DOORS.has(preferredReply) && !phone && email) errors.push({ field: 'preferred', message: t.errors.preferredNeedsPhone });
  if (!preferredReply) preferredReply = email ? 'email' : 'phone';

  const heard = values.heard;
  if (heard && !heardChoices(entrances, t).some((c) => c.value === heard)) errors.push({ field: 'heard', message: t.errors.invalidChoice });
  const recommendedBy = oneLine(values.recommendedBy);
  if (length(recommendedBy) > LIMITS.recommendedBy) errors.push({ field: 'recommendedBy', message: t.errors.tooLong(count(LIMITS.recommendedBy)) });

  if (errors.length) return { ok: false, errors };
  return { ok: true, value: { name, email: email || null, phone: phone || null, message, preferredReply, heard, recommendedBy } };
}

/** What the owner reads as "how they found me", in the owner's language. */
export function referralText(submission: ValidSubmission, entrances: Entrance[], owner: Messages): string | null {
  const { heard, recommendedBy } = submission;
  if (recommendedBy && (heard === '' || heard === 'recommended' || heard === 'other')) return owner.referral.recommendedBy(recommendedBy);
  if (heard.startsWith('entrance:')) return entrances.find((e) => `entrance:${e.id}` === heard)?.label ?? null;
  switch (heard) {
    case 'search':
      return owner.referral.search;
    case 'event':
      return owner.referral.event;
    case 'recommended':
      return owner.referral.recommended;
    case 'other':
      return owner.referral.other;
    default:
      return null;
  }
}
