// What is not an inquiry is not waiting. Every e-mail gets a kind and a reason the owner can read
// ("Auto-Submitted: auto-replied"); only an inquiry starts the "awaiting reply" clock. Decided from
// the standard headers first (report types, Auto-Submitted, Precedence, List-*), network headers
// for LinkedIn/Xing notifications, and vacation subjects only as the last automatic signal.
//
// Order matters: a delivery report is a bounce even though it is also automatic; a LinkedIn
// message notification carries List-Unsubscribe but is a conversation on LinkedIn, not bulk.
import type { IdentityClaim } from '../contract.ts';
import { readDeliveryStatus, originalMessageIdOf, type BounceDetails } from './classify-bounce.ts';
import { notificationRecognisers, recogniseNotification, type NetworkNotification, type NotificationRecogniser } from './notifications/index.ts';
import type { ParsedEmail } from './parse-email.ts';

export type EmailKind = 'inquiry' | 'auto_reply' | 'bounce' | 'feedback_report' | 'bulk' | 'notification';

export interface EmailClassification {
  kind: EmailKind;
  /** Why, in the header's own words where there is one: "Precedence: bulk". */
  reason: string;
  /** For notifications (and a network's own bulk mail): which network. */
  network?: IdentityClaim['kind'];
  /** For notifications: what the network says (sender, preview, link to the thread). */
  notification?: NetworkNotification;
  /** For bounces: which message failed and why. */
  bounce?: BounceDetails;
}

// At the start of the subject (after any "[tag]"), in en/fr/de/it and a few more; the header
// signals above catch most auto-replies, this catches mail programs that set none.
const VACATION_SUBJECT = /^\s*(?:\[[^\]]{1,40}\]\s*)?(?:automatic reply|auto(?:matic)?[- ]?(?:reply|response)|autoreply|out of (?:the )?office|ooo\b|absence|absent\b|abwesenheit|abwesend|automatische antwort|réponse automatique|reponse automatique|risposta automatica|assenza|fuori ufficio|vacation reply|on vacation|en vacances|im urlaub|in ferie|auto:)/i;

const header = (p: ParsedEmail, name: string) => p.headers[name]?.trim() ?? '';

function reportType(p: ParsedEmail): string {
  return /report-type\s*=\s*"?([\w-]+)/i.exec(header(p, 'content-type'))?.[1]?.toLowerCase() ?? '';
}

function bounceReason(b: BounceDetails, prefix: string): string {
  const first = b.recipients.find((r) => r.action === 'failed') ?? b.recipients[0];
  const detail = first ? ` for ${first.address}${first.status ? ` (${first.status}${first.diagnostic ? `: ${first.diagnostic.slice(0, 160)}` : ''})` : ''}` : '';
  return `${prefix}: delivery ${b.status === 'failed' ? 'failed' : 'delayed, the server keeps trying'}${detail}`;
}

export function classifyEmail(parsed: ParsedEmail, options: { recognisers?: readonly NotificationRecogniser[] } = {}): EmailClassification {
  const type = reportType(parsed);
  const hasPart = (t: string) => parsed.attachments.some((a) => a.contentType === t);

  // 1. Reports (RFC 6522): delivery status, spam feedback, read receipts.
  if (type === 'delivery-status' || hasPart('message/delivery-status') || hasPart('message/global-delivery-status')) {
    const bounce = readDeliveryStatus(parsed) ?? { status: 'failed' as const, originalMessageId: null, recipients: [] };
    return { kind: 'bounce', reason: bounceReason(bounce, 'Delivery status report (multipart/report)'), bounce };
  }
  if (type === 'feedback-report' || hasPart('message/feedback-report')) {
    const part = parsed.attachments.find((a) => a.contentType === 'message/feedback-report');
    const fbType = part?.content ? /^feedback-type:\s*(\S+)/im.exec(new TextDecoder().decode(part.content.subarray(0, 16 * 1024)))?.[1] : undefined;
    return { kind: 'feedback_report', reason: `Feedback report (multipart/report${fbType ? `, Feedback-Type: ${fbType}` : ''}): a mailbox provider reports a message as unwanted` };
  }
  if (type === 'disposition-notification' || hasPart('message/disposition-notification')) {
    return { kind: 'auto_reply', reason: 'Read receipt (multipart/report; report-type=disposition-notification)' };
  }

  // 2. A network's notification: a conversation on that network, or its own news (bulk).
  const notification = recogniseNotification(parsed, options.recognisers ?? notificationRecognisers);
  if (notification) {
    if (notification.kind === 'other') return { kind: 'bulk', reason: `${notification.network} notification that is not a message (${notification.evidence})`, network: notification.network };
    return { kind: 'notification', reason: `${notification.network} ${notification.kind} notification (${notification.evidence})`, network: notification.network, notification };
  }

  // 3. Automatic replies, by the headers made for it (RFC 3834 and the common non-standard ones).
  const autoSubmitted = header(parsed, 'auto-submitted');
  if (autoSubmitted && !/^no\b/i.test(autoSubmitted)) return { kind: 'auto_reply', reason: `Auto-Submitted: ${autoSubmitted}` };
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder', 'x-autogenerated']) {
    const v = header(parsed, name);
    if (v && !/^(no|false|0)$/i.test(v)) return { kind: 'auto_reply', reason: `${canonicalName(name)}: ${v}` };
  }
  const precedence = header(parsed, 'precedence').toLowerCase();
  if (precedence === 'auto_reply') return { kind: 'auto_reply', reason: 'Precedence: auto_reply' };

  // 4. Bounces that are not RFC 3464 reports: from the mail system itself.
  const fromLocal = parsed.from?.address.split('@')[0]?.toLowerCase() ?? '';
  if (/^(mailer-daemon|postmaster|mail-daemon)$/.test(fromLocal)) {
    const originalMessageId = originalMessageIdOf(parsed);
    const bounce: BounceDetails = { status: 'failed', originalMessageId, recipients: [] };
    return { kind: 'bounce', reason: `From: ${parsed.from!.address} (a mail server's delivery report)`, bounce };
  }

  // 5. Vacation subjects, for auto-replies without headers.
  if (parsed.subject && VACATION_SUBJECT.test(parsed.subject)) return { kind: 'auto_reply', reason: `Subject looks like an automatic reply: "${parsed.subject.slice(0, 80)}"` };

  // 6. Newsletters, mailing lists, bulk mail.
  if (/^(bulk|list|junk)$/.test(precedence)) return { kind: 'bulk', reason: `Precedence: ${precedence}` };
  const unsubscribe = header(parsed, 'list-unsubscribe');
  if (unsubscribe) return { kind: 'bulk', reason: `List-Unsubscribe: ${unsubscribe.slice(0, 100)}` };
  const listId = header(parsed, 'list-id');
  if (listId) return { kind: 'bulk', reason: `List-Id: ${listId.slice(0, 100)} (mailing list)` };

  return { kind: 'inquiry', reason: 'Written by a person: no automatic-reply, bulk, report or network markers' };
}

function canonicalName(lower: string): string {
  return lower.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase()).replace(/^X-Auto/, 'X-Auto');
}

/** Only an inquiry starts (or keeps) the conversation's "awaiting reply" clock. */
export function startsAwaitingClock(c: EmailClassification): boolean {
  return c.kind === 'inquiry';
}
