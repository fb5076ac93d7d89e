// LinkedIn: no messaging API outside partner programmes, but every new direct message, InMail and
// invitation is announced by e-mail. Recognised by a linkedin.com sender AND LinkedIn's own headers:
// X-LinkedIn-Class (observed values include MBR-TO-MBR, INMAIL, INVITE-GUEST, EMAIL-DEFAULT,
// SAVEDSEARCH, JOBS-TO-MBR, WELCOME), X-LinkedIn-Template (e.g. email_type_messaging_digest,
// invite_guest_59, email_job_alert_digest_01) and X-LinkedIn-Id. Localised subjects are ignored.
import type { ParsedEmail } from '../parse-email.ts';
import { normalizeMessageId } from '../parse-email.ts';
import { addressDomainIs, hostIs, linksIn } from './links.ts';
import type { NetworkNotification, NotificationKind, NotificationRecogniser } from './recogniser.ts';
import { nameAtTop, nameFromDisplayName, previewAbove } from './text-blocks.ts';

function kindOf(cls: string, template: string, from: string): NotificationKind {
  const all = `${cls} ${template}`.toLowerCase();
  if (/inmail/.test(all) || from.startsWith('inmail-hit-reply@')) return 'inmail';
  if (/invit/.test(all) || from.startsWith('invitations@')) return 'invitation';
  if (/mbr-to-mbr|messag/.test(all) || from.startsWith('messages-noreply@') || from.startsWith('messaging-digest-noreply@')) return 'message';
  return 'other';
}

/** https://www.linkedin.com/comm/messaging/thread/2-abc==/?lipi=… → https://www.linkedin.com/messaging/thread/2-abc==/ */
function canonical(url: string): URL | null {
  try {
    const u = new URL(url);
    if (!hostIs(u.toString(), 'linkedin.com')) return null;
    // "/comm/" is the e-mail variant of every LinkedIn path; the page is the same without it.
    u.pathname = u.pathname.replace(/^\/comm\//, '/');
    u.hostname = 'www.linkedin.com';
    u.protocol = 'https:';
    u.search = '';
    u.hash = '';
    return u;
  } catch {
    return null;
  }
}

export const linkedinRecogniser: NotificationRecogniser = {
  network: 'linkedin',
  recognise(parsed: ParsedEmail): NetworkNotification | null {
    const from = parsed.from?.address.toLowerCase() ?? '';
    const cls = parsed.headers['x-linkedin-class'] ?? '';
    const template = parsed.headers['x-linkedin-template'] ?? '';
    const linkedinId = parsed.headers['x-linkedin-id'] ?? '';
    if (!addressDomainIs(from, 'linkedin.com') || !(cls || template || linkedinId)) return null;

    const kind = kindOf(cls, template, from);
    const evidence = [`From: ${from}`, cls && `X-LinkedIn-Class: ${cls}`, template && `X-LinkedIn-Template: ${template}`].filter(Boolean).join(', ');
    const links = linksIn(parsed);
    let profile: { url: string; label: string } | null = null;
    let thread: URL | null = null;
    for (const l of links) {
      const c = canonical(l.url);
      if (!c) continue;
      if (!profile && /^\/in\/[^/]+\/?$/.test(c.pathname)) profile = { url: c.toString().replace(/\/$/, ''), label: l.label };
      if (!thread && /^\/messaging\/thread\/[^/]+/.test(c.pathname)) thread = c;
      if (!thread && kind === 'invitation' && /^\/(?:mynetwork\/invitation-manager|invitations?)\b/.test(c.pathname)) thread = c;
    }
    const senderName = nameFromDisplayName(parsed.from?.name, 'LinkedIn') ?? (profile?.label && !/^https?:/.test(profile.label) ? profile.label : null) ?? (profile || thread ? nameAtTop(parsed.text) : null);
    const threadId = thread && /^\/messaging\/thread\//.test(thread.pathname) ? decodeURIComponent(thread.pathname.split('/')[3]!) : kind === 'invitation' && profile ? `invitation:${profile.url.split('/in/')[1]}` : null;
    const threadPath = thread?.pathname;
    const preview = kind === 'other' ? null : previewAbove(parsed.text, (line) => !!threadPath && line.includes(threadPath.replace(/^\//, '').split('/').slice(0, 3).join('/')), senderName);
    const own = normalizeMessageId(parsed.messageId);
    return {
      network: 'linkedin',
      kind,
      evidence,
      senderName,
      senderProfileUrl: profile?.url ?? null,
      preview,
      threadUrl: thread?.toString() ?? null,
      threadId,
      externalId: `linkedin:${own ?? (linkedinId ? `id:${linkedinId}` : `sha256:${parsed.fingerprint}`)}`,
      replyMode: 'answer_there',
    };
  },
};
