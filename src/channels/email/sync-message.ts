// What the sync makes of one raw message from an IMAP folder: parsed (parse-email.ts), mapped and
// classified (map-email.ts: direction, "starts the clock", LinkedIn/Xing notifications, bounces,
// thread keys), plus what only the sync needs to know — whether Portier's own outbox sent it.
import type { InboundMessage } from '../contract.ts';
import { mapEmailToInbound, type EmailMapping, type EmailMessageMeta } from './map-email.ts';
import { parseEmail } from './parse-email.ts';

export interface SyncedEmail {
  /** Unique within the entrance: the Message-ID, or sha256 of the raw message when it has none. */
  externalId: string;
  messageId: string | null;
  direction: 'inbound' | 'outbound';
  /** Which entrance stores it: 'email', or the network a notification e-mail announces. */
  entranceKind: EmailMapping['entranceKind'];
  /** threadKey is the key of a NEW conversation; the store replaces it when a thread exists. */
  inbound: InboundMessage;
  startsClock: boolean;
  /** Candidate keys of the conversation this answers, strongest first (thread-keys.ts). */
  lookupKeys: string[];
  /** Keys under which this message's conversation can be found later. */
  ownKeys: string[];
  /** A bounce of one of the owner's messages: the Message-ID of the message that failed. */
  failedMessageId: string | null;
  failureReason: string;
  meta: EmailMessageMeta;
  /** Sent by Portier's own outbox (its copy in the sent folder): already recorded there. */
  sentByPortier: boolean;
}

/** Set on every reply the outbox sends (smtp-send.ts), so the sync knows its copy in Sent. */
export const PORTIER_OUTBOX_HEADER = 'x-portier-outbox';

export async function readEmail(raw: Buffer, options: { ownAddresses: string[]; receivedAt: number | null; now: number; declaredSize?: number }): Promise<SyncedEmail> {
  const parsed = await parseEmail(raw, options.declaredSize !== undefined ? { declaredSize: options.declaredSize } : {});
  const mapping = mapEmailToInbound(parsed, { ownAddresses: options.ownAddresses, now: options.receivedAt ?? options.now });
  return {
    externalId: mapping.inbound.externalId,
    messageId: parsed.messageId,
    direction: mapping.direction,
    entranceKind: mapping.entranceKind,
    inbound: mapping.inbound,
    startsClock: mapping.startsClock,
    lookupKeys: mapping.threadKeys.candidates.map((c) => c.key),
    ownKeys: mapping.threadKeys.ownKeys,
    failedMessageId: mapping.failedMessageId,
    failureReason: mapping.classification.reason,
    meta: mapping.meta,
    sentByPortier: parsed.headers[PORTIER_OUTBOX_HEADER] !== undefined,
  };
}
