import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildEml } from '../fixtures/build-eml.ts';
import { parseEmail } from '../parse-email.ts';
import { notificationRecognisers, recogniseNotification, stripTrackingParams, type NotificationRecogniser } from './index.ts';

// The LinkedIn and Xing e-mails are constructed (see the X-Portier-Fixture header of each and
// fixtures/real/SOURCES.md): no real notification is published as a data file.
const load = async (name: string) => parseEmail(readFileSync(new URL(`../fixtures/constructed/${name}`, import.meta.url)));

describe('LinkedIn notifications (constructed fixtures, en/de/fr)', () => {
  it('en message: sender, preview, thread deep link without tracking, stable ids, answer there', async () => {
    const n = recogniseNotification(await load('linkedin-message-en.eml'));
    expect(n).toEqual({
      network: 'linkedin',
      kind: 'message',
      evidence: 'From: messages-noreply@linkedin.com, X-LinkedIn-Class: MBR-TO-MBR, X-LinkedIn-Template: email_type_messaging_digest',
      senderName: 'Anna Meier',
      senderProfileUrl: 'https://www.linkedin.com/in/anna-meier-4b1a2c3',
      preview: 'Hello Claire, we are planning a two-day train-the-trainer workshop in May and your profile fits well. Do you have availability in week 20?',
      threadUrl: 'https://www.linkedin.com/messaging/thread/2-ZjQ1YzM4NzAtYTJkMS00YjVhLWI0ZTYtOGQxMzk2ZTc1ZmFiXzAxMA==/',
      threadId: '2-ZjQ1YzM4NzAtYTJkMS00YjVhLWI0ZTYtOGQxMzk2ZTc1ZmFiXzAxMA==',
      externalId: 'linkedin:1839204455.4471290.1709630062311@lor1-app45125.prod.linkedin.com',
      replyMode: 'answer_there',
    });
  });

  it('de InMail: "über LinkedIn" stripped from the name, „quoted“ preview, no tracking in any link', async () => {
    const n = recogniseNotification(await load('linkedin-inmail-de.eml'))!;
    expect(n).toMatchObject({ kind: 'inmail', senderName: 'Jürgen Weiß', senderProfileUrl: 'https://www.linkedin.com/in/juergen-weiss-77a1' });
    expect(n.preview).toMatch(/^Guten Tag Frau Dubois, .* Hätten Sie im Juni zwei Tage frei\?$/);
    expect(`${n.threadUrl} ${n.senderProfileUrl}`).not.toMatch(/trk|lipi|midToken|utm_|\/comm\//);
  });

  it('fr invitation: threaded per person, links to the invitation manager', async () => {
    const n = recogniseNotification(await load('linkedin-invitation-fr.eml'))!;
    expect(n).toMatchObject({ kind: 'invitation', senderName: 'Sophie Lefèvre', threadId: 'invitation:sophie-lefevre-ge', threadUrl: 'https://www.linkedin.com/mynetwork/invitation-manager/' });
    expect(n.preview).toContain("j'aimerais rester en contact");
  });

  it('a job alert is LinkedIn’s own mail (kind other), not a conversation', async () => {
    expect(recogniseNotification(await load('linkedin-job-alert-en.eml'))).toMatchObject({ network: 'linkedin', kind: 'other', preview: null });
  });
});

describe('Xing notifications (constructed fixtures, de/en/fr)', () => {
  it('de message from mail.xing.com with X-XING and List-Id headers', async () => {
    const n = recogniseNotification(await load('xing-message-de.eml'))!;
    expect(n).toMatchObject({
      network: 'xing',
      kind: 'message',
      senderName: 'Thomas Müller',
      senderProfileUrl: 'https://www.xing.com/profile/Thomas_Mueller42',
      threadUrl: 'https://www.xing.com/chats/8a7b6c5d4e3f2a1b0c9d',
      threadId: '8a7b6c5d4e3f2a1b0c9d',
      externalId: 'xing:65ef2f38a1b2c_7d3a2b1c4e5f@mailer-7b9c.xing.com',
      replyMode: 'answer_there',
    });
    expect(n.preview).toBe('Guten Morgen Frau Dubois, wir suchen für unser Team ein Moderationstraining im Herbst. Können wir nächste Woche telefonieren?');
  });

  it('en contact request: the name read from the text when the display name is only "XING"', async () => {
    expect(recogniseNotification(await load('xing-contact-request-en.eml'))).toMatchObject({ kind: 'invitation', senderName: 'Laura Rossi', threadId: 'invitation:Laura_Rossi7', preview: "Hi Claire, we met at the Learning Summit in Lugano. Let's stay in touch!" });
  });

  it('fr message recognised by its xing.com DKIM signature alone; sender known by name only', async () => {
    expect(recogniseNotification(await load('xing-message-fr.eml'))).toMatchObject({ kind: 'message', senderName: 'Benoît Favre', senderProfileUrl: null, threadId: 'f00dfeed1234' });
  });

  it('a xing.com sender without any Xing header is not trusted as a notification', async () => {
    expect(recogniseNotification(await parseEmail(buildEml({ From: 'XING <mail@xing.com>', Subject: 'Neue Nachricht' }, 'https://www.xing.com/chats/abc')))).toBeNull();
  });
});

describe('recognisers are pluggable', () => {
  it('adding a network is one recogniser object', async () => {
    const doodle: NotificationRecogniser = { network: 'url', recognise: (p) => (p.from?.address.endsWith('@doodle.com') && p.headers['x-doodle-id'] ? { network: 'url', kind: 'message', evidence: 'X-Doodle-Id', senderName: null, senderProfileUrl: null, preview: null, threadUrl: null, threadId: null, externalId: 'doodle:1', replyMode: 'answer_there' } : null) };
    const mail = await parseEmail(buildEml({ From: 'noreply@doodle.com', 'X-Doodle-Id': '1', Subject: 'Poll' }, 'x'));
    expect(recogniseNotification(mail)).toBeNull();
    expect(recogniseNotification(mail, [...notificationRecognisers, doodle])?.externalId).toBe('doodle:1');
  });

  it('stripTrackingParams keeps what a link needs and drops what only tracks', () => {
    expect(stripTrackingParams('https://example.org/a?id=7&utm_source=x&utm_campaign=y&trk=z&midToken=q&lipi=u&fbclid=f#frag')).toBe('https://example.org/a?id=7');
  });
});
