// "Check SPF, DKIM and DMARC" for an e-mail entrance: the three DNS records receivers use to decide
// whether mail from the owner's address is genuine, checked for the domain of the address Portier
// sends from and for the entrance's SMTP server, each with a status, plain words and — when there
// is one — the exact record to add or change. Read-only: it looks up DNS and reads headers from the
// sent folder, nothing else. Bounded: every lookup times out, and the whole check has a deadline.
import { domainToASCII } from 'node:url';
import { getDomain } from 'tldts';
import type { EmailConfig } from './imap-connection.ts';
import { knownProviderSettings } from './imap-providers.ts';
import { createDomainDns, DnsLookupError, type DnsOptions, type TxtAnswer } from './domain-check-dns.ts';
import { checkDkim, type DkimFinding } from './domain-check-dkim.ts';
import { readSentFolderSignatures } from './domain-check-dkim-selector.ts';
import { checkDmarc, type DmarcFinding } from './domain-check-dmarc.ts';
import { finding, type DomainFinding } from './domain-check-result.ts';
import { checkSpf, type SpfFinding } from './domain-check-spf.ts';

export type { DomainCheckStatus, DomainFinding, DnsRecordFix } from './domain-check-result.ts';
export type { SpfFinding } from './domain-check-spf.ts';
export type { DkimFinding } from './domain-check-dkim.ts';
export type { DmarcFinding } from './domain-check-dmarc.ts';

export interface DomainCheckReport {
  /** The address Portier sends from (the entrance's first own address). */
  address: string;
  /** Its domain, in the ASCII form DNS uses. */
  domain: string;
  organizationalDomain: string;
  /** Set when the domain belongs to a mail provider (gmail.com…): its records are the provider's, not the owner's to change. */
  provider: string | null;
  smtpHost: string | null;
  checkedAt: string;
  spf: SpfFinding;
  dkim: DkimFinding;
  dmarc: DmarcFinding;
}

export interface DomainCheckOptions {
  dns?: DnsOptions;
  /** The whole check gives up after this long (default 25 s): pending lookups fail as "not answered". */
  deadlineMs?: number;
  /** Read the sent folder for the DKIM selector (default true). */
  readSentFolder?: boolean;
  imapTimeoutMs?: number;
  now?: () => Date;
}

const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** The domain of an address, as DNS spells it; null when it is not a usable domain name. */
export function sendingDomainOf(address: string): string | null {
  const raw = address.slice(address.lastIndexOf('@') + 1).trim().toLowerCase().replace(/\.$/, '');
  const ascii = raw ? domainToASCII(raw) : '';
  return ascii && DOMAIN_NAME.test(ascii) ? ascii : null;
}

function sameForAll(code: string, status: DomainFinding['status'], summary: string, explanation: string): [SpfFinding, DkimFinding, DmarcFinding] {
  const f = finding(status, code, summary, explanation);
  return [
    { ...f, smtpHost: null, addresses: [], lookups: null, passes: null },
    { ...f, selector: null, signingDomain: null, source: null, keyType: null, keyBits: null, sentFolder: null },
    { ...f, recordName: null, policy: null, pct: null, adkim: null, aspf: null, rua: [], alignment: { spf: 'unknown', dkim: 'unknown' }, wouldPass: null },
  ];
}

/** The d= domain DMARC may count: that of a key receivers can use; undefined when DKIM could not be judged. */
function usableDkimDomain(dkim: DkimFinding, domain: string): string | null | undefined {
  if (dkim.status === 'unknown') return undefined;
  const org = (d: string) => getDomain(d, { allowPrivateDomains: true }) ?? d;
  // Mail in the sent folder signed only by another domain is what receivers get, whatever keys exist.
  const signatures = dkim.sentFolder?.signatures ?? [];
  if (signatures.length && !signatures.some((s) => org(s.domain) === org(domain))) return signatures[0]!.domain;
  return ['dkim_ok', 'dkim_key_found', 'dkim_key_short'].includes(dkim.code) ? dkim.signingDomain : null;
}

export async function checkSenderDomain(config: EmailConfig, options: DomainCheckOptions = {}): Promise<DomainCheckReport> {
  const address = config.ownAddresses[0] ?? '';
  const domain = sendingDomainOf(address);
  const smtpHost = config.smtp?.host.trim().toLowerCase().replace(/\.$/, '') || null;
  const provider = knownProviderSettings(address)?.name ?? null;
  const report = (domainName: string, spf: SpfFinding, dkim: DkimFinding, dmarc: DmarcFinding): DomainCheckReport => {
    // A provider's domain is the provider's to configure: no record to propose to the owner.
    const own = <T extends DomainFinding>(f: T): T => {
      if (!provider || !f.fix) return f;
      const { fix: _fix, ...rest } = f;
      return { ...rest, explanation: `${f.explanation} ${domainName} belongs to ${provider}, so only ${provider} can change its records.` } as T;
    };
    return { address, domain: domainName, organizationalDomain: getDomain(domainName, { allowPrivateDomains: true }) ?? domainName, provider, smtpHost, checkedAt: (options.now?.() ?? new Date()).toISOString(), spf: own(spf), dkim: own(dkim), dmarc: own(dmarc) };
  };

  if (!domain) {
    const [spf, dkim, dmarc] = sameForAll('domain_invalid', 'problem', `"${address}" has no domain Portier can check.`, 'Enter your e-mail address (name@your-domain) in the entrance settings first.');
    return report(address.split('@').pop() ?? '', spf, dkim, dmarc);
  }

  const dns = createDomainDns(options.dns);
  const deadline = setTimeout(() => dns.cancel(), options.deadlineMs ?? 25_000);
  try {
    let apex: TxtAnswer | DnsLookupError;
    try {
      apex = await dns.txt(domain);
    } catch (err) {
      if (!(err instanceof DnsLookupError)) throw err;
      apex = err;
    }
    if (!(apex instanceof DnsLookupError) && apex.nxdomain) {
      const [spf, dkim, dmarc] = sameForAll(
        'domain_not_found',
        'problem',
        `${domain} does not exist in DNS (NXDOMAIN).`,
        `The name servers say there is no domain ${domain}, so nobody can check mail from ${address} — nor reply to it. Check the spelling of the address; if the domain is new, or was just renewed or moved, wait a few hours and check again.`,
      );
      return report(domain, spf, dkim, dmarc);
    }
    const sentPromise = options.readSentFolder === false ? Promise.resolve(null) : readSentFolderSignatures(config, { timeoutMs: options.imapTimeoutMs ?? 8_000 });
    const [spf, dkim] = await Promise.all([
      checkSpf({ domain, sender: address.toLowerCase(), apex: apex instanceof DnsLookupError ? apex : apex.records, smtpHost, dns }),
      sentPromise.then((sent) => checkDkim({ domain, dns, sent })),
    ]);
    const dmarc = await checkDmarc({ domain, dns, spfPasses: spf.passes, dkimDomain: usableDkimDomain(dkim, domain), dkimUnconfirmed: dkim.source === 'usual-selector' });
    return report(domain, spf, dkim, dmarc);
  } finally {
    clearTimeout(deadline);
    dns.cancel();
  }
}
