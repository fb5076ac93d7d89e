// DMARC records as text (RFC 7489 §6.3): the tags, what is wrong with them, and the record as it
// should read. Written here rather than taken from mailauth because the owner needs to be told
// *what* is wrong ("p=rejected is not a policy"), where mailauth only says whether a record applies.

export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

export interface ParsedDmarc {
  policy: DmarcPolicy | null;
  subdomainPolicy: DmarcPolicy | null;
  pct: number;
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  rua: string[];
  /** Mistakes that may make receivers ignore the record; one phrase each. */
  errors: string[];
  /** Tags receivers ignore (unknown ones). */
  ignored: string[];
  /** The record as it should read; null when it has no errors. */
  corrected: string | null;
}

const POLICIES = new Set(['none', 'quarantine', 'reject']);

export function isDmarcRecord(txt: string): boolean {
  return /^\s*v\s*=\s*DMARC1\b/i.test(txt);
}

/** TXT records at _dmarc that were probably meant as DMARC but do not start as one must. */
export function looksLikeBrokenDmarc(txt: string): boolean {
  return !isDmarcRecord(txt) && /dmarc|(^|;)\s*p\s*=\s*(none|quarantine|reject)/i.test(txt);
}

function mailtoList(value: string): { ok: string[]; bad: string[] } {
  const ok: string[] = [];
  const bad: string[] = [];
  for (const uri of value.split(',').map((u) => u.trim()).filter(Boolean)) {
    if (/^mailto:[^\s@,;]+@[^\s@,;]+\.[^\s@,;!]+(![0-9]+[kmgt]?)?$/i.test(uri) || /^https:\/\/\S+$/i.test(uri)) ok.push(uri);
    else bad.push(uri);
  }
  return { ok, bad };
}

export function parseDmarc(record: string): ParsedDmarc {
  const errors: string[] = [];
  const ignored: string[] = [];
  const tags: Array<[string, string]> = [];
  let missingSemicolons = false;
  for (const raw of record.split(';')) {
    const part = raw.trim();
    if (!part) continue;
    // "v=DMARC1 p=reject": tags run together without the ";" between them.
    const pieces = part.split(/\s+(?=[a-z]+\s*=)/i);
    if (pieces.length > 1) missingSemicolons = true;
    for (const piece of pieces) {
      const at = piece.indexOf('=');
      if (at <= 0) {
        errors.push(`"${piece}" is not a tag=value pair`);
        continue;
      }
      tags.push([piece.slice(0, at).trim().toLowerCase(), piece.slice(at + 1).trim()]);
    }
  }
  if (missingSemicolons) errors.push('tags must be separated by semicolons (;)');
  const get = (k: string) => tags.find(([key]) => key === k)?.[1];
  const seen = new Set<string>();
  for (const [k] of tags) {
    if (seen.has(k)) errors.push(`the tag ${k}= appears twice`);
    seen.add(k);
  }
  if (tags[0]?.[0] !== 'v' || tags[0][1] !== 'DMARC1') errors.push('the record must start with v=DMARC1');

  const p = get('p')?.toLowerCase();
  if (p === undefined) errors.push('it has no policy (p=none, p=quarantine or p=reject)');
  else if (!POLICIES.has(p)) errors.push(`p=${get('p')} is not a policy (none, quarantine or reject)`);
  const sp = get('sp')?.toLowerCase();
  if (sp !== undefined && !POLICIES.has(sp)) errors.push(`sp=${get('sp')} is not a policy (none, quarantine or reject)`);
  const pctRaw = get('pct');
  const pctOk = pctRaw === undefined || (/^\d{1,3}$/.test(pctRaw) && Number(pctRaw) <= 100);
  if (!pctOk) errors.push(`pct=${pctRaw} must be a whole number from 0 to 100`);
  for (const k of ['adkim', 'aspf'] as const) {
    const v = get(k);
    if (v !== undefined && !/^[rs]$/i.test(v)) errors.push(`${k}=${v} must be r (relaxed) or s (strict)`);
  }
  const rua = mailtoList(get('rua') ?? '');
  const ruf = mailtoList(get('ruf') ?? '');
  for (const bad of [...rua.bad, ...ruf.bad]) errors.push(`"${bad}" is not a report address (write mailto:name@example.org)`);
  const fo = get('fo');
  if (fo !== undefined && !/^[01ds](:[01ds])*$/i.test(fo)) errors.push(`fo=${fo} must be 0, 1, d or s`);
  const ri = get('ri');
  if (ri !== undefined && !/^\d{1,10}$/.test(ri)) errors.push(`ri=${ri} must be a number of seconds`);
  for (const [k] of tags) if (!['v', 'p', 'sp', 'pct', 'adkim', 'aspf', 'rua', 'ruf', 'fo', 'ri', 'rf', 'np', 'psd', 't'].includes(k)) ignored.push(k);

  const policy = p !== undefined && POLICIES.has(p) ? (p as DmarcPolicy) : null;
  const subdomainPolicy = sp !== undefined && POLICIES.has(sp) ? (sp as DmarcPolicy) : null;
  const adkim = get('adkim')?.toLowerCase() === 's' ? 's' : 'r';
  const aspf = get('aspf')?.toLowerCase() === 's' ? 's' : 'r';
  const pct = pctOk && pctRaw !== undefined ? Number(pctRaw) : 100;

  let corrected: string | null = null;
  if (errors.length) {
    // Keep every valid choice of the owner's; a missing or broken policy becomes the harmless "none".
    const parts = ['v=DMARC1', `p=${policy ?? 'none'}`];
    if (subdomainPolicy) parts.push(`sp=${subdomainPolicy}`);
    if (pctOk && pctRaw !== undefined) parts.push(`pct=${pct}`);
    if (rua.ok.length) parts.push(`rua=${rua.ok.join(',')}`);
    if (ruf.ok.length) parts.push(`ruf=${ruf.ok.join(',')}`);
    if (get('adkim') && /^[rs]$/i.test(get('adkim')!)) parts.push(`adkim=${adkim}`);
    if (get('aspf') && /^[rs]$/i.test(get('aspf')!)) parts.push(`aspf=${aspf}`);
    if (fo !== undefined && /^[01ds](:[01ds])*$/i.test(fo)) parts.push(`fo=${fo}`);
    corrected = parts.join('; ');
  }
  return { policy, subdomainPolicy, pct, adkim, aspf, rua: rua.ok, errors, ignored, corrected };
}

/** The record with its p= changed (and everything else kept as written). */
export function withPolicy(record: string, policy: DmarcPolicy): string {
  return record.replace(/(^|;)(\s*)p\s*=\s*[^;]*/i, `$1$2p=${policy}`);
}
