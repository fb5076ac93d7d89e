// The e-mail entrance's pure map: a parsed e-mail → what the sync stores, and where.
//
//  - Ordinary mail → an InboundMessage for the e-mail entrance (`entranceKind: 'email'`), external
//    id = the normalised Message-ID (so the same mail seen in two folders, or again after a
//    UIDVALIDITY change, is stored once), thread key = `threadKeys.newThreadKey` until the sync
//    finds an existing conversation through `threadKeys.candidates` (see thread-keys.ts).
//  - The owner's own mail (From is one of `ownAddresses`: the sent folder, mail sent from Outlook
//    or a phone) → `direction: 'outbound'`; `counterpart` is the contact it went to. It answers
//    the conversation found by its thread keys and stops the clock.
//  - A LinkedIn/Xing notification → an InboundMessage for that network's entrance
//    (`entranceKind: 'linkedin' | 'xing'`), threaded by the network's thread id, and NOT also
//    stored in the e-mail entrance.
//  - `startsClock`: only an inquiry (or a person's message on a network) waits for an answer.
import type { IdentityClaim, InboundAttachment, InboundMessage } from '../contract.ts';
import { classifyEmail, startsAwaitingClock, type EmailClassification } from './classify-email.ts';
import type { NetworkNotification } from './notifications/index.ts';
import type { ParsedEmail } from './parse-email.ts';
import { splitQuoted } from './parse-quoted.ts';
import { threadKeysOf, type EmailThreadKeys } from './thread-keys.ts';

export interface MapEmailOptions {
  /** The owner's addresses (and aliases): mail from them is outbound. Compared case-insensitively. */
  ownAddresses?: readonly string[];
  /**
   * True only when the caller knows the receiving server authenticated the sender (DMARC pass
   * aligned with From, read from the server's own Authentication-Results). Default false: a From
   * header alone proves nothing.
   */
  senderAuthenticated?: boolean;
  /** Receipt time, used when the Date header is missing. */
  now?: number;
}

/** What the message row's `meta` should carry so the thread view can fold quotes and explain itself. */
export interface EmailMessageMeta {
  email?: {
    messageId: string | null;
    inReplyTo: string[];
    references: string[];
    to: string[];
    cc: string[];
    /** Offsets into `text` where quoted history and signature begin (null: none). */
    quoteStart: number | null;
    signatureStart: number | null;
    attachmentsOmitted: Array<{ filename: string; size: number }>;
    notes: string[];
  };
  classification: { kind: EmailClassification['kind']; reason: string };
  notification?: { network: string; kind: string; threadUrl: string | null; replyMode: 'answer_there' };
}

export interface EmailMapping {
  /** Which entrance kind stores it: 'email', or the network a notification belongs to. */
  entranceKind: 'email' | IdentityClaim['kind'];
  inbound: InboundMessage;
  direction: 'inbound' | 'outbound';
  /** The contact's side: the sender of inbound mail, the first external recipient of outbound mail. */
  counterpart: InboundMessage['sender'];
  classification: EmailClassification;
  threadKeys: EmailThreadKeys;
  /** Pass to ingestMessage's `startsClock`. */
  startsClock: boolean;
  /** For a bounce of one of the owner's messages: mark the message with this id as failed. */
  failedMessageId: string | null;
  meta: EmailMessageMeta;
}

function emailIdentity(address: string | undefined, verified: boolean): IdentityClaim[] {
  return address && /^[^\s@]+@[^\s@]+$/.test(address) ? [{ kind: 'email', value: address, verified }] : [];
}

function mapNotification(parsed: ParsedEmail, n: NetworkNotification, classification: EmailClassification, threadKeys: EmailThreadKeys, sentAt: number): EmailMapping {
  const identities: IdentityClaim[] = n.senderProfileUrl ? [{ kind: n.network, value: n.senderProfileUrl, verified: false }] : [];
  const sender = { ...(n.senderName ? { name: n.senderName } : {}), identities };
  const inbound: InboundMessage = {
    externalId: n.externalId,
    ...(n.threadId ? { threadKey: `${n.network}:${n.threadId}` } : {}),
    sender,
    ...(parsed.subject ? { subject: parsed.subject } : {}),
    // The network's words, not the e-mail's marketing layout; empty when the mail has no preview
    // (the thread view then offers the link to the network).
    text: n.preview ?? '',
    sentAt,
  };
  return {
    entranceKind: n.network,
    inbound,
    direction: 'inbound',
    counterpart: sender,
    classification,
    threadKeys,
    startsClock: n.kind !== 'other',
    failedMessageId: null,
    meta: {
      classification: { kind: classification.kind, reason: classification.reason },
      notification: { network: n.network, kind: n.kind, threadUrl: n.threadUrl, replyMode: n.replyMode },
    },
  };
}

export function mapEmailToInbound(parsed: ParsedEmail, options: MapEmailOptions = {}): EmailMapping {
  const own = new Set((options.ownAddresses ?? []).map((a) => a.trim().toLowerCase()));
  const classification = classifyEmail(parsed);
  const threadKeys = threadKeysOf(parsed, { ownAddresses: options.ownAddresses });
  const sentAt = parsed.date ?? options.now ?? Date.now();
  const fromAddress = parsed.from?.address;
  const direction = fromAddress && own.has(fromAddress.toLowerCase()) ? 'outbound' : 'inbound';

  if (classification.notification && direction === 'inbound') return mapNotification(parsed, classification.notification, classification, threadKeys, sentAt);

  const verified = options.senderAuthenticated === true;
  const identities = emailIdentity(fromAddress, verified);
  // Contact forms and some mail programs put the person to answer in Reply-To: a second,
  // never-verified identity of the same sender.
  const replyTo = parsed.replyTo?.address;
  if (classification.kind === 'inquiry' && replyTo && replyTo.toLowerCase() !== fromAddress?.toLowerCase() && !own.has(replyTo.toLowerCase())) identities.push(...emailIdentity(replyTo, false));
  const sender = { ...(parsed.from?.name ? { name: parsed.from.name } : {}), identities };

  let counterpart: InboundMessage['sender'] = sender;
  if (direction === 'outbound') {
    const to = [...parsed.to, ...parsed.cc].find((a) => a.address && !own.has(a.address.toLowerCase()));
    counterpart = { ...(to?.name ? { name: to.name } : {}), identities: emailIdentity(to?.address, false) };
  }

  // Inline: a resource of the HTML (multipart/related with a Content-ID), or a part its sender
  // marked "Content-Disposition: inline" (Apple Mail's pasted pictures).
  const attachments: InboundAttachment[] = parsed.attachments.flatMap((a) =>
    a.content ? [{ filename: a.filename, contentType: a.contentType, content: a.content, ...(a.contentId ? { contentId: a.contentId } : {}), inline: a.inline || a.disposition === 'inline' }] : [],
  );
  const split = splitQuoted(parsed.text);
  const inbound: InboundMessage = {
    externalId: threadKeys.ownId,
    threadKey: threadKeys.newThreadKey,
    sender,
    ...(parsed.subject ? { subject: parsed.subject } : {}),
    text: parsed.text,
    ...(parsed.html ? { html: parsed.html } : {}),
    sentAt,
    ...(attachments.length ? { attachments } : {}),
  };
  return {
    entranceKind: 'email',
    inbound,
    direction,
    counterpart,
    classification,
    threadKeys,
    startsClock: direction === 'inbound' && startsAwaitingClock(classification),
    failedMessageId: classification.kind === 'bounce' && classification.bounce?.status === 'failed' ? classification.bounce.originalMessageId : null,
    meta: {
      email: {
        messageId: parsed.messageId,
        inReplyTo: parsed.inReplyTo,
        references: parsed.references,
        to: parsed.to.map((a) => a.address),
        cc: parsed.cc.map((a) => a.address),
        quoteStart: split.quoteStart,
        signatureStart: split.signatureStart,
        attachmentsOmitted: parsed.attachments.filter((a) => a.omitted).map((a) => ({ filename: a.filename, size: a.size })),
        notes: parsed.notes.map((n) => n.message),
      },
      classification: { kind: classification.kind, reason: classification.reason },
    },
  };
}
