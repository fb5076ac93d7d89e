import { describe, expect, it } from 'vitest';
import { contentDisposition, downloadHeaders, servedContentType } from './download-headers.ts';

/** What a browser makes of filename* (RFC 8187): the percent-decoded UTF-8. */
const decodedName = (header: string) => decodeURIComponent(/filename\*=UTF-8''([^;]*)$/.exec(header)![1]!);

describe('download headers', () => {
  it('only png, jpeg, gif and webp keep their type; everything else (HTML, SVG, scripts) is octet-stream', () => {
    for (const t of ['image/png', 'image/jpeg', 'image/gif', 'image/webp']) expect(servedContentType(t)).toBe(t);
    expect(servedContentType('image/jpg')).toBe('image/jpeg');
    for (const t of ['text/html', 'image/svg+xml', 'application/javascript', 'application/pdf', 'text/plain', 'application/xhtml+xml', 'message/rfc822']) expect(servedContentType(t)).toBe('application/octet-stream');
  });

  it('a safe image is inline only when asked; anything else is always a download', () => {
    const png = { filename: 'logo.png', content_type: 'image/png', sha256: 'a'.repeat(64) };
    expect(downloadHeaders(png, { inline: true })['content-disposition']).toMatch(/^inline; /);
    expect(downloadHeaders(png, { inline: false })['content-disposition']).toMatch(/^attachment; /);
    const svg = { filename: 'logo.svg', content_type: 'image/svg+xml', sha256: 'b'.repeat(64) };
    const h = downloadHeaders(svg, { inline: true });
    expect(h['content-disposition']).toMatch(/^attachment; /);
    expect(h).toMatchObject({ 'content-type': 'application/octet-stream', 'x-content-type-options': 'nosniff', 'content-security-policy': "sandbox; default-src 'none'", etag: `"${'b'.repeat(64)}"` });
    expect(h['cache-control']).toMatch(/^private/);
  });

  it('any file name gives one line of printable ASCII that decodes back to the name', () => {
    for (const name of ['Offre été 2026.pdf', 'evil"; filename="x.exe', 'a\r\nSet-Cookie: x=1', '../../etc/passwd', "l'été (copie) *1*.pdf", '日本語の資料.pdf', 'x'.repeat(200), 'lone \uD800 surrogate']) {
      const header = contentDisposition('attachment', name);
      expect(header, name).toMatch(/^[\x20-\x7e]+$/);
      // Exactly two parameters: the quoted fallback holds no quote or backslash to break out with.
      expect(header, name).toMatch(/^attachment; filename="[^"\\]*"; filename\*=UTF-8''[A-Za-z0-9%._~-]+$/);
      expect(/filename="([^"]*)"/.exec(header)![1], name).not.toMatch(/[\\/]/);
      expect(decodedName(header), name).toBe(name.replace(/\uD800/, '\uFFFD'));
    }
  });

  it('a very long name is cut to 200 characters', () => {
    expect(decodedName(contentDisposition('attachment', 'é'.repeat(5000)))).toBe('é'.repeat(200));
  });
});
