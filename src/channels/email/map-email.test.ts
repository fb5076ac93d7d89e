import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildEml } from './fixtures/build-eml.ts';
import { mapEmailToInbound } from './map-email.ts';
import { parseEmail } from './parse-email.ts';

const fixture = async (path: string) => parseEmail(readFileSync(new URL(`./fixtures/${path}`, import.meta.url)));

describe('mapEmailToInbound', () => {
  it('an inquiry becomes an inbound message of the e-mail entrance that starts the clock; the sender is unverified by default', async () => {
    const m = mapEmailToInbound(await fixture('real/talon__gmail.eml'), { ownAddresses: ['owner@example.ch'] });
    expect(m).toMatchObject({ entranceKind: 'email', direction: 'inbound', startsClock: true, failedMessageId: null });
    expect(m.inbound).toMatchObject({
      externalId: 'caksfabw4hj0gek6twbr3erng4p1y0czzj0d=pxtcnnynbe7plg@mail.gmail.com',
      threadKey: m.threadKeys.newThreadKey,
      sender: { name: 'Megan One', identities: [{ kind: 'email', value: 'xxx@gmail.com', verified: false }] },
      subject: 'Re: Test',
    });
    expect(m.inbound.html).toContain('<'); // raw: ingest sanitises it
    expect(m.meta.email?.quoteStart).toBe(m.inbound.text.indexOf('On Mon'));
  });

  it('the sender is verified only when the caller says the server authenticated it', async () => {
    const m = mapEmailToInbound(await fixture('real/mail__rfc2822__example06.eml'), { senderAuthenticated: true });
    // Reply-To names a second address of the same person: an unverified claim, whatever the caller says.
    expect(m.inbound.sender.identities).toEqual([{ kind: 'email', value: 'mary@example.net', verified: true }, { kind: 'email', value: 'smith@home.example', verified: false }]);
  });

  it('mail from one of the owner’s addresses is outbound, waits for no one, and names the contact it went to', async () => {
    const p = await parseEmail(buildEml({ From: 'Claire <Claire@Atelier.example>', To: 'Anna Meier <anna@example.org>', Subject: 'Re: Workshop', 'Message-ID': '<sent-1@atelier.example>', 'In-Reply-To': '<q-1@example.org>' }, 'Gerne!'));
    const m = mapEmailToInbound(p, { ownAddresses: ['claire@atelier.example'] });
    expect(m).toMatchObject({ direction: 'outbound', startsClock: false, counterpart: { name: 'Anna Meier', identities: [{ kind: 'email', value: 'anna@example.org', verified: false }] } });
    expect(m.threadKeys.candidates[0]).toEqual({ key: 'mid:q-1@example.org', source: 'in-reply-to' });
  });

  it('a bounce of the owner’s reply says which message failed and starts no clock', async () => {
    const m = mapEmailToInbound(await fixture('real/postal-mime__bounce.eml'));
    expect(m).toMatchObject({ startsClock: false, failedMessageId: 'e85f1c9b-9b51-4028-8ec0-0a657155028e@app.fastmail.com', meta: { classification: { kind: 'bounce' } } });
  });

  it('an auto-reply is stored but starts no clock', async () => {
    expect(mapEmailToInbound(await fixture('real/chatwoot__non_utf_encoded_mail.eml')).startsClock).toBe(false);
  });

  it('a contact-form mail with Reply-To adds the visitor’s address as a second, unverified identity', async () => {
    const p = await parseEmail(buildEml({ From: 'Website <noreply@atelier.example>', 'Reply-To': 'Eva <eva@example.org>', Subject: 'Kontaktformular' }, 'Ich hätte gern ein Angebot.'));
    expect(mapEmailToInbound(p, { ownAddresses: ['claire@atelier.example'] }).inbound.sender.identities).toEqual([
      { kind: 'email', value: 'noreply@atelier.example', verified: false },
      { kind: 'email', value: 'eva@example.org', verified: false },
    ]);
  });

  it('attachments are handed over with their bytes; one over the limit is listed in meta only', async () => {
    const p = await parseEmail(readFileSync(new URL('./fixtures/real/mailparser__nodemailer.eml', import.meta.url)), { maxAttachmentBytes: 1000 });
    const m = mapEmailToInbound(p);
    expect(m.inbound.attachments?.map((a) => a.filename)).toEqual(['attachment-1.bin', 'image.png', 'notes.txt']);
    expect(m.meta.email?.attachmentsOmitted).toEqual([{ filename: 'nyan cat ✔.gif', size: 29361 }]);
  });

  it('a LinkedIn notification goes to the LinkedIn entrance, threaded by LinkedIn’s thread, and not to the e-mail entrance', async () => {
    const m = mapEmailToInbound(await fixture('constructed/linkedin-message-en.eml'));
    expect(m.entranceKind).toBe('linkedin');
    expect(m.inbound).toEqual({
      externalId: 'linkedin:1839204455.4471290.1709630062311@lor1-app45125.prod.linkedin.com',
      threadKey: 'linkedin:2-ZjQ1YzM4NzAtYTJkMS00YjVhLWI0ZTYtOGQxMzk2ZTc1ZmFiXzAxMA==',
      sender: { name: 'Anna Meier', identities: [{ kind: 'linkedin', value: 'https://www.linkedin.com/in/anna-meier-4b1a2c3', verified: false }] },
      subject: 'Anna just messaged you',
      text: 'Hello Claire, we are planning a two-day train-the-trainer workshop in May and your profile fits well. Do you have availability in week 20?',
      sentAt: Date.parse('2024-03-05T09:14:22Z'),
    });
    expect(m.meta.notification).toEqual({ network: 'linkedin', kind: 'message', threadUrl: 'https://www.linkedin.com/messaging/thread/2-ZjQ1YzM4NzAtYTJkMS00YjVhLWI0ZTYtOGQxMzk2ZTc1ZmFiXzAxMA==/', replyMode: 'answer_there' });
  });

  it('the same notification read twice maps to the same external id (never counted twice)', async () => {
    const a = mapEmailToInbound(await fixture('constructed/xing-message-de.eml'));
    const b = mapEmailToInbound(await fixture('constructed/xing-message-de.eml'));
    expect(a.inbound.externalId).toBe(b.inbound.externalId);
    expect(a.entranceKind).toBe('xing');
  });

  it('a name-only sender (no profile link) maps with no identity, only a name', async () => {
    expect(mapEmailToInbound(await fixture('constructed/xing-message-fr.eml')).inbound.sender).toEqual({ name: 'Benoît Favre', identities: [] });
  });
});
