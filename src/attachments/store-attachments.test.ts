import { describe, expect, it } from 'vitest';
import type { InboundAttachment } from '../channels/contract.ts';
import { applyAttachmentLimits, cleanContentType, cleanFilename } from './store-attachments.ts';

const file = (filename: string, size: number, extra: Partial<InboundAttachment> = {}): InboundAttachment => ({ filename, contentType: 'application/pdf', content: new Uint8Array(size), ...extra });
const limits = { maxFileBytes: 1000, maxMessageBytes: 2500, maxFiles: 4 };

describe('attachment limits', () => {
  it('keeps what fits, in order; a file that would overflow the message total is omitted but smaller later ones still fit', () => {
    const r = applyAttachmentLimits([file('a.pdf', 900), file('b.pdf', 900), file('big.pdf', 900), file('logo.png', 300)], limits);
    expect(r.kept.map((a) => a.filename)).toEqual(['a.pdf', 'b.pdf', 'logo.png']);
    expect(r.omitted).toEqual([{ filename: 'big.pdf', size: 900, reason: 'total_too_large' }]);
    expect(r.notes).toEqual(['The attachment "big.pdf" (900 bytes) was not stored: with it, this message\'s attachments would exceed 2 KB together. Open the original message to get it.']);
  });

  it('a file over the per-file limit and files beyond the count are omitted, each with a note', () => {
    const r = applyAttachmentLimits([file('huge.zip', 1001), ...Array.from({ length: 5 }, (_, i) => file(`f${i}.txt`, 10))], limits);
    expect(r.kept.map((a) => a.filename)).toEqual(['f0.txt', 'f1.txt', 'f2.txt', 'f3.txt']);
    expect(r.omitted).toEqual([
      { filename: 'huge.zip', size: 1001, reason: 'too_large' },
      { filename: 'f4.txt', size: 10, reason: 'too_many' },
    ]);
    expect(r.notes[0]).toBe('The attachment "huge.zip" is 1001 bytes, over the 1000 bytes limit: it is listed but not stored. Open the original message to get it.');
    expect(r.notes[1]).toMatch(/"f4.txt" was not stored: only the first 4 attachments/);
  });

  it('exactly at each limit is still kept', () => {
    const r = applyAttachmentLimits([file('a', 1000), file('b', 1000), file('c', 500)], limits);
    expect(r.omitted).toEqual([]);
  });
});

describe('cleanFilename', () => {
  it('keeps a name as display text, never a path', () => {
    expect(cleanFilename('../../etc/passwd')).toBe('passwd');
    expect(cleanFilename('C:\\Users\\anna\\Offre 2026.pdf')).toBe('Offre 2026.pdf');
    expect(cleanFilename('..')).toBe('attachment');
    expect(cleanFilename('/')).toBe('attachment');
    expect(cleanFilename('   ')).toBe('attachment');
  });

  it('drops control characters (CR LF: no header injection) and bidirectional overrides', () => {
    expect(cleanFilename('evil\r\nSet-Cookie: a=b.txt')).toBe('evilSet-Cookie: a=b.txt');
    expect(cleanFilename('facture\u202Efdp.exe')).toBe('facturefdp.exe');
    expect(cleanFilename('tab\there\u0000.pdf')).toBe('tabhere.pdf');
  });

  it('cuts very long names at 200 characters without splitting a character', () => {
    expect(cleanFilename('a'.repeat(5000))).toHaveLength(200);
    const emoji = cleanFilename('🎉'.repeat(300));
    expect(Array.from(emoji)).toHaveLength(200);
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('cleanContentType', () => {
  it('keeps type/subtype in lower case, without parameters; anything else is application/octet-stream', () => {
    expect(cleanContentType('Image/PNG; name="x.png"')).toBe('image/png');
    expect(cleanContentType('application/vnd.openxmlformats-officedocument.wordprocessingml.document')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(cleanContentType('text/html\r\nX-Evil: 1')).toBe('application/octet-stream');
    expect(cleanContentType('')).toBe('application/octet-stream');
    expect(cleanContentType('png')).toBe('application/octet-stream');
  });
});
