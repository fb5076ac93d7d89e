// The text side of the sender domain check: reading SPF, DKIM and DMARC records and headers, and
// writing the corrected records Portier proposes. The DNS side is tested against a real DNS server
// in test/email-imap/domain-check.test.ts.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sendingDomainOf } from './domain-check.ts';
import { parseDkimKey, signaturesInHeaders, withoutTestingFlag } from './domain-check-dkim-key.ts';
import { isDmarcRecord, parseDmarc, withPolicy } from './domain-check-dmarc-record.ts';
import { allQualifier, isSpfRecord, looksLikeBrokenSpf, mergeSpfRecords, parseSpf, withMechanism } from './domain-check-spf-record.ts';

const rsaKey = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

describe('SPF records', () => {
  it('tells SPF records from other TXT records and from near misses', () => {
    expect(isSpfRecord('v=spf1 -all')).toBe(true);
    expect(isSpfRecord('V=SPF1 mx ~all')).toBe(true);
    expect(isSpfRecord('v=spf10 -all')).toBe(false);
    expect(isSpfRecord('google-site-verification=abc')).toBe(false);
    expect(looksLikeBrokenSpf('spf1 include:_spf.google.com ~all')).toBe(true);
    expect(looksLikeBrokenSpf('"v=spf1 mx ~all"')).toBe(true);
    expect(looksLikeBrokenSpf('google-site-verification=abc')).toBe(false);
  });

  it('names each term receivers would reject', () => {
    expect(parseSpf('v=spf1 include:_spf.google.com ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx/24 -all').errors).toEqual([]);
    const { errors } = parseSpf('v=spf1 inclde:_spf.google.com ip4:192.0.2.300 ip4:192.0.2.0/33 include: all:x redirect=a redirect=b');
    expect(errors).toEqual([
      '"inclde:_spf.google.com" is not an SPF mechanism (known: all, include, a, mx, ip4, ip6, exists, ptr)',
      '"192.0.2.300" is not an IPv4 address',
      '"/33" is not a valid prefix length for ip4',
      '"include:" has an empty value after ":"',
      '"all:x": "all" takes no value',
      'the record has more than one redirect=',
    ]);
  });

  it('reads the qualifier of "all"', () => {
    expect(allQualifier(parseSpf('v=spf1 mx -all').terms)).toBe('-');
    expect(allQualifier(parseSpf('v=spf1 mx ~all').terms)).toBe('~');
    expect(allQualifier(parseSpf('v=spf1 mx all').terms)).toBe('+');
    expect(allQualifier(parseSpf('v=spf1 redirect=_spf.example.net').terms)).toBeNull();
  });

  it('adds a mechanism before "all" or redirect=, once', () => {
    expect(withMechanism('v=spf1 include:_spf.google.com ~all', 'include:_spf.example.net')).toBe('v=spf1 include:_spf.google.com include:_spf.example.net ~all');
    expect(withMechanism('v=spf1  mx   -all', 'a:smtp.example.net')).toBe('v=spf1 mx a:smtp.example.net -all');
    expect(withMechanism('v=spf1 mx redirect=_spf.example.net', 'ip4:192.0.2.1')).toBe('v=spf1 mx ip4:192.0.2.1 redirect=_spf.example.net');
    expect(withMechanism('v=spf1 mx', 'ip4:192.0.2.1')).toBe('v=spf1 mx ip4:192.0.2.1');
    expect(withMechanism('v=spf1 include:_spf.example.net ~all', 'include:_SPF.example.net')).toBe('v=spf1 include:_spf.example.net ~all');
  });

  it('merges two records into one with every mechanism once and one ending', () => {
    expect(mergeSpfRecords(['v=spf1 include:_spf.google.com ~all', 'v=spf1 mx include:_spf.google.com -all'])).toBe('v=spf1 include:_spf.google.com mx ~all');
    expect(mergeSpfRecords(['v=spf1 mx', 'v=spf1 +a'])).toBe('v=spf1 mx +a ~all');
  });
});

describe('DKIM keys and signatures', () => {
  it('reads the selector and domain of every DKIM-Signature, folded or not', () => {
    const headers = [
      'DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=Atelier-Dubois.ch;',
      '\ts=portier2026; t=1764150000; h=from:to:subject;',
      '\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=abc/def==',
      'dkim-signature: v=1; d=mailhost.example; s=mh1; b=xyz',
      '',
    ].join('\r\n');
    expect(signaturesInHeaders(headers)).toEqual([
      { selector: 'portier2026', domain: 'atelier-dubois.ch' },
      { selector: 'mh1', domain: 'mailhost.example' },
    ]);
  });

  it('ignores signatures whose selector or domain could not be a DNS name', () => {
    const hostile = ['DKIM-Signature: d=example.org; s=../../etc', 'DKIM-Signature: d=localhost; s=a', 'DKIM-Signature: d=example.org/x; s=a', `DKIM-Signature: d=example.org; s=${'a'.repeat(300)}`, 'DKIM-Signature: s=only-selector'].join('\r\n');
    expect(signaturesInHeaders(hostile)).toEqual([]);
  });

  it('measures RSA and Ed25519 keys', () => {
    expect(parseDkimKey(`v=DKIM1; k=rsa; p=${rsaKey(2048)}`)).toMatchObject({ error: null, keyType: 'rsa', bits: 2048, revoked: false, testing: false });
    expect(parseDkimKey(`p=${rsaKey(1024)}`)).toMatchObject({ error: null, bits: 1024 });
    const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).subarray(12).toString('base64');
    expect(parseDkimKey(`v=DKIM1; k=ed25519; p=${ed}`)).toMatchObject({ error: null, keyType: 'ed25519', bits: 256 });
  });

  it('joins a key split by whitespace, as long keys are published in several strings', () => {
    const p = rsaKey(2048);
    expect(parseDkimKey(`v=DKIM1; k=rsa; p=${p.slice(0, 200)} ${p.slice(200)}`)).toMatchObject({ error: null, bits: 2048 });
  });

  it('says what is wrong with a key receivers cannot use', () => {
    expect(parseDkimKey('v=DKIM1; p=')).toMatchObject({ revoked: true, error: null });
    expect(parseDkimKey(`v=DKIM1; p=${rsaKey(2048).slice(0, 120)}`).error).toMatch(/damaged/);
    expect(parseDkimKey('v=DKIM1; p=not base64!').error).toMatch(/not valid base64/);
    expect(parseDkimKey('v=DKIM1; k=dsa; p=AAAA').error).toBe('k=dsa is not a key type receivers know (rsa or ed25519)');
    expect(parseDkimKey('k=rsa; v=DKIM1; p=AAAA').error).toBe('the record must start with v=DKIM1 (or leave v= out)');
    expect(parseDkimKey('v=DKIM1; k=rsa').error).toBe('the record has no public key (p=)');
    expect(parseDkimKey(`v=DKIM1; s=tlsrpt; p=${rsaKey(1024)}`).error).toBe('s=tlsrpt says the key is not for e-mail');
    expect(parseDkimKey(`v=DKIM1; t=y; p=${rsaKey(1024)}`).testing).toBe(true);
  });

  it('takes a key out of testing mode and keeps the rest', () => {
    expect(withoutTestingFlag('v=DKIM1; t=y; k=rsa; p=AAAA')).toBe('v=DKIM1; k=rsa; p=AAAA');
    expect(withoutTestingFlag('v=DKIM1; t=y:s; p=AAAA')).toBe('v=DKIM1; t=s; p=AAAA');
  });
});

describe('DMARC records', () => {
  it('reads a valid record', () => {
    expect(parseDmarc('v=DMARC1; p=quarantine; sp=reject; pct=50; rua=mailto:dmarc@example.org,mailto:r@example.net!10m; adkim=s')).toEqual({
      policy: 'quarantine',
      subdomainPolicy: 'reject',
      pct: 50,
      adkim: 's',
      aspf: 'r',
      rua: ['mailto:dmarc@example.org', 'mailto:r@example.net!10m'],
      errors: [],
      ignored: [],
      corrected: null,
    });
    expect(isDmarcRecord('v=DMARC1;p=none')).toBe(true);
    expect(isDmarcRecord('v=DMARC10; p=none')).toBe(false);
  });

  it('names each mistake and proposes the record as it should read', () => {
    expect(parseDmarc('v=DMARC1 p=reject rua=mailto:dmarc@example.org')).toMatchObject({ errors: ['tags must be separated by semicolons (;)'], corrected: 'v=DMARC1; p=reject; rua=mailto:dmarc@example.org' });
    expect(parseDmarc('v=DMARC1; p=rejected; pct=150')).toMatchObject({ errors: ['p=rejected is not a policy (none, quarantine or reject)', 'pct=150 must be a whole number from 0 to 100'], corrected: 'v=DMARC1; p=none' });
    expect(parseDmarc('p=reject; v=DMARC1').errors).toEqual(['the record must start with v=DMARC1']);
    expect(parseDmarc('v=DMARC1; rua=dmarc@example.org').errors).toEqual(['it has no policy (p=none, p=quarantine or p=reject)', '"dmarc@example.org" is not a report address (write mailto:name@example.org)']);
    expect(parseDmarc('v=DMARC1; p=none; p=reject').errors).toEqual(['the tag p= appears twice']);
    expect(parseDmarc('v=DMARC1; p=none; adkim=x').corrected).toBe('v=DMARC1; p=none');
  });

  it('ignores unknown tags without calling the record wrong', () => {
    expect(parseDmarc('v=DMARC1; p=none; foo=bar')).toMatchObject({ errors: [], ignored: ['foo'] });
  });

  it('changes the policy and keeps the rest as written', () => {
    expect(withPolicy('v=DMARC1; p=none; rua=mailto:d@example.org', 'quarantine')).toBe('v=DMARC1; p=quarantine; rua=mailto:d@example.org');
    expect(withPolicy('v=DMARC1;p=none', 'reject')).toBe('v=DMARC1;p=reject');
  });
});

describe('the sending domain', () => {
  it('is the domain of the address, in the form DNS uses', () => {
    expect(sendingDomainOf('Claire@Atelier-Dubois.CH')).toBe('atelier-dubois.ch');
    expect(sendingDomainOf('claire@zürich-coaching.ch')).toBe('xn--zrich-coaching-gsb.ch');
    expect(sendingDomainOf('claire@example.org.')).toBe('example.org');
  });

  it('is refused when it could not be one', () => {
    for (const bad of ['claire', 'claire@', 'claire@localhost', 'claire@exa mple.org', 'claire@-x.org', `claire@${'a'.repeat(64)}.org`, 'claire@example..org']) expect(sendingDomainOf(bad), bad).toBeNull();
  });
});
