import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyEmail, startsAwaitingClock } from './classify-email.ts';
import { buildEml } from './fixtures/build-eml.ts';
import { parseEmail } from './parse-email.ts';

const classify = async (headers: Record<string, string>, body = 'Hallo') => classifyEmail(await parseEmail(buildEml({ From: 'Eva <eva@example.org>', To: 'claire@atelier.example', ...headers }, body)));

describe('classifyEmail: what is not an inquiry is not waiting', () => {
  it('a person’s mail is an inquiry, and only an inquiry starts the clock', async () => {
    const c = await classify({ Subject: 'Coaching im April?' });
    expect(c.kind).toBe('inquiry');
    expect(startsAwaitingClock(c)).toBe(true);
    expect(startsAwaitingClock({ kind: 'auto_reply', reason: '' })).toBe(false);
  });

  it('Auto-Submitted other than "no" is an auto-reply, with the header as the reason', async () => {
    expect(await classify({ Subject: 'Re: Kurs', 'Auto-Submitted': 'auto-replied' })).toEqual({ kind: 'auto_reply', reason: 'Auto-Submitted: auto-replied' });
    expect(await classify({ Subject: 'Kurs', 'Auto-Submitted': 'auto-generated' })).toMatchObject({ kind: 'auto_reply', reason: 'Auto-Submitted: auto-generated' });
    expect((await classify({ Subject: 'Kurs', 'Auto-Submitted': 'no' })).kind).toBe('inquiry');
  });

  it('X-Autoreply, X-Autorespond and Precedence: auto_reply are auto-replies', async () => {
    expect(await classify({ Subject: 'Kurs', 'X-Autoreply': 'yes' })).toMatchObject({ kind: 'auto_reply', reason: 'X-Autoreply: yes' });
    expect(await classify({ Subject: 'Kurs', 'X-Autorespond': 'Vacation' })).toMatchObject({ kind: 'auto_reply', reason: 'X-Autorespond: Vacation' });
    expect((await classify({ Subject: 'Kurs', Precedence: 'auto_reply' })).kind).toBe('auto_reply');
  });

  it.each([
    'Out of office: Workshop',
    'Automatic reply: Workshop',
    'Absence du bureau',
    'Réponse automatique : Atelier',
    'Abwesenheitsnotiz: Kurs',
    'Automatische Antwort: AW: Kurs',
    'Assenza: Corso',
    'Risposta automatica: Corso',
  ])('vacation subject without headers: "%s" is an auto-reply', async (subject) => {
    expect(await classify({ Subject: subject })).toMatchObject({ kind: 'auto_reply', reason: expect.stringContaining('automatic reply') });
  });

  it('a subject merely mentioning an absence is still an inquiry', async () => {
    expect((await classify({ Subject: 'Frage zu Ihrer Abwesenheit im Mai' })).kind).toBe('inquiry');
  });

  it('List-Unsubscribe, List-Id and Precedence: bulk/list/junk are bulk', async () => {
    expect(await classify({ Subject: 'Newsletter März', 'List-Unsubscribe': '<https://news.example/u?id=1>' })).toMatchObject({ kind: 'bulk', reason: 'List-Unsubscribe: <https://news.example/u?id=1>' });
    expect((await classify({ Subject: 'Digest', 'List-Id': 'Trainer network <trainers.lists.example>' })).kind).toBe('bulk');
    for (const p of ['bulk', 'list', 'junk']) expect(await classify({ Subject: 'x', Precedence: p })).toMatchObject({ kind: 'bulk', reason: `Precedence: ${p}` });
  });

  it('a feedback report (ARF) is a feedback_report naming its Feedback-Type', async () => {
    const c = await classify(
      { From: 'abuse@provider.example', Subject: 'Abuse report', 'Content-Type': 'multipart/report; report-type=feedback-report; boundary="r"' },
      '--r\r\nContent-Type: text/plain\r\n\r\nThis is an email abuse report.\r\n--r\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nUser-Agent: Provider/1.0\r\nVersion: 1\r\n--r\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: claire@atelier.example\r\nMessage-ID: <sent-1@atelier.example>\r\n--r--\r\n',
    );
    expect(c).toMatchObject({ kind: 'feedback_report', reason: expect.stringContaining('Feedback-Type: abuse') });
  });

  it('a DSN bounce of one of the owner’s replies names that reply, from text/rfc822-headers', async () => {
    const c = await classify(
      { From: 'Mail Delivery Subsystem <mailer-daemon@mx.example>', Subject: 'Undeliverable', 'Content-Type': 'multipart/report; report-type=delivery-status; boundary="r"' },
      '--r\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; anna@gone.example\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\r\n--r\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: claire@atelier.example\r\nMessage-ID: <Reply-42@Atelier.example>\r\n--r--\r\n',
    );
    expect(c.kind).toBe('bounce');
    expect(c.bounce).toEqual({ status: 'failed', originalMessageId: 'reply-42@atelier.example', recipients: [{ address: 'anna@gone.example', action: 'failed', status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 user unknown' }] });
    expect(c.reason).toContain('550 5.1.1 user unknown');
  });

  it('a delayed-delivery DSN is a bounce with status delayed (the reply is not failed yet)', async () => {
    const c = await classify(
      { From: 'postmaster@mx.example', Subject: 'Delayed', 'Content-Type': 'multipart/report; report-type=delivery-status; boundary="r"' },
      '--r\r\nContent-Type: text/plain\r\n\r\nStill trying.\r\n--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; anna@slow.example\r\nAction: delayed\r\nStatus: 4.4.7\r\n--r--\r\n',
    );
    expect(c.bounce?.status).toBe('delayed');
  });

  it('a non-standard bounce from MAILER-DAEMON is a bounce, reading the Message-ID from its text', async () => {
    const c = await classify({ From: 'MAILER-DAEMON@old.example', Subject: 'failure notice' }, 'Sorry, I could not deliver.\r\n\r\n--- Below this line is a copy of the message.\r\n\r\nMessage-ID: <r-7@atelier.example>\r\nSubject: Offer\r\n');
    expect(c).toMatchObject({ kind: 'bounce', bounce: { originalMessageId: 'r-7@atelier.example' } });
  });

  it('a LinkedIn message notification is a notification even though it carries List-Unsubscribe', async () => {
    const c = classifyEmail(await parseEmail(readFileSync(new URL('./fixtures/constructed/linkedin-message-en.eml', import.meta.url))));
    expect(c).toMatchObject({ kind: 'notification', network: 'linkedin', reason: expect.stringContaining('X-LinkedIn-Class: MBR-TO-MBR') });
  });

  it('a mail that only claims to be from LinkedIn (no LinkedIn headers) is not a LinkedIn notification', async () => {
    expect((await classify({ From: 'Anna via LinkedIn <messages-noreply@linkedin.com>', Subject: 'Anna just messaged you' })).kind).toBe('inquiry');
  });
});
