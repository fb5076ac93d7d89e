import { describe, expect, it } from 'vitest';
import { buildEml } from './fixtures/build-eml.ts';
import { parseEmail } from './parse-email.ts';
import { isReplySubject, normalizeSubject, threadKeysOf } from './thread-keys.ts';

describe('normalizeSubject', () => {
  it.each([
    ['Re: Workshop im Mai', 'Workshop im Mai'],
    ['AW: WG: Workshop im Mai', 'Workshop im Mai'],
    ['RE : TR: Atelier de mai', 'Atelier de mai'],
    ['R: R: R: I: FR-selca LA selcaE', 'FR-selca LA selcaE'],
    ['Antw: Re[2]: Fwd:  Angebot   Mai', 'Angebot Mai'],
    ['Re^3: Rif: Corso', 'Corso'],
    ['[Kurs] Re: Anmeldung', 'Anmeldung'],
    ['Reise nach Rom', 'Reise nach Rom'],
    ['Reply needed', 'Reply needed'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeSubject(input)).toBe(expected);
  });

  it('tells replies from first messages and forwards', () => {
    expect(isReplySubject('AW: Angebot')).toBe(true);
    expect(isReplySubject('WG: AW: Angebot')).toBe(true);
    expect(isReplySubject('Fwd: Angebot')).toBe(false);
    expect(isReplySubject('Angebot')).toBe(false);
  });
});

describe('threadKeysOf', () => {
  it('In-Reply-To first, then References newest to oldest, normalised, no duplicates, own id excluded', async () => {
    const p = await parseEmail(buildEml({ From: 'Anna <Anna@Example.org>', Subject: 'Re: Workshop', 'Message-ID': '<Own@Example.org>', 'In-Reply-To': '<B@Example.ORG>', References: '<a@example.org> <B@example.org> <own@example.org>' }, 'ok'));
    const keys = threadKeysOf(p);
    expect(keys.candidates).toEqual([
      { key: 'mid:b@example.org', source: 'in-reply-to' },
      { key: 'mid:a@example.org', source: 'references' },
      { key: 'subject:workshop|anna@example.org', source: 'subject' },
    ]);
    expect(keys.newThreadKey).toBe('mid:own@example.org');
    expect(keys.ownKeys).toEqual(['mid:own@example.org', 'mid:b@example.org', 'mid:a@example.org', 'subject:workshop|anna@example.org']);
  });

  it('a first message offers no subject key (unrelated mail with the same subject never joins), but records one for later replies', async () => {
    const p = await parseEmail(buildEml({ From: 'anna@example.org', Subject: 'Workshop', 'Message-ID': '<1@example.org>' }, 'hi'));
    const keys = threadKeysOf(p);
    expect(keys.candidates).toEqual([]);
    expect(keys.ownKeys).toContain('subject:workshop|anna@example.org');
  });

  it('a reply without ids falls back to subject + participant; for the owner’s own mail the participant is the recipient', async () => {
    const inbound = await parseEmail(buildEml({ From: 'anna@example.org', To: 'claire@atelier.example', Subject: 'AW: Workshop im Mai' }, 'ja'));
    expect(threadKeysOf(inbound).candidates).toEqual([{ key: 'subject:workshop im mai|anna@example.org', source: 'subject' }]);
    const outbound = await parseEmail(buildEml({ From: 'claire@atelier.example', To: 'Anna <anna@example.org>', Subject: 'Re: Workshop im Mai' }, 'gerne'));
    expect(threadKeysOf(outbound, { ownAddresses: ['Claire@Atelier.example'] }).candidates[0]!.key).toBe('subject:workshop im mai|anna@example.org');
  });

  it('a message without Message-ID gets a stable id from its bytes', async () => {
    const raw = buildEml({ From: 'anna@example.org', Subject: 'Hallo' }, 'hi');
    const a = threadKeysOf(await parseEmail(raw));
    const b = threadKeysOf(await parseEmail(raw));
    expect(a.ownId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(a.ownId).toBe(b.ownId);
  });
});
