// SPF records as text (RFC 7208 §4.6, §5, §6): which TXT records are SPF, what their terms are,
// which terms are malformed, and how to change a record — add a mechanism before its "all", merge
// two records into one. Evaluation against an IP address is mailauth's job, not this file's.

export interface SpfMechanism {
  kind: 'mechanism';
  qualifier: '+' | '-' | '~' | '?';
  name: 'all' | 'include' | 'a' | 'mx' | 'ptr' | 'ip4' | 'ip6' | 'exists';
  /** The domain-spec or address after ":" (without any "/cidr"). */
  value: string | null;
  raw: string;
}

export interface SpfModifier {
  kind: 'modifier';
  name: string;
  value: string;
  raw: string;
}

export type SpfTerm = SpfMechanism | SpfModifier;

export interface ParsedSpf {
  terms: SpfTerm[];
  /** One sentence per term receivers would reject (each makes the whole record a "permerror"). */
  errors: string[];
}

const MECHANISMS = new Set(['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists']);
/** Mechanisms and modifiers that cost one of the 10 DNS lookups a receiver allows (RFC 7208 §4.6.4). */
export const LOOKUP_TERMS = new Set(['include', 'a', 'mx', 'ptr', 'exists', 'redirect']);

export function isSpfRecord(txt: string): boolean {
  return /^v=spf1(\s|$)/i.test(txt.trim());
}

/** TXT records that were probably meant as SPF but that receivers ignore ("spf1 …", "v=spf1:…", "v=spf2.0"). */
export function looksLikeBrokenSpf(txt: string): boolean {
  const t = txt.trim().replace(/^["']+/, '');
  return !isSpfRecord(txt) && /^(v\s*=\s*spf|spf1?\b|v=spf1)/i.test(t);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const DOMAIN_SPEC = /^[\x21-\x7e]+$/;

function checkIp(name: 'ip4' | 'ip6', value: string | null, cidr: string | null): string | null {
  if (!value) return `"${name}" needs an address, for example ${name === 'ip4' ? 'ip4:192.0.2.10' : 'ip6:2001:db8::10'}`;
  if (name === 'ip4' && !IPV4.test(value)) return `"${value}" is not an IPv4 address`;
  if (name === 'ip6' && (!value.includes(':') || !/^[0-9a-f:.]+$/i.test(value))) return `"${value}" is not an IPv6 address`;
  if (cidr !== null) {
    const bits = Number(cidr);
    if (!/^\d{1,3}$/.test(cidr) || bits > (name === 'ip4' ? 32 : 128)) return `"/${cidr}" is not a valid prefix length for ${name}`;
  }
  return null;
}

export function parseSpf(record: string): ParsedSpf {
  const parts = record.trim().split(/\s+/).slice(1).filter(Boolean);
  const terms: SpfTerm[] = [];
  const errors: string[] = [];
  let redirects = 0;
  for (const raw of parts) {
    const modifier = /^([a-z][a-z0-9_.-]*)=(.*)$/i.exec(raw);
    if (modifier) {
      const name = modifier[1]!.toLowerCase();
      const value = modifier[2]!;
      if (!value) errors.push(`"${raw}" has no value`);
      if (name === 'redirect' && ++redirects > 1) errors.push('the record has more than one redirect=');
      terms.push({ kind: 'modifier', name, value, raw });
      continue;
    }
    const m = /^([+\-~?]?)([a-z0-9]+)(?::([^/]*))?(?:\/(\d*))?(?:\/\/(\d*))?$/i.exec(raw);
    const name = m?.[2]?.toLowerCase();
    if (!m || !name || !MECHANISMS.has(name)) {
      errors.push(`"${raw}" is not an SPF mechanism (known: all, include, a, mx, ip4, ip6, exists, ptr)`);
      continue;
    }
    const value = m[3] === undefined ? null : m[3];
    const mech = { kind: 'mechanism' as const, qualifier: (m[1] || '+') as SpfMechanism['qualifier'], name: name as SpfMechanism['name'], value, raw };
    if (value === '') errors.push(`"${raw}" has an empty value after ":"`);
    else if (name === 'all' && (value !== null || m[4] !== undefined)) errors.push(`"${raw}": "all" takes no value`);
    else if ((name === 'include' || name === 'exists') && !value) errors.push(`"${name}" needs a domain, for example ${name}:_spf.example.net`);
    else if (name === 'ip4' || name === 'ip6') {
      const e = checkIp(name, value, m[4] ?? null);
      if (e) errors.push(e);
    } else if (value && !DOMAIN_SPEC.test(value)) errors.push(`"${value}" is not a domain name`);
    terms.push(mech);
  }
  return { terms, errors };
}

/** The qualifier of the record's "all", or null when it has none. */
export function allQualifier(terms: SpfTerm[]): SpfMechanism['qualifier'] | null {
  const all = terms.find((t): t is SpfMechanism => t.kind === 'mechanism' && t.name === 'all');
  return all ? all.qualifier : null;
}

export function redirectOf(terms: SpfTerm[]): string | null {
  const r = terms.find((t): t is SpfModifier => t.kind === 'modifier' && t.name === 'redirect');
  return r ? r.value : null;
}

/** `record` with `mechanism` added where it takes effect: before "all" (or redirect=), else at the end. */
export function withMechanism(record: string, mechanism: string): string {
  const parts = record.trim().split(/\s+/);
  if (parts.slice(1).some((p) => p.toLowerCase() === mechanism.toLowerCase())) return parts.join(' ');
  const at = parts.findIndex((p, i) => i > 0 && (/^[+\-~?]?all$/i.test(p) || /^redirect=/i.test(p)));
  if (at < 0) parts.push(mechanism);
  else parts.splice(at, 0, mechanism);
  return parts.join(' ');
}

/**
 * One record with the terms of all of them, as RFC 7208 allows only one: every mechanism once,
 * in order, then one ending — the first record's "all", else its redirect=, else "~all".
 */
export function mergeSpfRecords(records: string[]): string {
  const seen = new Set<string>();
  const body: string[] = [];
  let ending: string | null = null;
  let redirect: string | null = null;
  for (const record of records) {
    for (const part of record.trim().split(/\s+/).slice(1)) {
      if (/^[+\-~?]?all$/i.test(part)) {
        ending ??= part;
        continue;
      }
      if (/^redirect=/i.test(part)) {
        redirect ??= part;
        continue;
      }
      const key = part.toLowerCase().replace(/^\+/, '');
      if (seen.has(key)) continue;
      seen.add(key);
      body.push(part);
    }
  }
  return ['v=spf1', ...body, ending ?? redirect ?? '~all'].join(' ');
}
