// The shape of one finding of the sender domain check (SPF, DKIM or DMARC), shared by the three
// checks, the API and the web app: a status that does not rely on colour, a stable code, plain
// words, and — when there is one — the exact DNS record to add or change.
import { DnsLookupError, describeDnsFailure } from './domain-check-dns.ts';

export type DomainCheckStatus = 'ok' | 'warning' | 'problem' | 'unknown';

export interface DnsRecordFix {
  /** add: a new record; replace: change the record(s) in `replaces` into `value`. */
  action: 'add' | 'replace';
  /** The full name, e.g. "_dmarc.example.org". */
  name: string;
  type: 'TXT';
  value: string;
  replaces?: string[];
}

export interface DomainFinding {
  status: DomainCheckStatus;
  /** Stable, for programs and translations: "spf_softfail", "dmarc_missing"… */
  code: string;
  /** One line: what Portier found. */
  summary: string;
  /** What it means and what to do, in plain words. */
  explanation: string;
  /** The records found, as published. */
  records: string[];
  fix?: DnsRecordFix;
}

export function finding(status: DomainCheckStatus, code: string, summary: string, explanation: string, records: string[] = [], fix?: DnsRecordFix): DomainFinding {
  return { status, code, summary, explanation, records, ...(fix ? { fix } : {}) };
}

/** A lookup failed: the finding says so, and claims nothing about the record. */
export function dnsFailureFinding(prefix: 'spf' | 'dkim' | 'dmarc', err: DnsLookupError, records: string[] = []): DomainFinding {
  const timeout = err.code === 'ETIMEOUT' || err.code === 'ECANCELLED';
  return finding(
    'unknown',
    `${prefix}_dns_error`,
    timeout ? `No answer from DNS for ${err.lookupName}: not checked.` : `DNS lookup of ${err.lookupName} failed (${err.code.replace(/^E/, '')}): not checked.`,
    describeDnsFailure(err),
    records,
  );
}

/** Rethrows what is not a DNS failure (a bug must not pass for a DNS problem). */
export function asDnsFailure(err: unknown): DnsLookupError {
  if (err instanceof DnsLookupError) return err;
  throw err;
}
