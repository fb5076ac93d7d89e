// Inbound HTML is hostile until proven otherwise: only an allowlist of structural tags survives, no
// scripts, handlers, styles or forms; links get rel=noopener; remote images are not loaded (their
// address moves to data-remote-src, so tracking pixels fire only if the owner allows that sender).
import sanitizeHtml from 'sanitize-html';

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'div', 'span', 'b', 'strong', 'i', 'em', 'u', 's', 'blockquote', 'pre', 'code', 'ul', 'ol', 'li', 'a', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'hr', 'img', 'sub', 'sup'],
  allowedAttributes: { a: ['href', 'title'], img: ['src', 'alt', 'width', 'height', 'data-remote-src'], td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan'] },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  // Inline images (cid: parts of the same mail, data: URIs) load from the message itself; remote ones
  // are moved to data-remote-src by the transform below before this filter sees them.
  allowedSchemesByTag: { img: ['cid', 'data'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener noreferrer nofollow', target: '_blank' } }),
    img: (tagName, attribs) => {
      const src = (attribs.src ?? '').trim();
      const { src: _drop, ...rest } = attribs;
      // Only images carried by the message itself load; a relative address would load from Portier.
      if (/^(cid|data):/i.test(src)) return { tagName, attribs: { ...rest, src } };
      if (/^(https?:)?\/\//i.test(src)) return { tagName, attribs: { ...rest, 'data-remote-src': src.startsWith('//') ? `https:${src}` : src } };
      return { tagName, attribs: rest };
    },
  },
};

export function sanitizeInboundHtml(html: string): string {
  return sanitizeHtml(html, { ...OPTIONS, allowedAttributes: { ...OPTIONS.allowedAttributes, a: ['href', 'title', 'rel', 'target'] } });
}
