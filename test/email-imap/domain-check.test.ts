// "Check SPF, DKIM and DMARC" against a real DNS server on loopback (test/support/dns-server.ts)
// serving a zone per test, and the private Dovecot for the DKIM selector read from the sent folder.
// Every proposed record is published and checked again: a fix that does not fix fails the test.
import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSenderDomain, type DomainCheckOptions, type DomainCheckReport } from '../../src/channels/email/domain-check.ts';
import type { EmailConfig } from '../../src/channels/email/imap-connection.ts';
import { startDnsServer, type TestDnsServer, type Zone } from '../support/dns-server.ts';
import { appendMails, buildMail, dovecotAvailable, IMAP_PASSWORD, IMAP_PORT, newMailUser } from './support.ts';

const DOMAIN = 'atelier-dubois.ch';
const ADDRESS = `claire@${DOMAIN}`;
const SMTP = 'smtp.mailhost.example';
const hasDovecot = dovecotAvailable();

const rsa = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits });
const publicKeyOf = (pair: ReturnType<typeof rsa>) => pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

let dns: TestDnsServer;
let key2048: ReturnType<typeof rsa>;
let key1024: ReturnType<typeof rsa>;

beforeAll(async () => {
  dns = await startDnsServer();
  key2048 = rsa(2048);
  key1024 = rsa(1024);
});
afterAll(async () => dns?.close());

function config(over: Partial<EmailConfig> = {}, user = 'nobody'): EmailConfig {
  return {
    imap: { host: '127.0.0.1', port: IMAP_PORT, secure: 'none', user, password: IMAP_PASSWORD },
    smtp: { host: SMTP, port: 587, secure: 'starttls', user: ADDRESS, password: 'x' },
    ownAddresses: [ADDRESS],
    ...over,
  };
}

/** A domain with everything right: SPF lists the provider, a 2048-bit key, DMARC p=reject. */
function goodZone(over: Zone = {}): Zone {
  return {
    [DOMAIN]: { TXT: ['v=spf1 include:_spf.mailhost.example -all', 'google-site-verification=abc123'], MX: [{ priority: 10, exchange: 'mx.mailhost.example' }] },
    [SMTP]: { A: ['192.0.2.25'], AAAA: ['2001:db8::25'] },
    'mx.mailhost.example': { A: ['192.0.2.30'] },
    '_spf.mailhost.example': { TXT: ['v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all'] },
    '_spf.google.com': { TXT: ['v=spf1 ip4:203.0.113.0/24 ~all'] },
    [`default._domainkey.${DOMAIN}`]: { TXT: [`v=DKIM1; k=rsa; p=${publicKeyOf(key2048)}`] },
    [`_dmarc.${DOMAIN}`]: { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@atelier-dubois.ch'] },
    ...over,
  };
}

async function check(zone: Zone, over: Partial<EmailConfig> = {}, options: DomainCheckOptions = {}): Promise<DomainCheckReport> {
  dns.zone = zone;
  dns.queries.length = 0;
  return checkSenderDomain(config(over), { dns: { servers: [dns.address], timeoutMs: 300, tries: 1 }, readSentFolder: false, ...options });
}

/** Publishes the record a finding proposes in place of what it replaces. */
function publish(zone: Zone, fix: NonNullable<DomainCheckReport['spf']['fix']>): Zone {
  const entry = zone[fix.name] ?? {};
  const kept = (entry.TXT ?? []).filter((r) => !(fix.replaces ?? []).includes(typeof r === 'string' ? r : r.join('')));
  return { ...zone, [fix.name]: { ...entry, TXT: [...kept, fix.value] } };
}

describe('SPF', () => {
  it('all good: the SMTP server is listed, the key is strong, DMARC rejects forgeries and the own mail passes', async () => {
    const r = await check(goodZone());
    expect(r).toMatchObject({ address: ADDRESS, domain: DOMAIN, organizationalDomain: DOMAIN, provider: null, smtpHost: SMTP });
    expect(r.spf).toMatchObject({ status: 'ok', code: 'spf_pass', records: ['v=spf1 include:_spf.mailhost.example -all'], lookups: 1, passes: true });
    expect(r.spf.addresses).toEqual([{ address: '192.0.2.25', result: 'pass' }, { address: '2001:db8::25', result: 'pass' }]);
    expect(r.spf.summary).toBe(`${SMTP} may send for ${DOMAIN}: SPF passes.`);
    expect(r.spf.explanation).toContain('It ends in -all: receivers may refuse mail from servers it does not list.');
    expect(r.dkim).toMatchObject({ status: 'ok', code: 'dkim_key_found', selector: 'default', signingDomain: DOMAIN, source: 'usual-selector', keyType: 'rsa', keyBits: 2048 });
    expect(r.dmarc).toMatchObject({ status: 'ok', code: 'dmarc_ok', policy: 'reject', recordName: `_dmarc.${DOMAIN}`, alignment: { spf: 'pass', dkim: 'pass' }, wouldPass: true });
    for (const f of [r.spf, r.dkim, r.dmarc]) expect(f.fix).toBeUndefined();
  });

  it('no SPF record: a problem, with the record to add naming the provider\'s include — which then passes', async () => {
    const zone = goodZone({ [DOMAIN]: { TXT: ['google-site-verification=abc123'] } });
    const r = await check(zone);
    expect(r.spf).toMatchObject({ status: 'problem', code: 'spf_missing', summary: `${DOMAIN} has no SPF record.`, records: [], passes: null });
    expect(r.spf.fix).toEqual({ action: 'add', name: DOMAIN, type: 'TXT', value: 'v=spf1 include:_spf.mailhost.example ~all' });
    expect((await check(publish(zone, r.spf.fix!))).spf).toMatchObject({ status: 'ok', code: 'spf_pass' });
  });

  it('a record that only looks like SPF is named, and replaced', async () => {
    const r = await check(goodZone({ [DOMAIN]: { TXT: ['spf1 include:_spf.mailhost.example -all'] } }));
    expect(r.spf).toMatchObject({ status: 'problem', code: 'spf_missing', records: ['spf1 include:_spf.mailhost.example -all'] });
    expect(r.spf.explanation).toContain('must start with exactly "v=spf1"');
    expect(r.spf.fix).toMatchObject({ action: 'replace', replaces: ['spf1 include:_spf.mailhost.example -all'] });
  });

  it('two SPF records: one record holding both (and the SMTP server) replaces them', async () => {
    const two = ['v=spf1 include:_spf.google.com ~all', 'v=spf1 mx -all'];
    const zone = goodZone({ [DOMAIN]: { TXT: two, MX: [{ priority: 10, exchange: 'mx.mailhost.example' }] } });
    const r = await check(zone);
    expect(r.spf).toMatchObject({ status: 'problem', code: 'spf_multiple', summary: `${DOMAIN} has 2 SPF records; only one is allowed.`, records: two });
    expect(r.spf.fix).toEqual({ action: 'replace', name: DOMAIN, type: 'TXT', value: 'v=spf1 include:_spf.google.com mx include:_spf.mailhost.example ~all', replaces: two });
    expect((await check(publish(zone, r.spf.fix!))).spf).toMatchObject({ status: 'ok', code: 'spf_pass' });
  });

  it('SPF that does not cover the SMTP server, ending in -all: a problem, and the include to add', async () => {
    const zone = goodZone({ [DOMAIN]: { TXT: ['v=spf1 include:_spf.google.com -all'] } });
    const r = await check(zone);
    expect(r.spf).toMatchObject({ status: 'problem', code: 'spf_fail', passes: false, summary: `${SMTP} is not listed in the SPF record of ${DOMAIN} (SPF fail).` });
    expect(r.spf.addresses.map((a) => a.result)).toEqual(['fail', 'fail']);
    expect(r.spf.explanation).toContain(`Add include:_spf.mailhost.example to the SPF record of ${DOMAIN}, or your mail may be refused or land in spam.`);
    expect(r.spf.fix).toEqual({ action: 'replace', name: DOMAIN, type: 'TXT', value: 'v=spf1 include:_spf.google.com include:_spf.mailhost.example -all', replaces: ['v=spf1 include:_spf.google.com -all'] });
    expect((await check(publish(zone, r.spf.fix!))).spf.code).toBe('spf_pass');
  });

  it('the same ending in ~all is a softfail: a warning, mail lands in spam rather than being refused', async () => {
    const r = await check(goodZone({ [DOMAIN]: { TXT: ['v=spf1 include:_spf.google.com ~all'] } }));
    expect(r.spf).toMatchObject({ status: 'warning', code: 'spf_softfail' });
    expect(r.spf.explanation).toContain('the record ends in ~all, so receivers treat it as suspicious and it may land in spam.');
    expect(r.spf.explanation).toContain(`Add include:_spf.mailhost.example to the SPF record of ${DOMAIN}, or your mail may land in spam.`);
  });

  it('when the server is listed, ~all and -all are both fine, each explained', async () => {
    const soft = await check(goodZone({ [DOMAIN]: { TXT: ['v=spf1 include:_spf.mailhost.example ~all'] } }));
    expect(soft.spf).toMatchObject({ status: 'ok', code: 'spf_pass' });
    expect(soft.spf.explanation).toContain('It ends in ~all: receivers treat mail from servers it does not list as suspicious');
    const hard = await check(goodZone());
    expect(hard.spf.explanation).toContain('It ends in -all: receivers may refuse mail');
  });

  it('+all lets anyone send: a problem, with ~all proposed', async () => {
    const r = await check(goodZone({ [DOMAIN]: { TXT: ['v=spf1 include:_spf.mailhost.example +all'] } }));
    expect(r.spf).toMatchObject({ status: 'problem', code: 'spf_allows_anyone', passes: true });
    expect(r.spf.fix?.value).toBe('v=spf1 include:_spf.mailhost.example ~all');
  });

  it('?all or no "all" tells receivers nothing about other servers: a warning', async () => {
    expect((await check(goodZone({ [DOMAIN]: { TXT: ['v=spf1 include:_spf.mailhost.example ?all'] } }))).spf).toMatchObject({ status: 'warning', code: 'spf_neutral_all', fix: { value: 'v=spf1 include:_spf.mailhost.example ~all' } });
    expect((await check(goodZone({ [DOMAIN]: { TXT: ['v=spf1 include:_spf.mailhost.example'] } }))).spf).toMatchObject({ status: 'warning', code: 'spf_no_all', fix: { value: 'v=spf1 include:_spf.mailhost.example ~all' } });
  });

  it('an include loop is named hop by hop', async () => {
    const r = await check(
      goodZone({
        [DOMAIN]: { TXT: [`v=spf1 include:spf-a.${DOMAIN} -all`] },
        [`spf-a.${DOMAIN}`]: { TXT: [`v=spf1 include:spf-b.${DOMAIN} -all`] },
        [`spf-b.${DOMAIN}`]: { TXT: [`v=spf1 ip4:198.51.100.1 include:spf-a.${DOMAIN} -all`] },
      }),
    );
    expect(r.spf).toMatchObject({ status: 'problem', code: 'spf_include_loop' });
    expect(r.spf.explanation).toContain(`(${DOMAIN} → spf-a.${DOMAIN} → spf-b.${DOMAIN} → spf-a.${DOMAIN})`);
    // Bounded: the loop is not followed round and round.
    expect(dns.queries.filter((q) => q.name === `spf-a.${DOMAIN}` && q.type === 'TXT').length).toBeLessThanOrEqual(2);
  });

  it('more than 10 DNS lookups: a problem, even when the SMTP server is listed before the limit is reached', async () => {
    const includes: Zone = {};
    for (let i = 1; i <= 11; i++) includes[`s${i}.spf.${DOMAIN}`] = { TXT: [`v=spf1 ip4:198.51.100.${i} -all`] };
    const names = Object.keys(includes).map((n) => `include:${n}`).join(' ');
    const r = await check(goodZone({ ...includes, [DOMAIN]: { TXT: [`v=spf1 include:_spf.mailhost.example ${names} -all`] } }));
    expect(r.spf).toMatchObject({ status: 'problem', code: 'spf_too_many_lookups', summary: `The SPF record of ${DOMAIN} needs more than 10 DNS lookups.` });
    expect(r.spf.lookups).toBeGreaterThan(10);
  });

  it('an include that points nowhere, and a malformed term, are each named', async () => {
    const nowhere = await check(goodZone({ [DOMAIN]: { TXT: ['v=spf1 include:_spf.mailhost.example include:spf.gone.example -all'] } }));
    expect(nowhere.spf).toMatchObject({ status: 'problem', code: 'spf_include_missing', summary: `"include:spf.gone.example" in the SPF record of ${DOMAIN} points to no SPF record.` });
    expect(nowhere.spf.explanation).toContain('That name does not exist in DNS');
    const typo = await check(goodZone({ [DOMAIN]: { TXT: ['v=spf1 inclde:_spf.mailhost.example -all'] } }));
    expect(typo.spf).toMatchObject({ status: 'problem', code: 'spf_syntax' });
    expect(typo.spf.explanation).toContain('"inclde:_spf.mailhost.example" is not an SPF mechanism');
  });

  it('an SMTP server on a private network: only the record is judged, and the owner is told why', async () => {
    const r = await check(goodZone({ [SMTP]: { A: ['10.0.0.25'] } }));
    expect(r.spf).toMatchObject({ status: 'ok', code: 'spf_record_ok', passes: null, addresses: [{ address: '10.0.0.25', result: 'not checked', note: 'private address' }] });
    expect(r.spf.explanation).toContain('is on a private network');
  });

  it('without an SMTP server the record is still checked', async () => {
    const r = await check(goodZone(), { smtp: undefined });
    expect(r.spf).toMatchObject({ status: 'ok', code: 'spf_record_ok', smtpHost: null, passes: null });
    expect(r.spf.explanation).toContain('No outgoing (SMTP) server is set');
    expect(r.dmarc.alignment).toEqual({ spf: 'unknown', dkim: 'pass' });
  });
});

describe('DKIM', () => {
  it('DKIM missing: a problem that says where Portier looked and what to do', async () => {
    const zone = goodZone();
    delete zone[`default._domainkey.${DOMAIN}`];
    const r = await check(zone);
    expect(r.dkim).toMatchObject({ status: 'problem', code: 'dkim_not_found', summary: `No DKIM key found for ${DOMAIN}.`, selector: null });
    expect(r.dkim.explanation).toContain('Turn on DKIM signing for atelier-dubois.ch at your mail provider');
    expect(r.dmarc.alignment).toEqual({ spf: 'pass', dkim: 'fail' });
  });

  it('a 1024-bit key works, with advice to move to 2048; a revoked or damaged key is a problem', async () => {
    const short = await check(goodZone({ [`default._domainkey.${DOMAIN}`]: { TXT: [`v=DKIM1; k=rsa; p=${publicKeyOf(key1024)}`] } }));
    expect(short.dkim).toMatchObject({ status: 'warning', code: 'dkim_key_short', keyBits: 1024 });
    expect(short.dkim.explanation).toContain('create a 2048-bit key');
    expect(short.dmarc.alignment.dkim).toBe('pass');
    const revoked = await check(goodZone({ [`default._domainkey.${DOMAIN}`]: { TXT: ['v=DKIM1; k=rsa; p='] } }));
    expect(revoked.dkim).toMatchObject({ status: 'problem', code: 'dkim_key_revoked' });
    expect(revoked.dmarc.alignment.dkim).toBe('fail');
    const cut = await check(goodZone({ [`default._domainkey.${DOMAIN}`]: { TXT: [`v=DKIM1; k=rsa; p=${publicKeyOf(key2048).slice(0, 200)}`] } }));
    expect(cut.dkim).toMatchObject({ status: 'problem', code: 'dkim_key_invalid' });
  });

  it('a key published as several strings (as long keys are) is read whole', async () => {
    const record = `v=DKIM1; k=rsa; p=${publicKeyOf(key2048)}`;
    const r = await check(goodZone({ [`default._domainkey.${DOMAIN}`]: { TXT: [[record.slice(0, 255), record.slice(255)]] } }));
    expect(r.dkim).toMatchObject({ status: 'ok', keyBits: 2048 });
    // A 2048-bit key does not fit a plain UDP answer: the resolver retried over TCP.
    expect(dns.queries).toContainEqual({ name: `default._domainkey.${DOMAIN}`, type: 'TXT', transport: 'tcp' });
  });

  it('a key in testing mode: a warning, and the record without t=y', async () => {
    const record = `v=DKIM1; t=y; k=rsa; p=${publicKeyOf(key2048)}`;
    const r = await check(goodZone({ [`default._domainkey.${DOMAIN}`]: { TXT: [record] } }));
    expect(r.dkim).toMatchObject({ status: 'warning', code: 'dkim_testing', fix: { action: 'replace', name: `default._domainkey.${DOMAIN}`, value: `v=DKIM1; k=rsa; p=${publicKeyOf(key2048)}` } });
  });
});

describe('DMARC', () => {
  it('p=none: watch-only explained, and p=quarantine proposed since the own mail passes', async () => {
    const r = await check(goodZone({ [`_dmarc.${DOMAIN}`]: { TXT: ['v=DMARC1; p=none; rua=mailto:dmarc@atelier-dubois.ch'] } }));
    expect(r.dmarc).toMatchObject({ status: 'warning', code: 'dmarc_monitor_only', policy: 'none', wouldPass: true });
    expect(r.dmarc.explanation).toContain('p=none means receivers only watch: mail that fails the checks is still delivered as usual.');
    expect(r.dmarc.fix).toEqual({ action: 'replace', name: `_dmarc.${DOMAIN}`, type: 'TXT', value: 'v=DMARC1; p=quarantine; rua=mailto:dmarc@atelier-dubois.ch', replaces: ['v=DMARC1; p=none; rua=mailto:dmarc@atelier-dubois.ch'] });
  });

  it('p=reject while neither SPF nor DKIM passes: the owner\'s own mail would be refused', async () => {
    const zone = goodZone({ [DOMAIN]: { TXT: ['v=spf1 include:_spf.google.com -all'] } });
    delete zone[`default._domainkey.${DOMAIN}`];
    const r = await check(zone);
    expect(r.dmarc).toMatchObject({ status: 'problem', code: 'dmarc_would_fail', policy: 'reject', alignment: { spf: 'fail', dkim: 'fail' }, wouldPass: false });
    expect(r.dmarc.summary).toBe(`${DOMAIN} asks receivers to refuse mail that fails DMARC — and yours would fail.`);
  });

  it('DMARC missing: a warning with the harmless record to add', async () => {
    const zone = goodZone();
    delete zone[`_dmarc.${DOMAIN}`];
    const r = await check(zone);
    expect(r.dmarc).toMatchObject({ status: 'warning', code: 'dmarc_missing', fix: { action: 'add', name: `_dmarc.${DOMAIN}`, type: 'TXT', value: 'v=DMARC1; p=none' } });
    expect((await check(publish(zone, r.dmarc.fix!))).dmarc.code).toBe('dmarc_monitor_only');
  });

  it('a malformed record: each mistake named, and the corrected record', async () => {
    const zone = goodZone({ [`_dmarc.${DOMAIN}`]: { TXT: ['v=DMARC1 p=reject rua=mailto:dmarc@atelier-dubois.ch'] } });
    const r = await check(zone);
    expect(r.dmarc).toMatchObject({ status: 'problem', code: 'dmarc_malformed', fix: { action: 'replace', value: 'v=DMARC1; p=reject; rua=mailto:dmarc@atelier-dubois.ch' } });
    expect(r.dmarc.explanation).toContain('tags must be separated by semicolons (;)');
    expect((await check(publish(zone, r.dmarc.fix!))).dmarc.code).toBe('dmarc_ok');
    const noPolicy = await check(goodZone({ [`_dmarc.${DOMAIN}`]: { TXT: ['v=DMARC1; pct=20'] } }));
    expect(noPolicy.dmarc).toMatchObject({ code: 'dmarc_malformed', fix: { value: 'v=DMARC1; p=none; pct=20' } });
  });

  it('two DMARC records count as none', async () => {
    const r = await check(goodZone({ [`_dmarc.${DOMAIN}`]: { TXT: ['v=DMARC1; p=reject', 'v=DMARC1; p=none'] } }));
    expect(r.dmarc).toMatchObject({ status: 'problem', code: 'dmarc_multiple', fix: { action: 'replace', value: 'v=DMARC1; p=reject', replaces: ['v=DMARC1; p=reject', 'v=DMARC1; p=none'] } });
  });

  it('a subdomain without its own record gets the organisational domain\'s subdomain policy', async () => {
    const sub = `news.${DOMAIN}`;
    const r = await check(
      goodZone({
        [sub]: { TXT: ['v=spf1 include:_spf.mailhost.example -all'] },
        [`_dmarc.${DOMAIN}`]: { TXT: ['v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@atelier-dubois.ch'] },
      }),
      { ownAddresses: [`claire@${sub}`] },
    );
    expect(r).toMatchObject({ domain: sub, organizationalDomain: DOMAIN });
    expect(r.dmarc).toMatchObject({ status: 'ok', recordName: `_dmarc.${DOMAIN}`, policy: 'quarantine', alignment: { spf: 'pass', dkim: 'fail' }, wouldPass: true });
    expect(r.dmarc.explanation).toContain(`${sub} has no record of its own; the one of ${DOMAIN} applies with its subdomain policy sp=quarantine.`);
  });
});

describe('DNS failures are reported as such, never as a missing record', () => {
  it('a DNS server that never answers: all three "unknown", within the timeouts', async () => {
    const started = Date.now();
    const r = await check({ '*': { fail: 'timeout' } });
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const f of [r.spf, r.dkim, r.dmarc]) {
      expect(f.status).toBe('unknown');
      expect(f.code).toMatch(/_dns_error$/);
      expect(f.explanation).toContain('did not answer in time');
      expect(f.explanation).not.toMatch(/\bno (SPF|DKIM|DMARC)\b/i);
      expect(f.fix).toBeUndefined();
    }
  });

  it('only the DMARC name times out: SPF and DKIM are still judged', async () => {
    const r = await check(goodZone({ [`_dmarc.${DOMAIN}`]: { fail: 'timeout' } }));
    expect(r.spf.code).toBe('spf_pass');
    expect(r.dkim.status).toBe('ok');
    expect(r.dmarc).toMatchObject({ status: 'unknown', code: 'dmarc_dns_error', summary: `No answer from DNS for _dmarc.${DOMAIN}: not checked.` });
  });

  it('SERVFAIL is named, with what it usually means', async () => {
    const r = await check(goodZone({ [DOMAIN]: { fail: 'servfail' } }));
    expect(r.spf).toMatchObject({ status: 'unknown', code: 'spf_dns_error', summary: `DNS lookup of ${DOMAIN} failed (SERVFAIL): not checked.` });
    expect(r.spf.explanation).toContain('DNSSEC');
  });

  it('a failing lookup inside an include is a DNS error, not an SPF failure', async () => {
    const r = await check(goodZone({ '_spf.mailhost.example': { fail: 'servfail' } }));
    expect(r.spf.status).toBe('unknown');
    expect(r.spf.code).toBe('spf_dns_error');
  });

  it('a domain that does not exist (NXDOMAIN) says so, for all three', async () => {
    const r = await check(goodZone(), { ownAddresses: ['claire@atelier-dubios.ch'] });
    expect(r.domain).toBe('atelier-dubios.ch');
    for (const f of [r.spf, r.dkim, r.dmarc]) expect(f).toMatchObject({ status: 'problem', code: 'domain_not_found', summary: 'atelier-dubios.ch does not exist in DNS (NXDOMAIN).' });
    // Nothing past the first answer: a domain that does not exist has nothing more to ask about.
    expect(dns.queries).toEqual([{ name: 'atelier-dubios.ch', type: 'TXT', transport: 'udp' }]);
  });

  it('the whole check stops at its deadline, however slow DNS is', async () => {
    dns.zone = { '*': { fail: 'timeout' } };
    const started = Date.now();
    const r = await checkSenderDomain(config(), { dns: { servers: [dns.address], timeoutMs: 5_000, tries: 3 }, deadlineMs: 400, readSentFolder: false });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(r.spf).toMatchObject({ status: 'unknown' });
    expect(r.spf.explanation).toContain('took too long');
  });

  it('a hostile zone (a chain of 50 includes, control characters, a 4 kB record) is handled within bounds', async () => {
    const chain: Zone = {};
    for (let i = 0; i < 50; i++) chain[`c${i}.${DOMAIN}`] = { TXT: [`v=spf1 include:c${i + 1}.${DOMAIN} -all`] };
    const deep = await check(goodZone({ ...chain, [DOMAIN]: { TXT: [`v=spf1 include:c0.${DOMAIN} -all`] } }));
    expect(deep.spf.code).toBe('spf_too_many_lookups');
    expect(dns.queries.length).toBeLessThan(80);
    const weird = await check(goodZone({ [DOMAIN]: { TXT: ['v=spf1 ip4:192.0.2.25 \u0000\u001b[31m -all', `filler=${'x'.repeat(4000)}`] } }));
    expect(weird.spf).toMatchObject({ status: 'problem', code: 'spf_syntax' });
    expect(weird.spf.records).toHaveLength(1);
    const dmarc = await check(goodZone({ [`_dmarc.${DOMAIN}`]: { TXT: [`v=DMARC1; p=reject; rua=${'mailto:a@b.c,'.repeat(300)}`] } }));
    expect(dmarc.dmarc.status).not.toBe('unknown');
  });

  it('an address without a usable domain is refused before any lookup', async () => {
    const r = await check(goodZone(), { ownAddresses: ['claire@localhost'] });
    expect(r.spf).toMatchObject({ status: 'problem', code: 'domain_invalid' });
    expect(dns.queries).toEqual([]);
  });
});

it('a provider\'s domain (gmail.com) gets findings but no record to change', async () => {
  const r = await check({ 'gmail.com': { TXT: ['v=spf1 redirect=_spf.google.com'] }, '_spf.google.com': { TXT: ['v=spf1 ip4:192.0.2.0/24 ~all'] }, [SMTP]: { A: ['192.0.2.25'] } }, { ownAddresses: ['claire.dubois@gmail.com'] });
  expect(r.provider).toBe('Gmail');
  expect(r.spf).toMatchObject({ status: 'ok', code: 'spf_pass' });
  expect(r.dmarc).toMatchObject({ status: 'warning', code: 'dmarc_missing' });
  expect(r.dmarc.fix).toBeUndefined();
  expect(r.dmarc.explanation).toContain('gmail.com belongs to Gmail, so only Gmail can change its records.');
});

describe.skipIf(!hasDovecot)('the DKIM selector from the sent folder (Dovecot)', () => {
  async function signedMail(selector: string, domain: string, privateKey: string): Promise<string> {
    const raw = buildMail({ from: ADDRESS, to: 'anna.meier@example.org', subject: 'Re: Kurs', body: 'Guten Tag Frau Meier' });
    // mailauth signs for each entry of signatureData (the top-level fields alone sign nothing).
    const signer = { signingDomain: domain, selector, privateKey, canonicalization: 'relaxed/relaxed' };
    const { signatures, errors } = await dkimSign(raw, { ...signer, signatureData: [signer] });
    expect(errors).toEqual([]);
    expect(signatures).toMatch(new RegExp(`^DKIM-Signature: .*d=${domain.replace('.', '\\.')};`, 's'));
    return signatures + raw;
  }

  it('reads the selector of a signed message in the sent folder and checks its key', async () => {
    const user = newMailUser('dkim');
    const pem = key2048.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await appendMails(user, 'Sent', [buildMail({ from: ADDRESS }), await signedMail('portier2026', DOMAIN, pem), buildMail({ from: ADDRESS, subject: 'newest, unsigned' })]);
    const zone = goodZone({ [`portier2026._domainkey.${DOMAIN}`]: { TXT: [`v=DKIM1; k=rsa; p=${publicKeyOf(key2048)}`] } });
    delete zone[`default._domainkey.${DOMAIN}`];
    dns.zone = zone;
    dns.queries.length = 0;
    const r = await checkSenderDomain(config({ sentFolder: 'Sent' }, user), { dns: { servers: [dns.address], timeoutMs: 300, tries: 1 } });
    expect(r.dkim).toMatchObject({ status: 'ok', code: 'dkim_ok', selector: 'portier2026', signingDomain: DOMAIN, source: 'sent-folder', keyBits: 2048 });
    expect(r.dkim.sentFolder).toEqual({ folder: 'Sent', messagesRead: 3, signatures: [{ selector: 'portier2026', domain: DOMAIN }], error: null });
    expect(r.dkim.explanation).toContain('the selector "portier2026" read from a signed message in your sent folder');
    // The selector was known: no guessing at the usual ones.
    expect(dns.queries.some((q) => q.name === `google._domainkey.${DOMAIN}`)).toBe(false);
  });

  it('finds the sent folder by its \\Sent mark when the entrance names none', async () => {
    const user = newMailUser('dkim');
    const pem = key2048.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await appendMails(user, 'Sent', [await signedMail('portier2026', DOMAIN, pem)]);
    dns.zone = goodZone({ [`portier2026._domainkey.${DOMAIN}`]: { TXT: [`v=DKIM1; k=rsa; p=${publicKeyOf(key2048)}`] } });
    const r = await checkSenderDomain(config({}, user), { dns: { servers: [dns.address], timeoutMs: 300, tries: 1 } });
    // The test Dovecot marks "Sent" with \Sent (scripts/dovecot-test-server.sh).
    expect(r.dkim).toMatchObject({ code: 'dkim_ok', selector: 'portier2026', sentFolder: { folder: 'Sent', messagesRead: 1 } });
  });

  it('a signed message whose selector has no key: the exact name that is missing', async () => {
    const user = newMailUser('dkim');
    const pem = key2048.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await appendMails(user, 'Sent', [await signedMail('rotated', DOMAIN, pem)]);
    dns.zone = goodZone();
    const r = await checkSenderDomain(config({ sentFolder: 'Sent' }, user), { dns: { servers: [dns.address], timeoutMs: 300, tries: 1 } });
    expect(r.dkim).toMatchObject({ status: 'problem', code: 'dkim_key_missing', summary: `Your mail is signed with selector "rotated", but rotated._domainkey.${DOMAIN} has no key.` });
    // The key under "default" exists but is not the one receivers are told to use.
    expect(r.dmarc.alignment.dkim).toBe('fail');
  });

  it('mail signed only by the provider\'s domain does not count for DMARC', async () => {
    const user = newMailUser('dkim');
    const pem = key2048.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await appendMails(user, 'Sent', [await signedMail('mh1', 'mailhost.example', pem)]);
    const zone = goodZone({ 'mh1._domainkey.mailhost.example': { TXT: [`v=DKIM1; k=rsa; p=${publicKeyOf(key2048)}`] } });
    delete zone[`default._domainkey.${DOMAIN}`];
    dns.zone = zone;
    const r = await checkSenderDomain(config({ sentFolder: 'Sent' }, user), { dns: { servers: [dns.address], timeoutMs: 300, tries: 1 } });
    expect(r.dkim).toMatchObject({ status: 'warning', code: 'dkim_not_aligned', signingDomain: 'mailhost.example', summary: `Your mail is signed, but by mailhost.example, not by ${DOMAIN}.` });
    expect(r.dmarc).toMatchObject({ alignment: { spf: 'pass', dkim: 'fail' }, wouldPass: true });
  });

  it('a sent folder with only unsigned copies: the usual selectors are tried, and the owner is told why that proves nothing', async () => {
    const user = newMailUser('dkim');
    await appendMails(user, 'Sent', [buildMail({ from: ADDRESS }), buildMail({ from: ADDRESS })]);
    dns.zone = goodZone({ [DOMAIN]: { TXT: ['v=spf1 include:_spf.google.com ~all'] } });
    const r = await checkSenderDomain(config({ sentFolder: 'Sent' }, user), { dns: { servers: [dns.address], timeoutMs: 300, tries: 1 } });
    expect(r.dkim).toMatchObject({ status: 'ok', code: 'dkim_key_found', selector: 'default', sentFolder: { folder: 'Sent', messagesRead: 2, signatures: [] } });
    expect(r.dkim.explanation).toContain('The last 2 messages in "Sent" carry no DKIM signature');
    // With SPF failing, DMARC rests on a key nobody saw in use: said so.
    expect(r.dmarc.explanation).toContain('Your own mail would pass DMARC (by DKIM, if your server signs with the key found).');
  });

  it('a sent folder that cannot be read: the usual selectors are tried and the reason is given', async () => {
    dns.zone = goodZone();
    const r = await checkSenderDomain({ ...config({ sentFolder: 'Sent' }, newMailUser('dkim')), imap: { host: '127.0.0.1', port: IMAP_PORT, secure: 'none', user: newMailUser('dkim'), password: 'wrong-password' } }, { dns: { servers: [dns.address], timeoutMs: 300, tries: 1 } });
    expect(r.dkim).toMatchObject({ status: 'ok', code: 'dkim_key_found', selector: 'default' });
    expect(r.dkim.sentFolder?.error).toMatch(/IMAP login refused/);
    expect(r.dkim.explanation).toContain('Portier could not read your sent folder');
  });
});
