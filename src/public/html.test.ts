import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw, toHtmlString } from './html.ts';

const hostile = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  '`${alert(1)}`',
  '&lt;already escaped&gt;',
  '</textarea><script>alert(1)</script>',
  '<!-- comment --><![CDATA[x]]>',
];

describe('the html tag', () => {
  it.each(hostile)('escapes an interpolated hostile string: %s', (s) => {
    const out = toHtmlString(html`<p title="${s}">${s}</p>`);
    expect(out).not.toMatch(/<script|<img|<!--|<\/textarea/);
    expect(out.match(/"/g)).toHaveLength(2);
    expect(out).not.toContain("'");
    expect(out).not.toContain('`');
  });

  it('round-trips text: decoding the escaped form gives the original', () => {
    for (const s of hostile) {
      const decoded = escapeHtml(s).replace(/&(lt|gt|quot|#39|#96|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", '#96': '`', amp: '&' })[e]!);
      expect(decoded).toBe(s);
    }
  });

  it('inserts nested templates and raw() markup as markup, and arrays item by item', () => {
    const items = ['<a>', 'b'].map((x) => html`<li>${x}</li>`);
    expect(toHtmlString(html`<ul>${items}</ul>${raw('<hr>')}`)).toBe('<ul><li>&lt;a&gt;</li><li>b</li></ul><hr>');
  });

  it('renders nothing for null, undefined and false, and numbers as text', () => {
    expect(toHtmlString(html`${null}${undefined}${false}${0}${12.5}`)).toBe('012.5');
  });

  it('does not treat look-alike objects as markup', () => {
    const fake = { value: '<script>', safe: true } as unknown as string;
    expect(toHtmlString(html`${fake}`)).not.toContain('<script>');
  });
});
