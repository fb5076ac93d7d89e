// Attachment files, served from the blob store. The URL names the message and the attachment and
// is what the HTML mail view points cid: images at (with ?inline=1), so keep its shape.
import { Type } from '@sinclair/typebox';
import { BlobStore } from '../../attachments/blob-store.ts';
import { downloadHeaders } from '../../attachments/download-headers.ts';
import { findAttachment } from '../../attachments/list-attachments.ts';
import { AppError } from '../../core/errors.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { authOf, requireAuth } from '../plugins/auth.ts';
import { errorResponses, Id } from '../schemas.ts';

/** One stored attachment of a message, as the conversation view lists it. */
export const AttachmentOut = Type.Object({
  id: Type.String(),
  filename: Type.String(),
  contentType: Type.String({ description: 'As the sender declared it; the download uses it only for png, jpeg, gif and webp images' }),
  size: Type.Integer({ description: 'Bytes' }),
  inline: Type.Boolean({ description: 'Meant to be shown inside the message (an image of its HTML)' }),
  contentId: Type.Union([Type.String(), Type.Null()], { description: 'What cid: URLs in the message HTML name, without angle brackets' }),
});

/** An attachment the message lists but Portier did not store, and why. */
export const OmittedAttachmentOut = Type.Object({
  filename: Type.String(),
  size: Type.Integer({ description: 'Bytes' }),
  reason: Type.Union([Type.Literal('too_large'), Type.Literal('total_too_large'), Type.Literal('too_many')], {
    description: 'too_large: over the per-file limit (15 MB); total_too_large: the message\'s files together would exceed 40 MB; too_many: over 100 files',
  }),
});

export function registerAttachmentRoutes(app: Api, ctx: AppContext): void {
  const db = ctx.storage.db;
  const store = new BlobStore(ctx.config.dataDir);

  app.get('/api/v1/messages/:messageId/attachments/:attachmentId', {
    schema: {
      tags: ['inbox'],
      summary: 'The file of one attachment',
      description:
        'Streams the stored bytes. Only png, jpeg, gif and webp images keep their type and may be shown inline (`?inline=1`); every other file is served as application/octet-stream for download. The file name is in Content-Disposition (filename*, UTF-8).',
      params: Type.Object({ messageId: Id, attachmentId: Id }, { additionalProperties: false }),
      querystring: Type.Object({ inline: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('0')], { description: '1: show a safe image inline instead of downloading it' })) }, { additionalProperties: false }),
      response: {
        200: { description: 'The file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
        304: { description: 'Not modified (If-None-Match matched the ETag)', type: 'null' },
        ...errorResponses(401, 404),
      },
    },
    onRequest: requireAuth(),
  }, async (request, reply) => {
    const auth = authOf(request);
    const { messageId, attachmentId } = request.params;
    const row = await findAttachment(db, auth.workspaceId, messageId, attachmentId);
    if (!row) throw new AppError('not_found', 'This message has no such attachment in this workspace.');
    const headers = downloadHeaders(row, { inline: request.query.inline === '1' });
    if (request.headers['if-none-match'] === headers.etag) return reply.code(304).headers(headers).send();
    const blob = await store.open(row.sha256);
    if (!blob) {
      request.log.warn({ attachmentId: row.id, sha256: row.sha256, dir: store.root }, 'an attachment file is missing from the data folder');
      throw new AppError('not_found', `The file of "${row.filename}" is missing from Portier's data folder (restored without its attachments folder?). Ask the administrator to put the attachments folder back from a backup.`);
    }
    return reply.headers({ ...headers, 'content-length': String(blob.size) }).send(blob.stream);
  });
}
