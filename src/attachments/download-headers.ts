// The headers an attachment is served with. A file from a stranger must never run in Portier's
// origin: only a few image types keep their type (and may be shown inline, for the images of an
// HTML mail); everything else is application/octet-stream and a download. nosniff stops the
// browser from guessing HTML anyway, and the sandbox CSP neuters a document opened directly.

/** Types a browser only ever decodes as pictures. SVG is not one of them: it can carry script. */
const SAFE_IMAGE_TYPES: Record<string, string> = {
  'image/png': 'image/png',
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/gif': 'image/gif',
  'image/webp': 'image/webp',
};

/** The type to serve: the row's own for a safe image, application/octet-stream for everything else. */
export function servedContentType(contentType: string): string {
  return SAFE_IMAGE_TYPES[contentType.toLowerCase()] ?? 'application/octet-stream';
}

/** Replaces lone surrogates, which encodeURIComponent refuses. */
const wellFormed = (s: string) => s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

/**
 * `attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded` (RFC 6266, RFC 8187).
 * Whatever the name holds (quotes, CR LF, slashes, 10,000 characters), the header stays one line
 * of safe ASCII: the encoded form leaves nothing but unreserved characters unescaped.
 */
export function contentDisposition(type: 'attachment' | 'inline', filename: string): string {
  const name = wellFormed(Array.from(filename).slice(0, 200).join('')) || 'attachment';
  const encoded = encodeURIComponent(name).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const fallback = name.replace(/[^\x20-\x7e]|["\\%/;]/g, '_');
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

export function downloadHeaders(attachment: { filename: string; content_type: string; sha256: string }, options: { inline: boolean }): Record<string, string> {
  const type = servedContentType(attachment.content_type);
  const inline = options.inline && type !== 'application/octet-stream';
  return {
    'content-type': type,
    'content-disposition': contentDisposition(inline ? 'inline' : 'attachment', attachment.filename),
    'x-content-type-options': 'nosniff',
    'content-security-policy': "sandbox; default-src 'none'",
    // The bytes behind an id never change (the file is named by its hash), but they are personal:
    // the browser may keep them, shared caches may not.
    'cache-control': 'private, max-age=86400',
    etag: `"${attachment.sha256}"`,
  };
}
