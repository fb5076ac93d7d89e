// DMARC for the sending domain: the record at _dmarc.<domain> (or, failing that, at the
// organisational domain's), what its policy means in plain words, and whether the owner's own mail
// would pass — by SPF (Portier sends with the From address as envelope sender, so a pass aligns)
// or by a DKIM signature of the same domain (strictly or relaxed, as adkim= says).
import { getDomain } from 'tldts';
import type { DomainDns } from './domain-check-dns.ts';
import { isDmarcRecord, looksLikeBrokenDmarc, parseDmarc, withPolicy, type DmarcPolicy } from './domain-check-dmarc-record.ts';
import { asDnsFailure, dnsFailureFinding, finding, type DomainFinding } from './domain-check-result.ts';

type Alignment = 'pass' | 'fail' | 'unknown';

export interface DmarcFinding extends DomainFinding {
  /** Where the record was found: the domain's own _dmarc, or the organisational domain's. */
  recordName: string | null;
  /** The policy that applies to mail from this domain (sp= when the record is the organisational domain's). */
  policy: DmarcPolicy | null;
  pct: number | null;
  adkim: 'r' | 's' | null;
  aspf: 'r' | 's' | null;
  rua: string[];
  alignment: { spf: Alignment; dkim: Alignment };
  /** Whether the owner's mail would pass DMARC; null when SPF and DKIM could not both be judged. */
  wouldPass: boolean | null;
}

export interface DmarcInput {
  domain: string;
  dns: DomainDns;
  /** SPF passes for the SMTP server (null: unknown). */
  spfPasses: boolean | null;
  /** The d= of a usable DKIM key (null: none; undefined: could not be told). */
  dkimDomain: string | null | undefined;
  /** The key was found by trying the usual selectors, not read from a signed message. */
  dkimUnconfirmed?: boolean;
}

const org = (d: string) => getDomain(d, { allowPrivateDomains: true }) ?? d;

const POLICY_MEANING: Record<DmarcPolicy, string> = {
  none: 'p=none means receivers only watch: mail that fails the checks is still delivered as usual. It is the right way to start, but it does not stop anyone from sending mail in your name.',
  quarantine: 'p=quarantine asks receivers to put mail that fails the checks in spam: forgeries of your address mostly end up there.',
  reject: 'p=reject asks receivers to refuse mail that fails the checks: forgeries of your address are turned away.',
};

export async function checkDmarc(input: DmarcInput): Promise<DmarcFinding> {
  const { domain, dns } = input;
  const orgDomain = org(domain);
  const empty = { recordName: null, policy: null, pct: null, adkim: null, aspf: null, rua: [] as string[], alignment: { spf: 'unknown' as Alignment, dkim: 'unknown' as Alignment }, wouldPass: null };
  const out = (f: DomainFinding, extra: Partial<DmarcFinding> = {}): DmarcFinding => ({ ...f, ...empty, ...extra });
  const ownName = `_dmarc.${domain}`;

  let recordName = ownName;
  let found: string[];
  let broken: string[];
  try {
    const own = await dns.txt(ownName);
    found = own.records.filter(isDmarcRecord);
    broken = own.records.filter(looksLikeBrokenDmarc);
    // Only when the domain publishes nothing (not even a broken record) does the organisational domain's apply.
    if (found.length === 0 && broken.length === 0 && orgDomain !== domain) {
      const parent = await dns.txt(`_dmarc.${orgDomain}`);
      const inherited = parent.records.filter(isDmarcRecord);
      if (inherited.length) {
        found = inherited;
        recordName = `_dmarc.${orgDomain}`;
      }
    }
  } catch (err) {
    return out(dnsFailureFinding('dmarc', asDnsFailure(err)));
  }

  if (found.length === 0 && broken.length === 0) {
    return out(
      finding(
        'warning',
        'dmarc_missing',
        `${domain} has no DMARC record.`,
        `DMARC tells receivers what to do with mail that claims to come from @${domain} but fails SPF and DKIM. Large providers (Gmail, Yahoo, Microsoft) increasingly expect one, and without it anyone can send mail in your name with less resistance. Add this record; it only asks receivers to watch (p=none), so it cannot cost you any mail.`,
        [],
        { action: 'add', name: ownName, type: 'TXT', value: 'v=DMARC1; p=none' },
      ),
    );
  }
  if (found.length > 1) {
    const fixed = found.find((r) => parseDmarc(r).errors.length === 0) ?? parseDmarc(found[0]!).corrected ?? 'v=DMARC1; p=none';
    return out(
      finding('problem', 'dmarc_multiple', `${recordName} has ${found.length} DMARC records; only one is allowed.`, 'With more than one record, receivers ignore them all, as if there were none. Keep a single record.', found, { action: 'replace', name: recordName, type: 'TXT', value: fixed, replaces: found }),
      { recordName },
    );
  }
  const record = found[0] ?? broken[0]!;
  const parsed = parseDmarc(record);
  const inherited = recordName !== ownName;
  const policy = inherited ? (parsed.subdomainPolicy ?? parsed.policy) : parsed.policy;

  // Would the owner's own mail pass? SPF aligns when it passes (the envelope sender is the From
  // address); DKIM aligns when the signing domain is the From domain (strict) or shares its organisational domain.
  const spf: Alignment = input.spfPasses === null ? 'unknown' : input.spfPasses ? 'pass' : 'fail';
  const dkim: Alignment = input.dkimDomain === undefined ? 'unknown' : input.dkimDomain === null ? 'fail' : (parsed.adkim === 's' ? input.dkimDomain === domain : org(input.dkimDomain) === orgDomain) ? 'pass' : 'fail';
  const wouldPass = spf === 'pass' || dkim === 'pass' ? true : spf === 'fail' && dkim === 'fail' ? false : null;
  const details = { recordName, policy, pct: parsed.pct, adkim: parsed.adkim, aspf: parsed.aspf, rua: parsed.rua, alignment: { spf, dkim }, wouldPass };

  if (parsed.errors.length) {
    return out(
      finding(
        'problem',
        'dmarc_malformed',
        `The DMARC record at ${recordName} has mistakes.`,
        `Receivers may ignore a record with mistakes, as if there were none: ${parsed.errors.join('; ')}. Replace it with the corrected record.`,
        [record],
        { action: 'replace', name: recordName, type: 'TXT', value: parsed.corrected!, replaces: [record] },
      ),
      details,
    );
  }

  const sources = [spf === 'pass' ? 'SPF' : null, dkim === 'pass' ? 'DKIM' : null].filter(Boolean).join(' and ');
  const passText =
    wouldPass === true
      ? ` Your own mail would pass DMARC (by ${sources}${spf !== 'pass' && input.dkimUnconfirmed ? ', if your server signs with the key found' : ''}).`
      : wouldPass === false
        ? ' Your own mail would fail DMARC: neither SPF nor a DKIM signature of your domain passes (see above).'
        : ' Portier could not tell whether your own mail would pass: SPF or DKIM could not be checked (see above).';
  const inheritedText = inherited ? ` ${domain} has no record of its own; the one of ${orgDomain} applies${parsed.subdomainPolicy ? ` with its subdomain policy sp=${parsed.subdomainPolicy}` : ''}.` : '';
  const pctText = parsed.pct < 100 && policy !== 'none' ? ` pct=${parsed.pct}: the policy applies to only ${parsed.pct}% of failing mail.` : '';
  const reportsText = parsed.rua.length ? '' : ' Add rua=mailto:… with an address of yours to receive daily reports of who sends mail in your name.';
  const strictText = parsed.adkim === 's' || parsed.aspf === 's' ? ` Alignment is strict (${[parsed.adkim === 's' ? 'adkim=s' : '', parsed.aspf === 's' ? 'aspf=s' : ''].filter(Boolean).join(', ')}): the signing domain must be exactly ${domain}.` : '';
  const text = `${POLICY_MEANING[policy!]}${inheritedText}${pctText}${strictText}${passText}`;

  if (policy !== 'none' && wouldPass === false) {
    return out(
      finding('problem', 'dmarc_would_fail', `${domain} asks receivers to ${policy === 'reject' ? 'refuse' : 'put in spam'} mail that fails DMARC — and yours would fail.`, `${text} Fix SPF or DKIM first; until then, your own mail is ${policy === 'reject' ? 'refused' : 'sent to spam'}.`, [record]),
      details,
    );
  }
  if (policy === 'none') {
    const tighten = wouldPass === true && !inherited;
    return out(
      finding(
        'warning',
        'dmarc_monitor_only',
        `${domain} has a DMARC record in watch-only mode (p=none).`,
        `${text}${tighten ? ' Once you are sure all the mail you send (newsletters and booking tools included) passes, ask receivers to put forgeries in spam with p=quarantine.' : wouldPass === false ? ' Fix SPF or DKIM before tightening the policy.' : ''}${reportsText}`,
        [record],
        tighten ? { action: 'replace', name: recordName, type: 'TXT', value: withPolicy(record, 'quarantine'), replaces: [record] } : undefined,
      ),
      details,
    );
  }
  return out(
    finding(wouldPass === true ? 'ok' : 'warning', wouldPass === true ? 'dmarc_ok' : 'dmarc_unconfirmed', `${domain} has a DMARC record with p=${policy}.`, `${text}${reportsText}`, [record]),
    details,
  );
}
