import type { TFunction } from 'i18next';
import { describe, expect, it } from 'vitest';
import { subjectText } from './subject.ts';

const t = ((key: string) => `[${key}]`) as unknown as TFunction;

describe('subjectText', () => {
  it('shows the subject when there is one', () => {
    expect(subjectText({ subject: 'Offer', entrance: { kind: 'webform' } }, t)).toBe('Offer');
  });
  it('says "(no subject)" only for e-mail, where a subject is expected', () => {
    expect(subjectText({ subject: null, entrance: { kind: 'email' } }, t)).toBe('[inbox.noSubject]');
    expect(subjectText({ subject: '  ', entrance: { kind: 'email' } }, t)).toBe('[inbox.noSubject]');
  });
  it('shows nothing for channels without subjects', () => {
    for (const kind of ['webform', 'phone', 'webhook', 'whatsapp', 'manual'] as const) {
      expect(subjectText({ subject: null, entrance: { kind } }, t)).toBeNull();
    }
  });
});
