// A message's HTML as a document of its own, for an <iframe sandbox> in the web app (never with
// allow-scripts). Three walls stand between hostile mail and the owner: the sanitiser (again on the
// way out, so a row stored by an older or buggy version is cleaned too), the frame's sandbox, and
// this document's own CSP, which loads nothing but Portier's own images and data: URIs — plus
// http(s) images only when remote content is allowed for the sender, or asked for once (?remote=1).
// Remote images wait behind data-remote-src (see sanitize.ts) and get their src back only then.
import { Type } from '@sinclair/typebox';
import sanitizeHtml from 'sanitize-html';
import { AppError } from '../../core/errors.ts';
import { sanitizeInboundHtml } from '../../core/sanitize.ts';
import { allowRemoteContent, findMessageForDisplay, revokeRemoteContent } from '../../inbox/remote-content.ts';
import { html, raw, toHtmlString } from '../../public/html.ts';
import type { DbOrTx } from '../../storage/database.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { authOf, requireAuth } from '../plugins/auth.ts';
import { errorResponses, Id } from '../schemas.ts';

const MessageParams = Type.Object({ messageId: Id }, { additionalProperties: false });

/** The frame's CSP: nothing runs, nothing is submitted, nothing loads but images (see above). */
export function messageDocumentCsp(remote: boolean): string {
  return [
    "default-src 'none'",
    "script-src 'none'",
    "style-src 'unsafe-inline'",
    `img-src 'self' data:${remote ? ' https: http:' : ''}`,
    "form-action 'none'",
    "frame-ancestors 'self'",
    "base-uri 'none'",
  ].join('; ');
}

// Readable without the sender's styles (the sanitiser drops them all): the system font, links and
// text in the colours of the reader's light or dark scheme, pictures no wider than the frame.
const BASE_STYLESHEET = `
:root { color-scheme: light dark; }
html { margin: 0; padding: 0; background: transparent; }
body { margin: 0; padding: 1px 0; display: flow-root; font: 0.95rem/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif; color: CanvasText; overflow-wrap: anywhere; }
a[href] { color: LinkText; }
img { max-width: 100%; height: auto; }
img[data-remote-src] { display: inline-block; min-width: 1.5em; min-height: 1.5em; outline: 1px dashed GrayText; outline-offset: -1px; }
table { border-collapse: collapse; max-width: 100%; }
td, th { padding: 0.15em 0.4em; vertical-align: top; text-align: start; }
pre, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace; font-size: 0.9em; }
pre { white-space: pre-wrap; }
blockquote { margin: 0.5em 0; padding-left: 0.75em; border-left: 3px solid GrayText; }
h1, h2, h3, h4, h5, h6 { line-height: 1.25; margin: 0.75em 0 0.4em; }
h1 { font-size: 1.4em; } h2 { font-size: 1.25em; } h3 { font-size: 1.1em; } h4, h5, h6 { font-size: 1em; }
p { margin: 0 0 0.75em; }
`;

/** RFC 2392: a cid: URL is the Content-ID without angle brackets, %-encoded. */
function contentIdOf(src: string): string | null {
  try {
    return decodeURIComponent(src.slice(4)).trim().replace(/^<|>$/g, '') || null;
  } catch {
    return null;
  }
}

async function inlineImagesOf(db: DbOrTx, workspaceId: string, messageId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('attachment')
    .select(['id', 'content_id'])
    .where('workspace_id', '=', workspaceId)
    .where('message_id', '=', messageId)
    .where('content_id', 'is not', null)
    .orderBy('id')
    .execute();
  const byCid = new Map<string, string>();
  // Content-IDs are compared as written, then without regard to case (mail programs differ).
  for (const r of rows) if (r.content_id && !byCid.has(r.content_id)) byCid.set(r.content_id, r.id);
  for (const r of rows) if (r.content_id && !byCid.has(r.content_id.toLowerCase())) byCid.set(r.content_id.toLowerCase(), r.id);
  return byCid;
}

/**
 * Points images where the frame may load them. Runs on the sanitiser's output and lets every tag
 * and attribute of it through: the allowlist stays in sanitize.ts, this pass only rewrites <img src>.
 */
function placeImages(sanitized: string, options: { remote: boolean; messageId: string; inline: Map<string, string> }): string {
  return sanitizeHtml(sanitized, {
    // Everything the sanitiser let through passes (no <script> or <style> is left to pass).
    allowedTags: false,
    allowedAttributes: false,
    allowVulnerableTags: true,
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['http', 'https', 'data'] },
    allowProtocolRelative: false,
    transformTags: {
      img: (tagName, attribs) => {
        const { src, 'data-remote-src': remoteSrc, ...rest } = attribs;
        if (src && /^cid:/i.test(src)) {
          const cid = contentIdOf(src);
          const attachmentId = cid ? (options.inline.get(cid) ?? options.inline.get(cid.toLowerCase())) : undefined;
          // A part the mail does not hold is no image (not a broken one): its description stays, as text.
          if (!attachmentId) return { tagName: 'span', attribs: {}, text: rest.alt ?? '' };
          return { tagName, attribs: { ...rest, src: `/api/v1/messages/${encodeURIComponent(options.messageId)}/attachments/${encodeURIComponent(attachmentId)}?inline=1` } };
        }
        if (src) return { tagName, attribs: { ...rest, src } };
        if (remoteSrc && options.remote && /^https?:\/\//i.test(remoteSrc)) return { tagName, attribs: { ...rest, src: remoteSrc } };
        return { tagName, attribs: remoteSrc ? { ...rest, 'data-remote-src': remoteSrc } : rest };
      },
    },
  });
}

export function renderMessageDocument(body: string, subject: string | null): string {
  return toHtmlString(html`<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<base target="_blank">
<title>${subject ?? ''}</title>
<style>${raw(BASE_STYLESHEET)}</style>
</head>
<body>${raw(body)}</body>
</html>
`);
}

export function registerMessageHtmlRoutes(app: Api, ctx: AppContext): void {
  const db = ctx.storage.db;

  app.get('/api/v1/messages/:messageId/html', {
    schema: {
      tags: ['inbox'],
      summary: "A message's HTML as a document for a sandboxed frame",
      description:
        'The sanitised HTML with a base stylesheet, links opening outside. Remote images load only when remote content is allowed for the sender (PUT …/remote-content) or with remote=1 for this one view; the document\'s own Content-Security-Policy enforces it. Inline (cid:) images point at the message\'s attachments.',
      params: MessageParams,
      querystring: Type.Object({ remote: Type.Optional(Type.Union([Type.Literal('0'), Type.Literal('1')], { description: '1: load remote images this once' })) }, { additionalProperties: false }),
      response: { 200: { description: 'An HTML document', content: { 'text/html': { schema: Type.String() } } }, ...errorResponses(400, 401, 404) },
    },
    onRequest: requireAuth(),
  }, async (request, reply) => {
    const auth = authOf(request);
    const message = await findMessageForDisplay(db, auth.workspaceId, request.params.messageId);
    if (!message) throw new AppError('not_found', 'No such message in this workspace.');
    if (message.html === null) throw new AppError('not_found', 'This message has no HTML part; its text is in the conversation.');
    const remote = message.remoteAllowed || request.query.remote === '1';
    const sanitized = sanitizeInboundHtml(message.html);
    const inline = /\ssrc="cid:/i.test(sanitized) ? await inlineImagesOf(db, auth.workspaceId, message.id) : new Map<string, string>();
    const body = placeImages(sanitized, { remote, messageId: message.id, inline });
    return reply
      .header('content-security-policy', messageDocumentCsp(remote))
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'private, no-store')
      .type('text/html; charset=utf-8')
      .send(renderMessageDocument(body, message.subject));
  });

  const PermissionOut = Type.Object({
    sender: Type.String({ description: 'The normalised e-mail address the permission is for' }),
    allowedAt: Type.Number(),
    allowedByUserId: Type.Union([Type.String(), Type.Null()]),
  });

  app.put('/api/v1/messages/:messageId/remote-content', {
    schema: {
      tags: ['inbox'],
      summary: 'Always load remote content (images) in mail from the sender of this message',
      description: 'The permission is for the sender\'s e-mail address in this workspace, and is kept with who gave it and when. Allowing again changes nothing. 409 when the message has no sender e-mail address.',
      params: MessageParams,
      response: { 200: PermissionOut, ...errorResponses(400, 401, 403, 404, 409) },
    },
    onRequest: requireAuth(),
  }, async (request) => {
    const auth = authOf(request);
    return allowRemoteContent(ctx, auth.workspaceId, auth.userId, request.params.messageId);
  });

  app.delete('/api/v1/messages/:messageId/remote-content', {
    schema: {
      tags: ['inbox'],
      summary: 'Block remote content from the sender of this message again',
      params: MessageParams,
      response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
    },
    onRequest: requireAuth(),
  }, async (request, reply) => {
    const auth = authOf(request);
    await revokeRemoteContent(ctx, auth.workspaceId, auth.userId, request.params.messageId);
    return reply.status(204).send(null);
  });
}
