// Delivery status notifications (RFC 3464): which recipients failed, why, and which of the owner's
// messages bounced — read from the returned message (message/rfc822) or its headers
// (text/rfc822-headers), so the caller can mark that reply as failed with the server's reason.
import { messageIdsIn, type ParsedEmail } from './parse-email.ts';

export interface BounceRecipient {
  address: string;
  /** failed | delayed | delivered | relayed | expanded (RFC 3464 Action). */
  action: string;
  /** Enhanced status code, e.g. "5.1.1". */
  status: string | null;
  /** The remote server's words, e.g. "smtp; 550 5.1.1 user unknown". */
  diagnostic: string | null;
}

export interface BounceDetails {
  /** failed: at least one recipient failed for good; delayed: the server is still trying. */
  status: 'failed' | 'delayed';
  /** Message-ID (normalised: lower case, no brackets) of the message that bounced, when returned. */
  originalMessageId: string | null;
  recipients: BounceRecipient[];
}

function fields(block: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of block.replace(/\r\n?/g, '\n').replace(/\n[ \t]+/g, ' ').matchAll(/^([A-Za-z][\w-]*)\s*:\s*(.*)$/gm)) {
    const key = m[1]!.toLowerCase();
    if (!out.has(key)) out.set(key, m[2]!.trim());
  }
  return out;
}

const decoder = new TextDecoder('utf-8');

export function readDeliveryStatus(parsed: ParsedEmail): BounceDetails | null {
  const part = parsed.attachments.find((a) => a.contentType === 'message/delivery-status' || a.contentType === 'message/global-delivery-status');
  const recipients: BounceRecipient[] = [];
  if (part?.content) {
    const blocks = decoder.decode(part.content.subarray(0, 256 * 1024)).replace(/\r\n?/g, '\n').split(/\n\s*\n/);
    for (const block of blocks) {
      const f = fields(block);
      const recipient = f.get('final-recipient') ?? f.get('original-recipient');
      if (!recipient) continue;
      recipients.push({
        address: recipient.replace(/^[\w-]+\s*;\s*/, '').replace(/^<|>$/g, ''),
        action: (f.get('action') ?? 'failed').toLowerCase(),
        status: f.get('status') ?? null,
        diagnostic: f.get('diagnostic-code') ?? null,
      });
    }
  }
  const originalMessageId = originalMessageIdOf(parsed);
  if (!part && !originalMessageId) return null;
  const failed = recipients.length === 0 || recipients.some((r) => r.action === 'failed' || r.status?.startsWith('5'));
  return { status: failed ? 'failed' : 'delayed', originalMessageId, recipients };
}

/** The Message-ID of the returned message: from the attached message, its headers, or the text. */
export function originalMessageIdOf(parsed: ParsedEmail): string | null {
  for (const a of parsed.attachments) {
    if (a.contentType === 'message/rfc822' && a.forwarded?.messageId) return a.forwarded.messageId.toLowerCase();
    if ((a.contentType === 'text/rfc822-headers' || a.contentType === 'message/rfc822-headers' || a.contentType === 'message/rfc822') && a.content) {
      const id = /^message-id:\s*(.*(?:\r?\n[ \t].*)*)/im.exec(decoder.decode(a.content.subarray(0, 64 * 1024)))?.[1];
      const first = messageIdsIn(id)[0];
      if (first) return first.toLowerCase();
    }
  }
  // Non-standard bounces paste the original headers into their text.
  const inText = /^\s*message-id:\s*(<[^>\s]+>)/im.exec(parsed.text)?.[1];
  return inText ? messageIdsIn(inText)[0]!.toLowerCase() : null;
}
