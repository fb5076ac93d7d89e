// Raw RFC 5322 bytes → one normalised `ParsedEmail`, with postal-mime doing the MIME work (charsets,
// transfer encodings, encoded words, RFC 2231 parameters, format=flowed, nested multiparts).
//
// parseEmail never throws for anything a sender can put in a message: a mail that is too big, too
// deeply nested or broken still yields its envelope (sender, subject, ids) with `complete: false`
// and a note saying what was left out, so one hostile or broken mail never stops a sync and the
// owner still sees that it arrived. What happens over each limit:
//
//  - raw size over `maxRawBytes` (25 MiB): only the header block is parsed; no text, no attachments.
//    An IMAP sync should not even download the body: fetch the header section only and pass the
//    server's RFC822.SIZE as `declaredSize`, which gives the same result for a fraction of the memory.
//  - MIME nesting deeper than `maxMimeDepth` (a "MIME bomb"): postal-mime stops at the limit; the
//    message is then read as headers only. Memory stays bounded by the raw size cap.
//  - a forwarded message/rfc822 nested deeper than `maxForwardedDepth`: kept as an attachment, unread.
//  - an attachment over `maxAttachmentBytes`: listed with its name and size, its content dropped.
//  - more than `maxAttachments` parts: the rest are dropped, counted in a note.
//  - text over `maxTextChars`: cut, with a note; HTML over `maxHtmlChars`: dropped (the text stays).
import { createHash } from 'node:crypto';
import PostalMime, { decodeWords, type Address, type Email } from 'postal-mime';
import { htmlToText } from './parse-html-text.ts';
import { formatBytes } from '../../core/format-bytes.ts';

export interface EmailLimits {
  /** Raw message size above which only the headers are read. */
  maxRawBytes: number;
  /** Decoded size above which an attachment's content is dropped (it stays listed). */
  maxAttachmentBytes: number;
  maxAttachments: number;
  /** MIME multipart nesting depth; real mail stays below 10. */
  maxMimeDepth: number;
  /** How many forwarded messages inside forwarded messages are opened. */
  maxForwardedDepth: number;
  /** All header bytes of all parts together. */
  maxHeaderBytes: number;
  maxTextChars: number;
  maxHtmlChars: number;
}

export const DEFAULT_EMAIL_LIMITS: EmailLimits = {
  maxRawBytes: 25 * 1024 * 1024,
  maxAttachmentBytes: 15 * 1024 * 1024,
  maxAttachments: 100,
  maxMimeDepth: 32,
  maxForwardedDepth: 3,
  maxHeaderBytes: 1024 * 1024,
  maxTextChars: 1_000_000,
  maxHtmlChars: 5_000_000,
};

export interface ParseEmailOptions extends Partial<EmailLimits> {
  /** The message's real size when `raw` holds only its header section (IMAP RFC822.SIZE). */
  declaredSize?: number;
}

export interface EmailAddress {
  /** Display name, decoded; '' when the header gave none. */
  name: string;
  address: string;
}

export interface ParsedAttachment {
  /** Decoded (encoded words, RFC 2231), stripped of any path; generated from the type when absent. */
  filename: string;
  /** Lower-case MIME type, e.g. "application/pdf", "message/rfc822", "application/ms-tnef". */
  contentType: string;
  /** Decoded size in bytes (also for dropped content). */
  size: number;
  /** Without angle brackets; inline images in the HTML refer to it as cid:… */
  contentId: string | null;
  disposition: 'attachment' | 'inline' | null;
  /** True for parts referenced from the HTML (inline images of a multipart/related). */
  inline: boolean;
  /** The decoded bytes; absent when over `maxAttachmentBytes`. */
  content?: Uint8Array;
  /** Why `content` is absent. */
  omitted?: 'too_large';
  /** For an attached (forwarded) message: what it is, read from its own headers. */
  forwarded?: { subject: string | null; from: EmailAddress | null; messageId: string | null; date: number | null };
}

export type ParseNoteCode = 'too_large' | 'nesting_too_deep' | 'headers_too_large' | 'unparseable' | 'attachment_too_large' | 'too_many_attachments' | 'forwarded_too_deep' | 'text_truncated' | 'html_dropped';

export interface ParseNote {
  code: ParseNoteCode;
  /** A sentence for the owner: what was left out and why. */
  message: string;
}

export interface ParsedEmail {
  /** As written, without angle brackets; null when the message has none. */
  messageId: string | null;
  /** Ids in In-Reply-To (usually one; some clients list several), without angle brackets. */
  inReplyTo: string[];
  /** Ids in References, oldest first, without angle brackets. */
  references: string[];
  from: EmailAddress | null;
  to: EmailAddress[];
  cc: EmailAddress[];
  replyTo: EmailAddress | null;
  subject: string | null;
  /** Epoch milliseconds from the Date header; null when missing or unreadable. */
  date: number | null;
  /** Plain text body; derived from the HTML when the message has only HTML; '' when none. */
  text: string;
  textFromHtml: boolean;
  /** The HTML body exactly as received: untrusted, sanitise before showing (ingest does). */
  html: string | null;
  attachments: ParsedAttachment[];
  /** First occurrence of every header, lower-case names, unfolded raw values (encoded words kept). */
  headers: Record<string, string>;
  /** Top-level MIME type, lower case, without parameters (e.g. "multipart/report"). */
  contentType: string;
  /** Size of the raw message in bytes (the declared size when only headers were given). */
  size: number;
  /** SHA-256 of the raw bytes: an id for messages without a Message-ID. */
  fingerprint: string;
  /** False when the body was not read (too large, too deeply nested, broken): see `notes`. */
  complete: boolean;
  notes: ParseNote[];
}

const MAX_HEADER_ENTRIES = 300;
const MAX_HEADER_VALUE = 4000;
const MAX_FORWARDED_SUMMARIES = 10;

/** Ids in a Message-ID / In-Reply-To / References value, without angle brackets, in order, unique. */
export function messageIdsIn(value: string | null | undefined): string[] {
  if (!value) return [];
  const found = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  // Some senders omit the brackets; then every token that looks like local@domain counts.
  const ids = found.length ? found : value.split(/[\s,]+/).filter((t) => /^[^@\s]+@[^@\s]+$/.test(t));
  return [...new Set(ids)];
}

/** The form used for matching: lower case, no brackets or whitespace. */
export function normalizeMessageId(id: string | null | undefined): string | null {
  if (!id) return null;
  const clean = id.trim().replace(/^<+|>+$/g, '').trim().toLowerCase();
  return clean && !/\s/.test(clean) ? clean : null;
}

function endOfHeader(bytes: Uint8Array, cap: number): number {
  const max = Math.min(bytes.length, cap);
  for (let i = 0; i < max; i++) {
    if (bytes[i] !== 0x0a) continue;
    if (bytes[i + 1] === 0x0a) return i + 2;
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return i + 3;
  }
  return max;
}

function flattenAddresses(list: Address[] | Address | undefined): EmailAddress[] {
  if (!list) return [];
  const out: EmailAddress[] = [];
  for (const a of Array.isArray(list) ? list : [list]) {
    if (a.group) for (const m of a.group) out.push({ name: m.name ?? '', address: m.address ?? '' });
    else out.push({ name: a.name ?? '', address: a.address ?? '' });
  }
  return out.filter((a) => a.address || a.name).map((a) => ({ name: a.name.trim(), address: a.address.trim() }));
}

const LEGACY_CHARSETS = /^(big5|big5-hkscs|gb2312|gbk|gb18030|shift_jis|sjis|x-sjis|euc-jp|euc-kr|ks_c_5601-1987|iso-2022-jp|koi8-r|koi8-u|windows-125[0-8]|iso-8859-([2-9]|1[0-6])|utf-8)$/i;

/**
 * Headers must be ASCII, but some senders write raw 8-bit text in their body's charset. postal-mime
 * reads header bytes as UTF-8, so such text arrives as U+FFFD, or (when a relay stored it
 * re-encoded) as Latin-1 mojibake. With the message's declared charset both can be read again.
 */
function repairHeaderText(value: string, headerName: string, headerBlock: Buffer, charset: string | null): string {
  if (!charset || !LEGACY_CHARSETS.test(charset) || !/[\u0080-\uffff]/.test(value)) return value;
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset.toLowerCase() === 'ks_c_5601-1987' ? 'euc-kr' : charset, { fatal: true });
  } catch {
    return value;
  }
  try {
    if (value.includes('\uFFFD')) {
      const raw = headerBlock.toString('latin1');
      const m = new RegExp(`^${headerName}:[ \\t]*((?:.*)(?:\\r?\\n[ \\t].*)*)`, 'im').exec(raw);
      if (!m) return value;
      const bytes = Buffer.from(m[1]!.replace(/\r?\n(?=[ \t])/g, ''), 'latin1');
      const repaired = decodeWords(decoder.decode(bytes)).trim();
      return headerName === 'subject' ? repaired : value;
    }
    if (/[^\u0000-\u00ff]/.test(value) || (value.match(/[\u0080-\u00ff]/g)?.length ?? 0) < 2) return value;
    const repaired = decoder.decode(Buffer.from(value, 'latin1'));
    return repaired.includes('\uFFFD') ? value : repaired;
  } catch {
    return value;
  }
}

function declaredCharset(headerBlockText: string, raw: Uint8Array): string | null {
  const top = /^content-type:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*/im.exec(headerBlockText)?.[0] ?? '';
  const fromTop = /charset\s*=\s*"?([\w.:-]+)/i.exec(top)?.[1];
  if (fromTop && !/^(us-)?ascii$/i.test(fromTop)) return fromTop;
  const head = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, 64 * 1024)).toString('latin1');
  for (const m of head.matchAll(/charset\s*=\s*"?([\w.:-]+)/gi)) if (!/^(us-)?ascii$/i.test(m[1]!)) return m[1]!;
  return null;
}

const EXTENSIONS: Record<string, string> = {
  'message/rfc822': 'eml', 'message/delivery-status': 'txt', 'message/disposition-notification': 'txt', 'message/feedback-report': 'txt', 'text/rfc822-headers': 'txt',
  'text/plain': 'txt', 'text/html': 'html', 'text/calendar': 'ics', 'application/ics': 'ics', 'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'application/ms-tnef': 'dat',
};

function safeFilename(name: string | null, contentType: string, index: number): string {
  // A file name is display data, never a path: keep the last segment, no control characters.
  const clean = (name ?? '').replace(/[\u0000-\u001f\u007f]/g, '').split(/[\\/]/).pop()!.trim().slice(0, 200);
  if (clean && clean !== '.' && clean !== '..') return clean;
  const base = contentType === 'message/rfc822' ? 'forwarded-message' : contentType.startsWith('message/') ? contentType.slice(8) : `attachment-${index + 1}`;
  return `${base}.${EXTENSIONS[contentType] ?? 'bin'}`;
}

function toBytes(content: ArrayBuffer | Uint8Array | string): Uint8Array {
  if (typeof content === 'string') return new TextEncoder().encode(content);
  return content instanceof Uint8Array ? content : new Uint8Array(content);
}

function dateOf(value: string | undefined): number | null {
  if (!value) return null;
  const t = Date.parse(value);
  return Number.isFinite(t) ? t : null;
}

async function headersOnly(bytes: Uint8Array, limits: EmailLimits): Promise<Email | null> {
  try {
    return await PostalMime.parse(bytes.subarray(0, endOfHeader(bytes, limits.maxHeaderBytes)), { maxHeadersSize: limits.maxHeaderBytes, maxNestingDepth: 1, maxRfc822NestingDepth: 0 });
  } catch {
    return null;
  }
}

/** Parses a raw message; never throws for the message's content (see the notes on limits above). */
export async function parseEmail(raw: Buffer | Uint8Array, options: ParseEmailOptions = {}): Promise<ParsedEmail> {
  const { declaredSize, ...overrides } = options;
  const limits: EmailLimits = { ...DEFAULT_EMAIL_LIMITS, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  const bytes = raw instanceof Uint8Array ? raw : new Uint8Array(raw);
  const size = Math.max(declaredSize ?? 0, bytes.byteLength);
  const fingerprint = createHash('sha256').update(bytes).digest('hex');
  const notes: ParseNote[] = [];
  const headerBlock = Buffer.from(bytes.buffer, bytes.byteOffset, endOfHeader(bytes, limits.maxHeaderBytes));

  let email: Email | null = null;
  let complete = false;
  if (size > limits.maxRawBytes) {
    notes.push({ code: 'too_large', message: `The message is ${formatBytes(size)}, over the ${formatBytes(limits.maxRawBytes)} limit: only its headers were read; its text and attachments were not stored. Open it in your mail program.` });
    email = await headersOnly(bytes, limits);
  } else {
    try {
      email = await PostalMime.parse(bytes, {
        rfc822Attachments: true,
        attachmentEncoding: 'arraybuffer',
        maxNestingDepth: limits.maxMimeDepth,
        maxHeadersSize: limits.maxHeaderBytes,
        maxRfc822NestingDepth: limits.maxForwardedDepth,
      });
      complete = true;
    } catch (err) {
      const reason = (err as Error).message ?? String(err);
      if (/nesting depth/i.test(reason)) {
        notes.push({ code: 'nesting_too_deep', message: `The message's MIME structure is nested more than ${limits.maxMimeDepth} levels deep (real mail stays below 10; this is typical of a "MIME bomb"): only its headers were read.` });
      } else if (/header size/i.test(reason)) {
        notes.push({ code: 'headers_too_large', message: `The message's headers exceed ${formatBytes(limits.maxHeaderBytes)}: only the first header block was read.` });
      } else {
        notes.push({ code: 'unparseable', message: `The message could not be read (${reason.slice(0, 200)}): only its headers were kept.` });
      }
      email = await headersOnly(bytes, limits);
    }
  }
  if (!email) {
    notes.push({ code: 'unparseable', message: 'Not even the headers of this message could be read.' });
    email = { headers: [], headerLines: [], attachments: [] } as unknown as Email;
  }

  const headers: Record<string, string> = {};
  for (const h of email.headers) {
    if (Object.keys(headers).length >= MAX_HEADER_ENTRIES) break;
    if (!(h.key in headers)) headers[h.key] = h.value.slice(0, MAX_HEADER_VALUE);
  }
  const headerText = headerBlock.toString('latin1');
  const charset = declaredCharset(headerText, bytes);
  const fixName = (a: EmailAddress): EmailAddress => ({ ...a, name: repairHeaderText(a.name, 'from', headerBlock, charset) });

  // Attachments, in document order, within the limits.
  const attachments: ParsedAttachment[] = [];
  let droppedParts = 0;
  let forwardedSummaries = 0;
  for (const [i, a] of (email.attachments ?? []).entries()) {
    if (attachments.length >= limits.maxAttachments) {
      droppedParts++;
      continue;
    }
    const content = toBytes(a.content);
    const contentType = (a.mimeType || 'application/octet-stream').toLowerCase();
    const item: ParsedAttachment = {
      filename: safeFilename(a.filename, contentType, i),
      contentType,
      size: content.byteLength,
      contentId: a.contentId ? a.contentId.replace(/^<|>$/g, '') : null,
      disposition: a.disposition === 'attachment' ? 'attachment' : a.disposition === 'inline' ? 'inline' : null,
      inline: Boolean(a.related),
    };
    if (content.byteLength > limits.maxAttachmentBytes) {
      item.omitted = 'too_large';
      notes.push({ code: 'attachment_too_large', message: `The attachment "${item.filename}" is ${formatBytes(content.byteLength)}, over the ${formatBytes(limits.maxAttachmentBytes)} limit: it is listed but not stored.` });
    } else {
      item.content = content;
    }
    if (contentType === 'message/rfc822' && content.byteLength > 0 && forwardedSummaries < MAX_FORWARDED_SUMMARIES) {
      forwardedSummaries++;
      const inner = await headersOnly(content, limits);
      if (inner) {
        const from = flattenAddresses(inner.from)[0] ?? null;
        item.forwarded = { subject: inner.subject ?? null, from, messageId: messageIdsIn(inner.messageId)[0] ?? null, date: dateOf(inner.date) };
      }
      if (a.rfc822DepthExceeded) notes.push({ code: 'forwarded_too_deep', message: `"${item.filename}" holds messages forwarded inside each other more than ${limits.maxForwardedDepth} levels deep: it is kept as an attachment, unread.` });
    }
    attachments.push(item);
  }
  if (droppedParts) notes.push({ code: 'too_many_attachments', message: `The message has ${droppedParts + attachments.length} attachments; only the first ${limits.maxAttachments} were kept.` });

  let html = email.html ?? null;
  if (html && html.length > limits.maxHtmlChars) {
    notes.push({ code: 'html_dropped', message: `The HTML version is ${formatBytes(html.length)}, over the ${formatBytes(limits.maxHtmlChars)} limit: only the text is shown.` });
    html = null;
  }
  let text = email.text ?? '';
  let textFromHtml = false;
  if (!text.trim() && email.html) {
    text = htmlToText(email.html.slice(0, limits.maxHtmlChars));
    textFromHtml = true;
  }
  if (text.length > limits.maxTextChars) {
    notes.push({ code: 'text_truncated', message: `The text is ${text.length.toLocaleString('en')} characters long: only the first ${limits.maxTextChars.toLocaleString('en')} were kept.` });
    text = text.slice(0, limits.maxTextChars);
  }

  const subject = email.subject === undefined ? null : repairHeaderText(email.subject, 'subject', headerBlock, charset).trim();
  const from = flattenAddresses(email.from)[0];
  const contentType = (headers['content-type'] ?? 'text/plain').split(';')[0]!.trim().toLowerCase() || 'text/plain';

  return {
    messageId: messageIdsIn(email.messageId)[0] ?? null,
    inReplyTo: messageIdsIn(email.inReplyTo),
    references: messageIdsIn(email.references),
    from: from ? fixName(from) : null,
    to: flattenAddresses(email.to).map(fixName),
    cc: flattenAddresses(email.cc).map(fixName),
    replyTo: flattenAddresses(email.replyTo)[0] ?? null,
    subject,
    date: dateOf(email.date),
    text: text.replace(/\r\n?/g, '\n'),
    textFromHtml,
    html,
    attachments,
    headers,
    contentType,
    size,
    fingerprint,
    complete,
    notes,
  };
}
