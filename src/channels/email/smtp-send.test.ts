import { describe, expect, it } from 'vitest';
import { composeReply, rootMessageId, toSendError } from './smtp-send.ts';
import { readEmail } from './sync-message.ts';
import type { EmailConfig } from './imap-connection.ts';

const config: EmailConfig = { imap: { host: 'imap.example.ch', port: 993, secure: 'implicit', user: 'claire' }, ownAddresses: ['claire@atelier-dubois.ch'], fromName: 'Claire Dubois' };
const smtp = { host: 'smtp.example.ch', port: 587, user: 'claire' };

describe('SMTP failures keep the server\'s reason and say whether a retry can help', () => {
  it('535 is a refused login', () => {
    const e = toSendError(Object.assign(new Error('Invalid login'), { code: 'EAUTH', responseCode: 535, response: '535 5.7.8 Error: authentication failed' }), smtp);
    expect(e).toMatchObject({ kind: 'auth_failed', message: 'SMTP login refused for user claire on smtp.example.ch:587: 535 5.7.8 Error: authentication failed' });
  });
  it('4xx and network errors are temporary', () => {
    expect(toSendError(Object.assign(new Error('x'), { responseCode: 421, response: '421 4.7.0 Try again later' }), smtp).kind).toBe('temporary');
    expect(toSendError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNECTION' }), smtp).kind).toBe('temporary');
  });
  it('another 5xx is a refusal that will repeat', () => {
    expect(toSendError(Object.assign(new Error('x'), { responseCode: 552, response: '552 5.3.4 Message too big' }), smtp)).toMatchObject({ kind: 'invalid_payload', message: expect.stringContaining('Message too big') });
  });
});

describe('composing a reply', () => {
  it('threads on the conversation root and the message answered, from the owner\'s address and domain', async () => {
    const r = await composeReply(config, { conversationId: 'c1', threadKey: 'mid:root@example.org', to: [{ kind: 'email', value: 'lea@example.ch', verified: false }], subject: 'Coaching', text: 'Gerne.', inReplyToExternalId: 'last@example.org' });
    const parsed = await readEmail(r.raw, { ownAddresses: config.ownAddresses, receivedAt: null, now: Date.now() });
    expect(parsed.direction).toBe('outbound');
    expect(parsed.sentByPortier).toBe(true);
    expect(parsed.messageId).toMatch(/@atelier-dubois\.ch$/);
    expect(parsed.lookupKeys.slice(0, 2)).toEqual(['mid:last@example.org', 'mid:root@example.org']);
    expect(parsed.inbound.subject).toBe('Re: Coaching');
    expect(r.to).toBe('lea@example.ch');
  });
  it('refuses a contact without an e-mail address', async () => {
    await expect(composeReply(config, { conversationId: 'c1', threadKey: 'mid:x@y', to: [{ kind: 'phone', value: '+41790000000', verified: true }], text: 'x' })).rejects.toMatchObject({ kind: 'invalid_payload' });
  });
  it('knows which thread keys are Message-IDs', () => {
    expect(rootMessageId('mid:abc@example.org')).toBe('abc@example.org');
    expect(rootMessageId('mid:sha256:00ff')).toBeNull();
    expect(rootMessageId('contact:123')).toBeNull();
  });
});
