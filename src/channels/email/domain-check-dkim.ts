// DKIM for the sending domain: find the selector (from a signed message in the sent folder, else by
// trying the names providers usually use), read the key at <selector>._domainkey.<domain>, and say
// whether receivers can use it and whether it is the sender's own domain that signs (DMARC needs that).
import { getDomain } from 'tldts';
import type { DomainDns } from './domain-check-dns.ts';
import { DnsLookupError } from './domain-check-dns.ts';
import { isDkimKeyRecord, parseDkimKey, withoutTestingFlag, type DkimSignatureRef } from './domain-check-dkim-key.ts';
import type { SentFolderSignatures } from './domain-check-dkim-selector.ts';
import { dnsFailureFinding, finding, type DomainFinding } from './domain-check-result.ts';

export interface DkimFinding extends DomainFinding {
  selector: string | null;
  /** The d= domain of the key found; DMARC aligns it with the From domain. */
  signingDomain: string | null;
  /** How the selector was found. */
  source: 'sent-folder' | 'usual-selector' | null;
  keyType: string | null;
  keyBits: number | null;
  /** What reading the sent folder gave; null when it was not read. */
  sentFolder: { folder: string | null; messagesRead: number; signatures: DkimSignatureRef[]; error: string | null } | null;
}

/** Selectors the big providers and common mail servers use, tried when no signed message tells. */
export const USUAL_SELECTORS = ['default', 'dkim', 'mail', 'google', 'selector1', 'selector2', 'k1', 'k2', 's1', 's2', 'key1', 'smtp', 'sig1', 'mx'];

const org = (d: string) => getDomain(d, { allowPrivateDomains: true }) ?? d;

type KeyLookup = { ref: DkimSignatureRef; name: string; records: string[] } | { ref: DkimSignatureRef; name: string; error: DnsLookupError };

async function lookupKey(dns: DomainDns, ref: DkimSignatureRef): Promise<KeyLookup> {
  const name = `${ref.selector}._domainkey.${ref.domain}`;
  try {
    const answer = await dns.txt(name);
    return { ref, name, records: answer.records.filter(isDkimKeyRecord) };
  } catch (err) {
    if (err instanceof DnsLookupError) return { ref, name, error: err };
    throw err;
  }
}

export async function checkDkim(input: { domain: string; dns: DomainDns; sent: SentFolderSignatures | null }): Promise<DkimFinding> {
  const { domain, dns, sent } = input;
  const base = { selector: null as string | null, signingDomain: null as string | null, source: null as DkimFinding['source'], keyType: null as string | null, keyBits: null as number | null, sentFolder: sent };
  const out = (f: DomainFinding, extra: Partial<typeof base> = {}): DkimFinding => ({ ...f, ...base, ...extra });

  const signatures = sent?.signatures ?? [];
  const aligned = signatures.filter((s) => s.domain === domain || org(s.domain) === org(domain)).sort((a, b) => Number(b.domain === domain) - Number(a.domain === domain));
  const foreign = signatures.filter((s) => !aligned.includes(s));

  // 1. The newest signed message in the sent folder names the selector exactly: its key decides.
  // 2. Without one, the usual selectors at the sender's domain are tried.
  const signed = aligned[0] ? await lookupKey(dns, aligned[0]) : null;
  const source: DkimFinding['source'] = signed ? 'sent-folder' : 'usual-selector';
  const lookups = signed ? [signed] : await Promise.all(USUAL_SELECTORS.map((selector) => lookupKey(dns, { selector, domain })));
  const found = lookups.filter((l): l is Extract<KeyLookup, { records: string[] }> => 'records' in l && l.records.length > 0);
  const failed = lookups.filter((l): l is Extract<KeyLookup, { error: DnsLookupError }> => 'error' in l);
  const foreignNote = foreign.length
    ? ` Messages in your sent folder are signed by ${[...new Set(foreign.map((f) => f.domain))].join(', ')}, not by ${domain}: DMARC only counts a signature of your own domain, so ask your provider to sign with ${domain} ("custom domain DKIM").`
    : '';
  const sentNote = !sent
    ? ''
    : sent.error
      ? ` (Portier could not read your sent folder to find the selector: ${sent.error})`
      : sent.folder === null
        ? ' (No sent folder is set for this entrance, so Portier could not look for a signed message.)'
        : sent.messagesRead === 0
          ? ` (The sent folder "${sent.folder}" is empty, so Portier could not look for a signed message.)`
          : sent.signatures.length === 0
            ? ` (The last ${sent.messagesRead} messages in "${sent.folder}" carry no DKIM signature; many mail programs keep their copy before the server signs, so that proves nothing either way.)`
            : '';

  if (found.length === 0) {
    // A lookup that failed may have been the one holding the key: never call that "missing".
    if (failed.length) return out(dnsFailureFinding('dkim', failed[0]!.error));
    if (signed) {
      return out(
        finding(
          'problem',
          'dkim_key_missing',
          `Your mail is signed with selector "${signed.ref.selector}", but ${signed.name} has no key.`,
          `Receivers look up the key at ${signed.name} to check the signature; without it the signature is worthless and your mail is more likely to land in spam. Copy the DKIM record your mail provider shows for ${domain} into your DNS under that name.`,
        ),
        { selector: signed.ref.selector, signingDomain: signed.ref.domain, source: 'sent-folder' },
      );
    }
    if (foreign.length) {
      return out(
        finding('warning', 'dkim_not_aligned', `Your mail is signed, but by ${foreign[0]!.domain}, not by ${domain}.`, `Receivers can verify the signature, but it vouches for ${foreign[0]!.domain}, not for your address.${foreignNote}`),
        { selector: foreign[0]!.selector, signingDomain: foreign[0]!.domain, source: 'sent-folder' },
      );
    }
    return out(
      finding(
        'problem',
        'dkim_not_found',
        `No DKIM key found for ${domain}.`,
        `DKIM signs your mail so receivers can tell it really comes from ${domain} and was not changed on the way; without it, your mail is more likely to land in spam. Portier found no signed message in your sent folder and no key under the usual selectors (${USUAL_SELECTORS.join(', ')}).${sentNote} Turn on DKIM signing for ${domain} at your mail provider: it gives you a record to add to your DNS. If it is on already with another selector, send yourself a message and look for "s=" in its DKIM-Signature header.`,
      ),
    );
  }

  // From the usual selectors, the strongest usable key speaks for the domain.
  const score = (k: ReturnType<typeof parseDkimKey>) => (k.error || k.revoked ? 0 : 1e6) + (k.bits ?? 0);
  const best = found.map((l) => ({ l, key: parseDkimKey(l.records[0]!) })).sort((a, b) => score(b.key) - score(a.key))[0]!;
  const { l, key } = best;
  const record = l.records[0]!;
  base.selector = l.ref.selector;
  base.signingDomain = l.ref.domain;
  base.source = source;
  base.keyType = key.keyType;
  base.keyBits = key.bits;
  const where = `${l.name}`;
  const how = source === 'sent-folder' ? `the selector "${l.ref.selector}" read from a signed message in your sent folder` : `the usual selector "${l.ref.selector}"`;
  const unconfirmed = source === 'usual-selector' ? ` Portier found it by trying the usual selectors${sentNote ? '' : ', not in a signed message'}, so it cannot tell whether your server actually signs with it.${sentNote}` : '';

  if (l.records.length > 1) {
    return out(finding('problem', 'dkim_key_ambiguous', `${where} holds ${l.records.length} keys.`, `A selector must hold exactly one key; receivers cannot tell which one to use and the signature fails. Keep only the record your mail provider shows.`, l.records));
  }
  if (key.revoked) {
    return out(finding('problem', 'dkim_key_revoked', `The DKIM key at ${where} is revoked (p= is empty).`, `An empty p= tells receivers the key was withdrawn, so every signature made with it fails. If your server still signs with "${l.ref.selector}", publish its current key, or switch the server to a selector with a key.`, [record]));
  }
  if (key.error) {
    return out(finding('problem', 'dkim_key_invalid', `Receivers cannot use the DKIM key at ${where}.`, `Found with ${how}, but ${key.error}. Copy the record again, exactly as your mail provider shows it.`, [record]));
  }
  if (key.keyType === 'rsa' && key.bits !== null && key.bits < 1024) {
    return out(finding('problem', 'dkim_key_too_short', `The DKIM key at ${where} is only ${key.bits} bits long.`, `Receivers ignore RSA keys shorter than 1024 bits, so your signatures count for nothing. Create a new 2048-bit key at your mail provider and publish its record.`, [record]));
  }
  if (key.testing) {
    return out(
      finding('warning', 'dkim_testing', `The DKIM key at ${where} is in testing mode (t=y).`, `t=y asks receivers to treat your signatures as if there were none. Once your mail is signed correctly, remove t=y from the record.${unconfirmed}`, [record], { action: 'replace', name: where, type: 'TXT', value: withoutTestingFlag(record), replaces: [record] }),
    );
  }
  const alignment = l.ref.domain === domain ? '' : ` The key belongs to ${l.ref.domain}, which counts for ${domain} because both are the same organisation's domain.`;
  if (key.keyType === 'rsa' && key.bits !== null && key.bits < 2048) {
    return out(finding('warning', 'dkim_key_short', `The DKIM key at ${where} works, but it is only ${key.bits} bits long.`, `Found with ${how}. Receivers accept 1024-bit keys today, but they are considered weak; create a 2048-bit key at your mail provider when you can.${alignment}${foreignNote}${unconfirmed}`, [record]));
  }
  const status = foreign.length ? 'warning' : 'ok';
  return out(
    finding(
      status,
      foreign.length ? 'dkim_not_aligned' : source === 'sent-folder' ? 'dkim_ok' : 'dkim_key_found',
      `DKIM key found at ${where} (${key.keyType === 'rsa' ? `RSA, ${key.bits} bits` : key.keyType}).`,
      `Found with ${how}. Receivers can check that mail signed with it comes from ${domain}.${alignment}${foreignNote}${unconfirmed}`,
      [record],
    ),
  );
}
