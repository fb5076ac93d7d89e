import { describe, expect, it } from 'vitest';
import { sanitizeInboundHtml } from './sanitize.ts';

describe('inbound HTML sanitising', () => {
  it('removes scripts, handlers, javascript: links, forms and frames', () => {
    const out = sanitizeInboundHtml('<p onclick="x()">Hi<script>alert(1)</script></p><a href="javascript:alert(1)">a</a><form action="/x"><input></form><iframe src="https://e.example"></iframe><style>p{}</style>');
    expect(out).toBe('<p>Hi</p><a rel="noopener noreferrer nofollow" target="_blank">a</a>');
  });

  it('loads only images carried by the message; remote ones wait behind data-remote-src, relative ones go', () => {
    const out = sanitizeInboundHtml('<img src=x onerror=alert(1)><img src="//t.example/p.gif"><img src="cid:logo@mail"><img src="https://t.example/a.png" alt="a">');
    expect(out).toBe('<img /><img data-remote-src="https://t.example/p.gif" /><img src="cid:logo@mail" /><img alt="a" data-remote-src="https://t.example/a.png" />');
  });
});
