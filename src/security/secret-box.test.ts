import { describe, expect, it } from 'vitest';
import { createSecretBox } from './secret-box.ts';

describe('secret box', () => {
  const box = createSecretBox('k'.repeat(40));

  it('opens what it sealed, and seals the same text differently each time', () => {
    const a = box.seal('imap-pässword');
    expect(box.open(a)).toBe('imap-pässword');
    expect(box.seal('imap-pässword')).not.toBe(a);
    expect(a).not.toContain('imap');
  });

  it('refuses a tampered secret and a different key with a message that says what to do', () => {
    const sealed = box.seal('token');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow(/PORTIER_SECRET_KEY/);
    expect(() => createSecretBox('x'.repeat(40)).open(sealed)).toThrow(/PORTIER_SECRET_KEY/);
  });
});
