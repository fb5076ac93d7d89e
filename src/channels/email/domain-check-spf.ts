// SPF for the sending domain: is there exactly one record, does it parse, does it stay within the
// 10 DNS lookups receivers allow, and — evaluated by mailauth, for the addresses of the entrance's
// SMTP server — would a receiver let mail from this server through? When not, the finding names
// the mechanism to add (the provider's own SPF include when Portier can find one that covers the
// server) and the whole record as it should read, checked by evaluating it before it is proposed.
import { BlockList, isIP } from 'node:net';
import { spf } from 'mailauth/lib/spf/index.js';
import { getDomain } from 'tldts';
import { DnsLookupError, type DomainDns, type RawResolve } from './domain-check-dns.ts';
import { asDnsFailure, dnsFailureFinding, finding, type DomainFinding } from './domain-check-result.ts';
import { allQualifier, isSpfRecord, LOOKUP_TERMS, looksLikeBrokenSpf, mergeSpfRecords, parseSpf, redirectOf, withMechanism, type SpfMechanism } from './domain-check-spf-record.ts';

export type SpfResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror';

export interface SpfFinding extends DomainFinding {
  /** The outgoing server whose addresses were checked, when the entrance has one. */
  smtpHost: string | null;
  addresses: Array<{ address: string; result: SpfResult | 'not checked'; note?: string }>;
  /** DNS lookups the record needs, of the 10 receivers allow; null when not counted. */
  lookups: number | null;
  /** Whether mail from the SMTP server passes SPF (and so aligns for DMARC: Portier sends with the From address as envelope sender); null when unknown. */
  passes: boolean | null;
}

export interface SpfInput {
  domain: string;
  /** The owner's address: the envelope sender SPF is checked for. */
  sender: string;
  /** The TXT records of the domain, or the failed lookup. */
  apex: string[] | DnsLookupError;
  smtpHost: string | null;
  dns: DomainDns;
}

const LOOKUP_LIMIT = 10;
const MAX_ADDRESSES = 4;

// Addresses a receiver never sees: a relay on the LAN or this machine sends on through another one.
const INTERNAL = new BlockList();
for (const [net, bits] of [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['127.0.0.0', 8], ['169.254.0.0', 16], ['100.64.0.0', 10], ['0.0.0.0', 8]] as const) INTERNAL.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::1', 128], ['fc00::', 7], ['fe80::', 10], ['::', 128]] as const) INTERNAL.addSubnet(net, bits, 'ipv6');

function isInternal(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && INTERNAL.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

// Providers whose SPF include has a different name than a guess from the server name would give.
const KNOWN_INCLUDES: Array<{ host: RegExp; include: string }> = [
  { host: /(^|\.)(gmail|googlemail|google)\.com$/i, include: '_spf.google.com' },
  { host: /(^|\.)(office365|outlook)\.com$/i, include: 'spf.protection.outlook.com' },
  { host: /(^|\.)infomaniak\.(com|ch)$/i, include: 'spf.infomaniak.ch' },
];

/** mailauth's verdict for one address; `record` stands in for the published one (to test a proposal). */
async function evaluate(dns: DomainDns, domain: string, sender: string, ip: string, helo: string | undefined, record?: string): Promise<{ result: SpfResult; comment: string }> {
  const resolver: RawResolve = record === undefined ? dns.raw : async (name, rrtype) => (name.toLowerCase() === domain && rrtype === 'TXT' ? [[record]] : dns.raw(name, rrtype));
  const r = await spf({ sender, ip, helo: helo ?? domain, mta: 'portier', resolver: resolver as never });
  return { result: r.status.result as SpfResult, comment: (r.status as { comment?: string }).comment ?? '' };
}

interface LookupWalk {
  count: number;
  /** Names of a chain of includes that comes back to itself. */
  loop: string[] | null;
  /** An include (or redirect) whose target has no SPF record: receivers call that a permanent error. */
  broken: { term: string; nxdomain: boolean } | null;
}

/** Counts the DNS lookups the record costs, following include: and redirect= (bounded; no evaluation). */
async function walkLookups(dns: DomainDns, domain: string, apexRecord: string): Promise<LookupWalk> {
  const walk: LookupWalk = { count: 0, loop: null, broken: null };
  let fetches = 0;
  const visit = async (name: string, record: string, chain: string[]): Promise<void> => {
    const { terms } = parseSpf(record);
    const hasAll = allQualifier(terms) !== null;
    for (const term of terms) {
      if (walk.loop || walk.broken || walk.count > LOOKUP_LIMIT) return;
      const isLookup = term.kind === 'mechanism' ? LOOKUP_TERMS.has(term.name) : term.name === 'redirect' && !hasAll;
      if (!isLookup) continue;
      walk.count += 1;
      const target = term.kind === 'mechanism' ? (term.name === 'include' ? term.value : null) : term.value;
      // Targets built from macros (%{i}…) depend on the message; they cost their lookup, no more.
      if (!target || target.includes('%')) continue;
      const next = target.toLowerCase().replace(/\.$/, '');
      if (next === name || chain.includes(next)) {
        walk.loop = [...chain, name, next];
        return;
      }
      if (++fetches > 3 * LOOKUP_LIMIT) return;
      const answer = await dns.txt(next);
      const spfRecords = answer.records.filter(isSpfRecord);
      if (spfRecords.length !== 1) {
        walk.broken = { term: term.raw, nxdomain: answer.nxdomain };
        return;
      }
      await visit(next, spfRecords[0]!, [...chain, name]);
    }
  };
  await visit(domain, apexRecord, []);
  return walk;
}

/** The mechanism that lets the SMTP server send: the provider's include when one covers it, else a:host. */
async function suggestMechanism(dns: DomainDns, domain: string, host: string, addresses: string[]): Promise<{ mechanism: string; verified: boolean }> {
  const family = isIP(host);
  if (family) return { mechanism: `${family === 6 ? 'ip6' : 'ip4'}:${host}`, verified: true };
  const hostOrg = getDomain(host, { allowPrivateDomains: true }) ?? host;
  // The domain's own server: naming it is the whole fix.
  if (hostOrg === (getDomain(domain, { allowPrivateDomains: true }) ?? domain)) return { mechanism: `a:${host}`, verified: true };
  const known = KNOWN_INCLUDES.find((k) => k.host.test(host))?.include;
  const candidates = [...new Set([known, `_spf.${hostOrg}`, `spf.${hostOrg}`, `_spf.${host}`, hostOrg].filter((c): c is string => Boolean(c)))];
  for (const candidate of candidates) {
    try {
      const answer = await dns.txt(candidate);
      if (answer.records.filter(isSpfRecord).length !== 1) continue;
      // Evaluated as a record of the sender's domain that includes the candidate: exactly what is proposed
      // (and mailauth refuses "_spf.…" as a sender domain).
      const verdicts = await Promise.all(addresses.map((ip) => evaluate(dns, domain, `postmaster@${domain}`, ip, host, `v=spf1 include:${candidate} -all`)));
      if (verdicts.every((v) => v.result === 'pass')) return { mechanism: `include:${candidate}`, verified: true };
    } catch (err) {
      asDnsFailure(err); // an unanswered candidate is simply not proposed
    }
  }
  return known ? { mechanism: `include:${known}`, verified: false } : { mechanism: `a:${host}`, verified: true };
}

const ALL_MEANING: Record<SpfMechanism['qualifier'], string> = {
  '-': 'It ends in -all: receivers may refuse mail from servers it does not list.',
  '~': 'It ends in ~all: receivers treat mail from servers it does not list as suspicious (usually spam).',
  '?': 'It ends in ?all, which tells receivers nothing about other servers: anyone can send mail in your name without SPF objecting. Use ~all.',
  '+': 'It ends in +all, which allows every server in the world to send mail in your name. Use ~all instead.',
};

function endingAdvice(record: string, terms: ReturnType<typeof parseSpf>['terms']): { status: 'ok' | 'warning' | 'problem'; code: string | null; text: string; fix?: string } {
  const q = allQualifier(terms);
  if (q === null) {
    if (redirectOf(terms)) return { status: 'ok', code: null, text: `It hands the rest over to ${redirectOf(terms)} (redirect=).` };
    return { status: 'warning', code: 'spf_no_all', text: 'It does not end in ~all or -all, so it tells receivers nothing about other servers: anyone can send mail in your name without SPF objecting.', fix: `${record.trim()} ~all` };
  }
  if (q === '+') return { status: 'problem', code: 'spf_allows_anyone', text: ALL_MEANING['+'], fix: record.trim().replace(/(^|\s)\+?all(\s|$)/i, '$1~all$2') };
  if (q === '?') return { status: 'warning', code: 'spf_neutral_all', text: ALL_MEANING['?'], fix: record.trim().replace(/(^|\s)\?all(\s|$)/i, '$1~all$2') };
  return { status: 'ok', code: null, text: ALL_MEANING[q] };
}

export async function checkSpf(input: SpfInput): Promise<SpfFinding> {
  const { domain, sender, dns, smtpHost } = input;
  const base = { smtpHost, addresses: [] as SpfFinding['addresses'], lookups: null as number | null, passes: null as boolean | null };
  const out = (f: DomainFinding, extra: Partial<typeof base> = {}): SpfFinding => ({ ...f, ...base, ...extra });
  if (input.apex instanceof DnsLookupError) return out(dnsFailureFinding('spf', input.apex));

  // The SMTP server's addresses: the ones a receiver will see (unless the server relays on).
  let addresses: string[] = [];
  let hostFailure: DnsLookupError | null = null;
  if (smtpHost) {
    try {
      addresses = isIP(smtpHost) ? [smtpHost] : (await dns.addresses(smtpHost)).slice(0, MAX_ADDRESSES);
    } catch (err) {
      hostFailure = asDnsFailure(err);
    }
  }
  const publicAddresses = addresses.filter((a) => !isInternal(a));
  // Finding the provider's include costs lookups: only done when a fix is to be proposed.
  const suggest = async () => (smtpHost && publicAddresses.length ? suggestMechanism(dns, domain, smtpHost, publicAddresses) : null);
  const via = smtpHost ? `${smtpHost}${addresses.length ? ` (${addresses.join(', ')})` : ''}` : '';

  const records = input.apex.filter(isSpfRecord);
  const broken = input.apex.filter(looksLikeBrokenSpf);

  if (records.length === 0) {
    const brokenNote = broken.length ? ` There is a TXT record that looks like one ("${broken[0]}"), but receivers ignore it: an SPF record must start with exactly "v=spf1".` : '';
    const suggestion = await suggest();
    const value = suggestion ? `v=spf1 ${suggestion.mechanism} ~all` : null;
    return out(
      finding(
        'problem',
        'spf_missing',
        `${domain} has no SPF record.`,
        `Receivers check SPF to see which servers may send mail from @${domain}. Without a record, your mail is more likely to land in spam.${brokenNote} ${
          value ? `Add a TXT record to ${domain} that lists the server you send through${suggestion && !suggestion.verified ? ' (your provider\'s usual SPF include; check its help pages)' : ''}.` : 'Ask your mail provider which SPF "include:" to use, and add a TXT record "v=spf1 include:… ~all" to ' + domain + '.'
        }`,
        broken,
        value ? (broken.length ? { action: 'replace', name: domain, type: 'TXT', value, replaces: broken } : { action: 'add', name: domain, type: 'TXT', value }) : undefined,
      ),
    );
  }

  if (records.length > 1) {
    let merged = mergeSpfRecords(records);
    const suggestion = await suggest();
    if (suggestion) {
      const passes = await Promise.all(publicAddresses.map((ip) => evaluate(dns, domain, sender, ip, smtpHost ?? undefined, merged)));
      if (!passes.every((p) => p.result === 'pass')) merged = withMechanism(merged, suggestion.mechanism);
    }
    return out(
      finding(
        'problem',
        'spf_multiple',
        `${domain} has ${records.length} SPF records; only one is allowed.`,
        `With more than one SPF record, receivers cannot tell which one counts and treat SPF as broken (a "permanent error"), so your mail is more likely to land in spam. Replace them with a single record that holds them all.`,
        records,
        { action: 'replace', name: domain, type: 'TXT', value: merged, replaces: records },
      ),
    );
  }

  const record = records[0]!;
  const parsed = parseSpf(record);
  if (parsed.errors.length) {
    return out(
      finding(
        'problem',
        'spf_syntax',
        `The SPF record of ${domain} has an error receivers will not accept.`,
        `Receivers reject the whole record when one part is wrong, and treat SPF as broken: ${parsed.errors.join('; ')}. Correct ${parsed.errors.length === 1 ? 'this part' : 'these parts'} in the record.`,
        [record],
      ),
    );
  }

  let walk: LookupWalk;
  try {
    walk = await walkLookups(dns, domain, record);
  } catch (err) {
    return out(dnsFailureFinding('spf', asDnsFailure(err), [record]));
  }
  base.lookups = walk.count;
  if (walk.loop) {
    return out(
      finding(
        'problem',
        'spf_include_loop',
        `The SPF record of ${domain} includes itself in a loop.`,
        `Following its includes leads back where it started (${walk.loop.join(' → ')}). Receivers give up after 10 DNS lookups and treat SPF as broken. Remove the include that points back.`,
        [record],
      ),
    );
  }
  if (walk.count > LOOKUP_LIMIT) {
    return out(
      finding(
        'problem',
        'spf_too_many_lookups',
        `The SPF record of ${domain} needs more than ${LOOKUP_LIMIT} DNS lookups.`,
        `Receivers stop after ${LOOKUP_LIMIT} lookups (each include:, a, mx, ptr, exists and redirect= costs one, including those inside the includes) and then treat SPF as broken. Remove includes for services you no longer use, or replace "a" and "mx" by the server addresses (ip4:, ip6:), which cost none.`,
        [record],
      ),
    );
  }
  if (walk.broken) {
    return out(
      finding(
        'problem',
        'spf_include_missing',
        `"${walk.broken.term}" in the SPF record of ${domain} points to no SPF record.`,
        `${walk.broken.nxdomain ? 'That name does not exist in DNS' : 'That name has no single SPF record'}, and receivers treat SPF as broken when an include cannot be followed. Correct the name (check your provider's help pages) or remove it.`,
        [record],
      ),
    );
  }

  const ending = endingAdvice(record, parsed.terms);
  const lookupsNote = walk.count >= 8 ? ` It already needs ${walk.count} of the ${LOOKUP_LIMIT} DNS lookups receivers allow: add includes with care.` : '';

  // Without a server to check, only the record itself can be judged.
  if (!smtpHost || hostFailure || publicAddresses.length === 0) {
    if (hostFailure) return out(dnsFailureFinding('spf', hostFailure, [record]));
    const why = !smtpHost
      ? 'No outgoing (SMTP) server is set for this entrance, so Portier could not check whether the server you send through is listed.'
      : addresses.length === 0
        ? `The outgoing server ${smtpHost} has no address in DNS, so Portier could not check whether it is listed: check the server name with "Test connection".`
        : `The outgoing server ${via} is on a private network: receivers see the address of whatever relays your mail on, which Portier cannot know, so only the record itself was checked.`;
    const status = ending.status === 'problem' ? 'problem' : ending.status === 'warning' ? 'warning' : smtpHost && addresses.length === 0 ? 'unknown' : 'ok';
    return out(
      finding(status, ending.code ?? (smtpHost && addresses.length === 0 ? 'spf_smtp_unresolved' : 'spf_record_ok'), `${domain} has an SPF record${status === 'ok' ? ' that parses' : ''}.`, `${ending.text}${lookupsNote} ${why}`, [record], ending.fix ? { action: 'replace', name: domain, type: 'TXT', value: ending.fix, replaces: [record] } : undefined),
      { addresses: addresses.map((address) => ({ address, result: 'not checked' as const, ...(isInternal(address) ? { note: 'private address' } : {}) })) },
    );
  }

  const verdicts = await Promise.all(publicAddresses.map(async (address) => ({ address, ...(await evaluate(dns, domain, sender, address, smtpHost)) })));
  base.addresses = [
    ...verdicts.map((v) => ({ address: v.address, result: v.result })),
    ...addresses.filter(isInternal).map((address) => ({ address, result: 'not checked' as const, note: 'private address' })),
  ];
  const worst = (['temperror', 'permerror', 'fail', 'softfail', 'neutral', 'none'] as const).find((r) => verdicts.some((v) => v.result === r)) ?? 'pass';
  base.passes = worst === 'temperror' ? null : worst === 'pass';

  if (worst === 'temperror') {
    const v = verdicts.find((x) => x.result === 'temperror')!;
    return out(finding('unknown', 'spf_dns_error', `SPF could not be evaluated for ${smtpHost}: a DNS lookup failed.`, `While following the SPF record of ${domain}, a name server did not answer (${v.comment.replace(/^portier: /, '')}). Try again in a few minutes; if it keeps happening, a name server of ${domain} or of an included domain is failing.`, [record]));
  }
  if (worst === 'permerror' || worst === 'none') {
    const v = verdicts.find((x) => x.result === worst)!;
    return out(finding('problem', 'spf_permerror', `Receivers would treat the SPF record of ${domain} as broken.`, `Evaluating it for ${smtpHost} ended in a permanent error (${v.comment.replace(/^portier: /, '')}). Receivers then ignore SPF, and your mail is more likely to land in spam.`, [record]));
  }
  if (worst === 'pass') {
    const status = ending.status;
    return out(
      finding(
        status,
        ending.code ?? 'spf_pass',
        `${smtpHost} may send for ${domain}: SPF passes.`,
        `Receivers check SPF to see which servers may send mail from @${domain}; the record lists the server you send through. ${ending.text}${lookupsNote}`,
        [record],
        ending.fix ? { action: 'replace', name: domain, type: 'TXT', value: ending.fix, replaces: [record] } : undefined,
      ),
    );
  }

  // fail, softfail or neutral: the server is not listed. Propose the record that lists it, once
  // mailauth agrees that the proposal passes for every address.
  let fix: DomainFinding['fix'];
  let fixText = '';
  const suggestion = await suggest();
  if (suggestion) {
    const proposal = withMechanism(record, suggestion.mechanism);
    const checks = await Promise.all(publicAddresses.map((ip) => evaluate(dns, domain, sender, ip, smtpHost, proposal)));
    if (checks.every((c) => c.result === 'pass')) {
      fix = { action: 'replace', name: domain, type: 'TXT', value: proposal, replaces: [record] };
      fixText = ` Add ${suggestion.mechanism} to the SPF record of ${domain}, or your mail may ${worst === 'fail' ? 'be refused or ' : ''}land in spam.${suggestion.verified ? '' : ' (This is the usual include of your provider; check its help pages.)'}`;
    }
  }
  if (!fixText) fixText = ` Ask your mail provider which SPF "include:" covers ${smtpHost} and add it to the record of ${domain}.`;
  const meaning: Record<'fail' | 'softfail' | 'neutral', [DomainFinding['status'], string]> = {
    fail: ['problem', 'the record ends in -all, so receivers may refuse it.'],
    softfail: ['warning', 'the record ends in ~all, so receivers treat it as suspicious and it may land in spam.'],
    neutral: ['warning', 'the record neither allows nor forbids it, so SPF does not help your mail.'],
  };
  const [status, consequence] = meaning[worst];
  return out(
    finding(status, `spf_${worst}`, `${smtpHost} is not listed in the SPF record of ${domain} (SPF ${worst}).`, `Mail you send through ${via} does not pass SPF: ${consequence}${fixText}${lookupsNote}`, [record], fix),
  );
}
