// Xing: its public API is closed, so new chat messages and contact requests reach Portier through
// Xing's notification e-mails. Recognised by a xing.com sender (mail.xing.com and other subdomains
// included) AND a header only Xing's own mail carries: an X-Xing-* header, a List-Id under
// xing.com, or a DKIM signature by xing.com. Localised subjects are ignored; the kind comes from
// the X-Xing mail type when present, otherwise from where the mail's links lead (/chats/…, contact
// requests).
import type { ParsedEmail } from '../parse-email.ts';
import { normalizeMessageId } from '../parse-email.ts';
import { addressDomainIs, hostIs, linksIn } from './links.ts';
import type { NetworkNotification, NotificationKind, NotificationRecogniser } from './recogniser.ts';
import { nameAtTop, nameFromDisplayName, previewAbove } from './text-blocks.ts';

function canonical(url: string): URL | null {
  try {
    const u = new URL(url);
    if (!hostIs(u.toString(), 'xing.com')) return null;
    u.hostname = 'www.xing.com';
    u.protocol = 'https:';
    u.search = '';
    u.hash = '';
    return u;
  } catch {
    return null;
  }
}

function xingHeaders(headers: Record<string, string>): string[] {
  return Object.entries(headers)
    .filter(([k]) => k.startsWith('x-xing'))
    .map(([k, v]) => `${k}: ${v}`);
}

export const xingRecogniser: NotificationRecogniser = {
  network: 'xing',
  recognise(parsed: ParsedEmail): NetworkNotification | null {
    const from = parsed.from?.address.toLowerCase() ?? '';
    if (!addressDomainIs(from, 'xing.com')) return null;
    const own = xingHeaders(parsed.headers);
    const listId = parsed.headers['list-id'] ?? '';
    const dkimByXing = /\bd=(?:[\w-]+\.)*xing\.com\b/i.test(parsed.headers['dkim-signature'] ?? '');
    if (!own.length && !/xing\.com/i.test(listId) && !dkimByXing) return null;

    const links = linksIn(parsed).flatMap((l) => {
      const c = canonical(l.url);
      return c ? [{ url: c, label: l.label }] : [];
    });
    const chat = links.find((l) => /^\/chats\/[^/]+/.test(l.url.pathname))?.url ?? null;
    const request = links.find((l) => /^\/(?:contacts\/requests|contact-requests|notifications\/contacts)\b/.test(l.url.pathname))?.url ?? null;
    const profileLink = links.find((l) => /^\/profile\/[^/]+\/?$/.test(l.url.pathname)) ?? null;

    const type = `${own.join(' ')} ${listId}`.toLowerCase();
    let kind: NotificationKind;
    if (/message|chat|nachricht|messenger/.test(type)) kind = 'message';
    else if (/contact|invitation|kontakt|request/.test(type)) kind = 'invitation';
    else if (chat) kind = 'message';
    else if (request) kind = 'invitation';
    else kind = 'other';

    const thread = kind === 'message' ? chat : kind === 'invitation' ? request : null;
    const profileUrl = profileLink ? profileLink.url.toString().replace(/\/$/, '') : null;
    const senderName = nameFromDisplayName(parsed.from?.name, 'XING') ?? (profileLink?.label && !/^https?:/.test(profileLink.label) ? profileLink.label : null) ?? (profileLink || chat ? nameAtTop(parsed.text) : null);
    const threadId = kind === 'message' && chat ? decodeURIComponent(chat.pathname.split('/')[2]!) : kind === 'invitation' && profileUrl ? `invitation:${profileUrl.split('/profile/')[1]}` : null;
    const pathPart = thread?.pathname.replace(/^\//, '').replace(/\/$/, '');
    const preview = kind === 'other' || !pathPart ? null : previewAbove(parsed.text, (line) => line.includes(pathPart), senderName);
    const messageId = normalizeMessageId(parsed.messageId);
    return {
      network: 'xing',
      kind,
      evidence: [`From: ${from}`, ...own, listId && `List-Id: ${listId}`, !own.length && !listId && dkimByXing ? 'DKIM-Signature: d=xing.com' : ''].filter(Boolean).join(', '),
      senderName,
      senderProfileUrl: profileUrl,
      preview,
      threadUrl: thread?.toString() ?? null,
      threadId,
      externalId: `xing:${messageId ?? `sha256:${parsed.fingerprint}`}`,
      replyMode: 'answer_there',
    };
  },
};
