// DKIM as text: the tags of a DKIM-Signature header (which selector, which domain signed) and of a
// key record at <selector>._domainkey.<domain> (RFC 6376 §3.6.1) — its key type, its length, and
// what a receiver would make of it (revoked, testing, not for e-mail, too short).
import { createPublicKey } from 'node:crypto';

/** "a=1; b = 2" → {a:'1', b:'2'}; whitespace inside values is folding and is removed. Keys are lowercased; the first of a repeated tag wins. */
export function parseTags(text: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const part of text.split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const key = part.slice(0, at).trim().toLowerCase();
    if (!tags.has(key)) tags.set(key, part.slice(at + 1).replace(/\s+/g, ''));
  }
  return tags;
}

export interface DkimSignatureRef {
  selector: string;
  domain: string;
}

/** The DKIM-Signature header fields in a header block, unfolded, in order. */
export function signaturesInHeaders(headers: string): DkimSignatureRef[] {
  const unfolded = headers.replace(/\r?\n[ \t]+/g, ' ');
  const out: DkimSignatureRef[] = [];
  for (const line of unfolded.split(/\r?\n/)) {
    const m = /^dkim-signature\s*:(.*)$/i.exec(line);
    if (!m) continue;
    const tags = parseTags(m[1]!);
    const selector = tags.get('s')?.toLowerCase();
    const domain = tags.get('d')?.toLowerCase().replace(/\.$/, '');
    // Only names DNS can hold: a header is untrusted input and its values end up in a lookup.
    if (selector && domain && /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(selector) && /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain) && selector.length + domain.length < 240) out.push({ selector, domain });
  }
  return out;
}

export interface DkimKey {
  /** Set when a receiver could not use the key; one sentence. */
  error: string | null;
  revoked: boolean;
  keyType: string;
  bits: number | null;
  /** t=y: receivers are asked to treat signatures as if there were none. */
  testing: boolean;
}

/** TXT records at a _domainkey name that are key records (hold a p= tag). */
export function isDkimKeyRecord(txt: string): boolean {
  return /(^|;)\s*p\s*=/i.test(txt);
}

// An Ed25519 key in a DKIM record is the bare 32-byte key (RFC 8463); Node wants it wrapped in SPKI.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function parseDkimKey(record: string): DkimKey {
  const tags = parseTags(record);
  const keyType = (tags.get('k') || 'rsa').toLowerCase();
  const testing = (tags.get('t') ?? '').toLowerCase().split(':').includes('y');
  const result = (error: string | null, extra: Partial<DkimKey> = {}): DkimKey => ({ error, revoked: false, keyType, bits: null, testing, ...extra });
  const version = tags.get('v');
  if (version !== undefined && (version !== 'DKIM1' || !/^\s*v\s*=/i.test(record))) return result('the record must start with v=DKIM1 (or leave v= out)');
  const services = tags.get('s');
  if (services && !services.split(':').some((s) => s === '*' || s.toLowerCase() === 'email')) return result(`s=${services} says the key is not for e-mail`);
  if (!tags.has('p')) return result('the record has no public key (p=)');
  const p = tags.get('p')!;
  if (p === '') return result(null, { revoked: true });
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(p)) return result('the public key (p=) is not valid base64: it may have been cut or mistyped when pasted');
  const der = Buffer.from(p, 'base64');
  if (keyType === 'ed25519') {
    if (der.length !== 32) return result(`an Ed25519 key is 32 bytes, this one is ${der.length}`);
    try {
      createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, der]), format: 'der', type: 'spki' });
      return result(null, { bits: 256 });
    } catch {
      return result('the Ed25519 public key (p=) is damaged');
    }
  }
  if (keyType !== 'rsa') return result(`k=${keyType} is not a key type receivers know (rsa or ed25519)`);
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      const key = createPublicKey({ key: der, format: 'der', type });
      if (key.asymmetricKeyType !== 'rsa') return result(`the key is ${key.asymmetricKeyType ?? 'of another type'}, but the record says k=rsa`);
      return result(null, { bits: key.asymmetricKeyDetails?.modulusLength ?? null });
    } catch {
      // try the next encoding
    }
  }
  return result('the public key (p=) is damaged: it may have been cut or mistyped when pasted (long keys are often split into several quoted strings; they must be joined without spaces)');
}

/** The record with t=y removed, for a key that has left testing. */
export function withoutTestingFlag(record: string): string {
  return record
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p && !/^t\s*=\s*y$/i.test(p))
    .map((p) => (/^t\s*=/i.test(p) ? p.replace(/(^t\s*=\s*)(.*)$/i, (_m, k: string, v: string) => k + v.split(':').filter((f) => f.trim().toLowerCase() !== 'y').join(':')) : p))
    .join('; ');
}
