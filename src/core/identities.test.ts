import { describe, expect, it } from 'vitest';
import { normalizeIdentity, normalizeProfileUrl } from './identities.ts';

describe('identity normalisation', () => {
  it('lower-cases and trims e-mail addresses, and drops what is not one', () => {
    expect(normalizeIdentity({ kind: 'email', value: ' Anna.Meier@Example.CH ', verified: true })?.normalized).toBe('anna.meier@example.ch');
    expect(normalizeIdentity({ kind: 'email', value: 'not an address', verified: true })).toBeNull();
  });

  it('writes phone numbers in E.164 whatever national form they come in', () => {
    const forms = ['+41 79 123 45 67', '079 123 45 67', '0041791234567', '+41791234567'];
    expect(new Set(forms.map((v) => normalizeIdentity({ kind: 'phone', value: v, verified: false })?.normalized))).toEqual(new Set(['+41791234567']));
    expect(normalizeIdentity({ kind: 'whatsapp', value: '41791234567', verified: true })).toMatchObject({ kind: 'phone', normalized: '+41791234567' });
    expect(normalizeIdentity({ kind: 'phone', value: '12', verified: false })).toBeNull();
  });

  it('compares profile URLs without scheme, www, tracking query or trailing slash', () => {
    expect(normalizeProfileUrl('https://www.linkedin.com/in/Anna-Meier/?trk=abc')).toBe('linkedin.com/in/anna-meier');
    expect(normalizeProfileUrl('linkedin.com/in/anna-meier')).toBe('linkedin.com/in/anna-meier');
  });
});
