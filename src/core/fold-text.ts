// Text folding for search: lower case without diacritics, so "Zürich" and "zurich" are one word.

/** Folds one string. */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** The words of a search query, folded; FTS syntax in the input has no effect. */
export function queryWords(query: string, max = 8): string[] {
  return [...new Set(foldText(query).match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, max);
}

// Folding and classifying one character at a time is most of a search's own CPU time (30 snippets
// of ~200 characters each): the answers per character are kept.
const foldedChars = new Map<string, string>();
const wordChars = new Map<string, boolean>();
function foldChar(c: string): string {
  let f = foldedChars.get(c);
  if (f === undefined) {
    f = foldText(c);
    if (foldedChars.size < 10_000) foldedChars.set(c, f);
  }
  return f;
}

/**
 * A short excerpt of `text` around the first match, with every word that starts with a query word
 * wrapped in «[[» and «]]». Plain text in, plain text out: the caller escapes it for display.
 */
export function highlightSnippet(text: string, words: string[], radius = 70): string {
  if (!words.length) return text.slice(0, radius * 2);
  // Fold character by character so that positions in the folded text map back to the original.
  const chars = [...text];
  const folded = chars.map(foldChar);
  const isWord = (c: string | undefined) => {
    if (c === undefined) return false;
    let w = wordChars.get(c);
    if (w === undefined) {
      w = /[\p{L}\p{N}]/u.test(c);
      if (wordChars.size < 10_000) wordChars.set(c, w);
    }
    return w;
  };
  const hits: Array<[number, number]> = [];
  for (let i = 0; i < chars.length; i++) {
    if (isWord(folded[i - 1]) || !isWord(folded[i])) continue;
    let end = i;
    while (end < chars.length && isWord(folded[end])) end++;
    const word = folded.slice(i, end).join('');
    if (words.some((w) => word.startsWith(w))) hits.push([i, end]);
    i = end - 1;
  }
  const first = hits[0]?.[0] ?? 0;
  let from = Math.max(0, first - radius);
  let to = Math.min(chars.length, first + radius);
  while (from > 0 && isWord(chars[from - 1])) from--;
  while (to < chars.length && isWord(chars[to])) to++;
  let out = '';
  let pos = from;
  for (const [s, e] of hits) {
    if (e <= from || s >= to) continue;
    out += chars.slice(pos, s).join('') + '[[' + chars.slice(s, e).join('') + ']]';
    pos = e;
  }
  out += chars.slice(pos, to).join('');
  return `${from > 0 ? '…' : ''}${out.replace(/\s+/g, ' ').trim()}${to < chars.length ? '…' : ''}`;
}
