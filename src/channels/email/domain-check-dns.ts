// DNS for the sender domain check: one node:dns Resolver per check, with bounded timeouts and a
// deadline for the whole check, and one rule that everything here obeys — a failed lookup (timeout,
// SERVFAIL, refused) is an error the owner is told about, never mistaken for a missing record.
// NXDOMAIN and NODATA are answers: "this name does not exist", "it has no such record".
// The default import on purpose: node:dns's named getServers does not see setServers() calls.
import systemDns from 'node:dns';
import { Resolver } from 'node:dns/promises';

export interface DnsOptions {
  /** Name servers ("1.1.1.1", "127.0.0.1:5353"); the system's resolvers when absent. */
  servers?: string[];
  /** Per attempt; a query gives up after timeoutMs × tries. */
  timeoutMs?: number;
  tries?: number;
}

/** A lookup that got no usable answer; `code` is node:dns's (ETIMEOUT, ESERVFAIL, EREFUSED…). */
export class DnsLookupError extends Error {
  constructor(
    readonly code: string,
    readonly lookupName: string,
    readonly rrtype: string,
  ) {
    super(`DNS ${rrtype} lookup of ${lookupName} failed (${code})`);
    this.name = 'DnsLookupError';
  }
}

export interface TxtAnswer {
  /** Each record's character-strings joined, as RFC 7208 and RFC 6376 read them. */
  records: string[];
  /** The name does not exist at all (NXDOMAIN), as opposed to existing without TXT records. */
  nxdomain: boolean;
}

/** The resolver signature mailauth expects; errors keep node:dns's codes, which mailauth reads. */
export type RawResolve = (name: string, rrtype: string) => Promise<unknown>;

export interface DomainDns {
  txt(name: string): Promise<TxtAnswer>;
  /** A and AAAA of a host; an empty list when it has none; throws DnsLookupError on failure. */
  addresses(host: string): Promise<string[]>;
  raw: RawResolve;
  /** Stops every pending and later lookup (they fail with ECANCELLED): the check's deadline. */
  cancel(): void;
}

const NO_RECORD = new Set(['ENODATA', 'ENOTFOUND']);

export function createDomainDns(options: DnsOptions = {}): DomainDns {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 2_500, tries: options.tries ?? 2 });
  resolver.setServers(options.servers?.length ? options.servers : systemDns.getServers());
  let cancelled = false;

  const raw: RawResolve = async (name, rrtype) => {
    if (cancelled) throw Object.assign(new Error(`DNS ${rrtype} lookup of ${name} cancelled`), { code: 'ECANCELLED' });
    return resolver.resolve(name, rrtype as 'TXT');
  };

  return {
    raw,
    async txt(name) {
      try {
        const rows = (await raw(name, 'TXT')) as string[][];
        return { records: rows.map((chunks) => chunks.join('')), nxdomain: false };
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'EUNKNOWN';
        if (NO_RECORD.has(code)) return { records: [], nxdomain: code === 'ENOTFOUND' };
        throw new DnsLookupError(code, name, 'TXT');
      }
    },
    async addresses(host) {
      const one = async (rrtype: 'A' | 'AAAA') => {
        try {
          return (await raw(host, rrtype)) as string[];
        } catch (err) {
          const code = (err as { code?: string }).code ?? 'EUNKNOWN';
          if (NO_RECORD.has(code)) return [];
          throw new DnsLookupError(code, host, rrtype);
        }
      };
      const [v4, v6] = await Promise.allSettled([one('A'), one('AAAA')]);
      // One family failing while the other answers still gives addresses to check.
      const found = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
      if (found.length) return found;
      if (v4.status === 'rejected') throw v4.reason;
      if (v6.status === 'rejected') throw v6.reason;
      return [];
    },
    cancel() {
      cancelled = true;
      resolver.cancel();
    },
  };
}

/** One sentence on a failed lookup, saying it is the lookup that failed, and what to do. */
export function describeDnsFailure(err: DnsLookupError): string {
  const what = `the ${err.rrtype} record${err.rrtype === 'A' || err.rrtype === 'AAAA' ? '' : 's'} of ${err.lookupName}`;
  switch (err.code) {
    case 'ETIMEOUT':
      return `The name server did not answer in time when asked for ${what} (timeout), so Portier cannot tell whether the record is right. Try again in a few minutes; if it keeps happening, the domain's name servers may be down — ask whoever hosts its DNS.`;
    case 'ESERVFAIL':
      return `The name server failed to answer for ${what} (SERVFAIL). This usually means the domain's own name servers are broken or its DNSSEC signatures do not validate. Ask whoever hosts the domain's DNS; until it is fixed, other servers cannot read the domain's records either.`;
    case 'EREFUSED':
      return `The name server refused to answer for ${what} (REFUSED). Check this machine's DNS settings, or try again later.`;
    case 'ECONNREFUSED':
      return `No name server could be reached to look up ${what} (connection refused). Check this machine's network and DNS settings.`;
    case 'ECANCELLED':
      return `The check took too long and was stopped before ${what} could be read. Try again in a few minutes.`;
    case 'EBADNAME':
      return `"${err.lookupName}" is not a valid domain name. Check the spelling of the address.`;
    default:
      return `Looking up ${what} failed (${err.code}), so Portier cannot tell whether the record is right. Try again in a few minutes.`;
  }
}
