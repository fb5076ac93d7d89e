// Plain text from an HTML-only e-mail, for search, previews and quote splitting. Not a renderer:
// block elements become line breaks, <blockquote> content is prefixed with "> " (so that a Gmail
// or Outlook HTML reply splits like a plain-text one), scripts, styles and heads disappear, and
// entities are decoded. The HTML itself is kept and sanitised separately for display.

const SKIP_CONTENT = new Set(['script', 'style', 'head', 'title', 'noscript', 'template', 'svg', 'xml', 'object']);
const BLOCK = new Set(['p', 'div', 'section', 'article', 'header', 'footer', 'table', 'tr', 'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre', 'hr', 'dl', 'dt', 'dd', 'center', 'address', 'form', 'fieldset', 'blockquote']);

const NAMED: Record<string, string> = {
  nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", shy: '', zwnj: '', zwj: '',
  hellip: '…', mdash: '—', ndash: '–', laquo: '«', raquo: '»', lsquo: '‘', rsquo: '’', sbquo: '‚', ldquo: '“', rdquo: '”', bdquo: '„',
  euro: '€', pound: '£', yen: '¥', cent: '¢', copy: '©', reg: '®', trade: '™', deg: '°', middot: '·', bull: '•', times: '×', divide: '÷', para: '¶', sect: '§',
  agrave: 'à', aacute: 'á', acirc: 'â', atilde: 'ã', auml: 'ä', aring: 'å', aelig: 'æ', ccedil: 'ç', egrave: 'è', eacute: 'é', ecirc: 'ê', euml: 'ë',
  igrave: 'ì', iacute: 'í', icirc: 'î', iuml: 'ï', ntilde: 'ñ', ograve: 'ò', oacute: 'ó', ocirc: 'ô', otilde: 'õ', ouml: 'ö', oslash: 'ø', oelig: 'œ',
  ugrave: 'ù', uacute: 'ú', ucirc: 'û', uuml: 'ü', yacute: 'ý', yuml: 'ÿ', szlig: 'ß',
  Agrave: 'À', Aacute: 'Á', Acirc: 'Â', Atilde: 'Ã', Auml: 'Ä', Aring: 'Å', AElig: 'Æ', Ccedil: 'Ç', Egrave: 'È', Eacute: 'É', Ecirc: 'Ê', Euml: 'Ë',
  Igrave: 'Ì', Iacute: 'Í', Icirc: 'Î', Iuml: 'Ï', Ntilde: 'Ñ', Ograve: 'Ò', Oacute: 'Ó', Ocirc: 'Ô', Otilde: 'Õ', Ouml: 'Ö', Oslash: 'Ø', OElig: 'Œ',
  Ugrave: 'Ù', Uacute: 'Ú', Ucirc: 'Û', Uuml: 'Ü', Yacute: 'Ý',
};

export function decodeHtmlEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z][a-z0-9]{1,31});?/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : '';
    }
    return NAMED[name] ?? NAMED[name.toLowerCase()] ?? whole;
  });
}

/** Converts untrusted HTML to readable text; linear in the input, never executes or fetches anything. */
export function htmlToText(html: string): string {
  const lines: string[] = [];
  let line = '';
  let quoteDepth = 0;
  let skipping: string | null = null;
  let preDepth = 0;

  const flush = () => {
    const prefix = quoteDepth > 0 ? `${'>'.repeat(quoteDepth)} ` : '';
    lines.push(prefix + line.replace(/[ \t]+$/g, ''));
    line = '';
  };
  const breakBlock = () => {
    if (line.trim()) flush();
    else line = '';
  };

  const token = /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)\b[^>]*>|<![^>]*>|<\?[^>]*>/g;
  let last = 0;
  for (let m = token.exec(html); m; m = token.exec(html)) {
    const textChunk = html.slice(last, m.index);
    last = token.lastIndex;
    if (!skipping && textChunk) appendText(textChunk);
    const name = m[2]?.toLowerCase();
    if (!name) continue;
    const closing = m[1] === '/';
    if (skipping) {
      if (closing && name === skipping) skipping = null;
      continue;
    }
    if (SKIP_CONTENT.has(name) && !closing && !m[0].endsWith('/>')) {
      skipping = name;
      continue;
    }
    if (name === 'br') {
      flush();
    } else if (name === 'blockquote') {
      breakBlock();
      quoteDepth = Math.max(0, quoteDepth + (closing ? -1 : 1));
    } else if (name === 'pre') {
      breakBlock();
      preDepth = Math.max(0, preDepth + (closing ? -1 : 1));
    } else if (name === 'td' || name === 'th') {
      if (closing && line.trim()) line += ' ';
    } else if (BLOCK.has(name)) {
      breakBlock();
      // A paragraph or heading ends with a blank line, as it reads in the mail program.
      if (closing && /^(p|h[1-6]|table|ul|ol)$/.test(name)) lines.push('');
    }
  }
  if (!skipping) appendText(html.slice(last));
  flush();

  function appendText(chunk: string) {
    const decoded = decodeHtmlEntities(chunk);
    if (preDepth > 0) {
      const parts = decoded.split(/\r?\n/);
      parts.forEach((p, i) => {
        if (i > 0) flush();
        line += p;
      });
      return;
    }
    const collapsed = decoded.replace(/[\s\u00a0]+/g, (ws) => (ws.includes('\u00a0') ? ' ' : ' '));
    line += line.length === 0 || line.endsWith(' ') ? collapsed.replace(/^ /, '') : collapsed;
  }

  // Blank lines collapse to at most one, and the text has no leading or trailing blank lines.
  const out: string[] = [];
  for (const l of lines) {
    const blank = !l.replace(/^>+ ?/, '').trim();
    if (blank && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(blank ? '' : l);
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}
