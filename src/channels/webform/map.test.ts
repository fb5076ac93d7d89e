import { describe, expect, it } from 'vitest';
import { mapSubmission } from './map.ts';

describe('webform map', () => {
  it('turns a submission into an inbound message keyed by its token, with claimed identities', () => {
    const msg = mapSubmission({ token: 'abcdefghijklmnopqrstuv', name: 'Anna Meier', email: 'anna@example.ch', phone: '079 123 45 67', message: 'Bonjour', preferredReply: 'phone', referral: 'LinkedIn', submittedAt: 1_700_000_000_000 });
    expect(msg).toEqual({
      externalId: 'form:abcdefghijklmnopqrstuv',
      sender: { name: 'Anna Meier', identities: [{ kind: 'email', value: 'anna@example.ch', verified: false }, { kind: 'phone', value: '079 123 45 67', verified: false }] },
      text: 'Bonjour',
      sentAt: 1_700_000_000_000,
      referral: 'LinkedIn',
      preferredReply: 'phone',
    });
  });

  it('leaves out what the visitor did not give', () => {
    const msg = mapSubmission({ token: 'abcdefghijklmnopqrstuv', name: 'A', email: null, phone: '+41791234567', message: 'x', preferredReply: null, referral: null, submittedAt: 1 });
    expect(msg.sender.identities).toEqual([{ kind: 'phone', value: '+41791234567', verified: false }]);
    expect(msg).not.toHaveProperty('referral');
    expect(msg).not.toHaveProperty('preferredReply');
  });
});
