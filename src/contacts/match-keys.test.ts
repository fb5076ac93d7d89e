import { describe, expect, it } from 'vitest';
import { matchKeysOf, nameWords, reasonsBetween } from './match-keys.ts';

const email = (value: string) => ({ kind: 'email', value, value_normalized: value.toLowerCase() });
const linkedin = (value: string, normalized: string) => ({ kind: 'linkedin', value, value_normalized: normalized });

describe('match keys', () => {
  it('a name matches whatever its case, accents and word order', () => {
    expect(nameWords('Dr. Anna MÉIER')).toEqual(['anna', 'meier']);
    const a = matchKeysOf('Anna Méier', []);
    const b = matchKeysOf('meier anna', []);
    expect(reasonsBetween(a, b)).toEqual([{ kind: 'same_name', a: { source: 'name', value: 'Anna Méier' }, b: { source: 'name', value: 'meier anna' } }]);
  });

  it('a name matches the local part of an e-mail address, with or without dots', () => {
    const name = matchKeysOf('Anna Meier', []);
    for (const address of ['anna.meier@example.ch', 'Anna_Meier+news@example.ch', 'annameier@example.ch', 'meier.anna@example.ch', 'meieranna@example.ch']) {
      expect(reasonsBetween(name, matchKeysOf('anna', [email(address)])).map((r) => r.kind), address).toEqual(['name_matches_email']);
    }
    expect(reasonsBetween(name, matchKeysOf('x', [email('ameier@example.ch')]))).toEqual([]);
    const hyphenated = matchKeysOf('Jean-Luc Rochat', []);
    expect(reasonsBetween(hyphenated, matchKeysOf('x', [email('jeanluc.rochat@example.ch')])).map((r) => r.kind)).toEqual(['name_matches_email']);
    expect(reasonsBetween(hyphenated, matchKeysOf('x', [email('jean-luc.rochat@example.ch')])).map((r) => r.kind)).toEqual(['name_matches_email']);
  });

  it('a name matches a LinkedIn profile URL without its number', () => {
    const profile = matchKeysOf('LinkedIn Member', [linkedin('https://www.linkedin.com/in/anna-meier-4b1a2c3', 'linkedin.com/in/anna-meier-4b1a2c3')]);
    const mail = matchKeysOf('A. M.', [email('anna.meier@example.ch')]);
    expect(reasonsBetween(mail, profile).map((r) => r.kind)).toEqual(['similar_addresses']);
    expect(reasonsBetween(matchKeysOf('Meier Anna', []), profile).map((r) => r.kind)).toEqual(['name_matches_profile']);
  });

  it('the same value under two kinds of identity is the same address', () => {
    const a = matchKeysOf('Anna', [{ kind: 'url', value: 'linkedin.com/in/anna', value_normalized: 'linkedin.com/in/anna' }]);
    const b = matchKeysOf('Someone', [linkedin('https://linkedin.com/in/anna/', 'linkedin.com/in/anna')]);
    expect(reasonsBetween(a, b)).toEqual([{ kind: 'same_address', a: { source: 'identity', value: 'linkedin.com/in/anna' }, b: { source: 'identity', value: 'https://linkedin.com/in/anna/' } }]);
  });

  it('placeholders, single words, role mailboxes and sentences are no evidence', () => {
    expect(matchKeysOf('Unknown sender', [])).toEqual([]);
    expect(matchKeysOf('Anna', [])).toEqual([]);
    expect(matchKeysOf('anna.meier@example.ch', [])).toEqual([]);
    expect(matchKeysOf('Hello, I would like to book a course', [])).toEqual([]);
    const roles = ['no.reply@a.ch', 'info.desk@a.ch', 'contact@b.ch', 'newsletter@c.ch'].map((a) => matchKeysOf('x', [email(a)]));
    for (const keys of roles) expect(keys.map((k) => k.source)).toEqual(['identity']);
    // Two single-word mailboxes never meet through their joined key.
    expect(reasonsBetween(matchKeysOf('x', [email('sekretariat1@a.ch')]), matchKeysOf('y', [email('sekretariat1@b.ch')]))).toEqual([]);
  });

  it('the same evidence reads the same whichever order the keys come in (a refresh that changes nothing writes nothing)', () => {
    const a = matchKeysOf('Anna Meier', [email('anna.meier@a.ch'), email('meier.anna@b.ch')]);
    const b = matchKeysOf('Meier Anna', [email('anna.meier@c.ch'), linkedin('linkedin.com/in/anna-meier', 'linkedin.com/in/anna-meier')]);
    const once = JSON.stringify(reasonsBetween(a, b));
    expect(JSON.stringify(reasonsBetween([...a].reverse(), [...b].reverse()))).toBe(once);
    expect(reasonsBetween(a, b).length).toBeGreaterThan(3);
  });

  it('hostile names give bounded keys and no error', () => {
    const long = `${'Ä'.repeat(400)} ${'b'.repeat(400)}`;
    const keys = matchKeysOf(long, [email(`${'x'.repeat(300)}.${'y'.repeat(300)}@example.ch`)]);
    expect(keys.every((k) => k.key.length <= 300 && k.value.length <= 300)).toBe(true);
    expect(matchKeysOf('<b>Anna</b> "Meier"; --', [])[0]?.key).toBe('n:anna meier');
  });
});
