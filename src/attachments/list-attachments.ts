// Reading attachment rows: all of a page of messages in one query, or one for a download. Every
// query names the workspace, so another workspace's id finds nothing.
import type { DbOrTx } from '../storage/database.ts';
import type { OmittedAttachment, OmittedReason } from './store-attachments.ts';

export interface AttachmentSummary {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  inline: boolean;
  contentId: string | null;
}

/** The attachments of these messages, by message id, in their order in each message. */
export async function listAttachmentsOfMessages(db: DbOrTx, workspaceId: string, messageIds: readonly string[]): Promise<Map<string, AttachmentSummary[]>> {
  const byMessage = new Map<string, AttachmentSummary[]>();
  if (!messageIds.length) return byMessage;
  const rows = await db
    .selectFrom('attachment')
    .select(['id', 'message_id', 'filename', 'content_type', 'size', 'content_id', 'disposition'])
    .where('workspace_id', '=', workspaceId)
    .where('message_id', 'in', messageIds)
    .orderBy('message_id')
    .orderBy('id')
    .execute();
  for (const r of rows) {
    const list = byMessage.get(r.message_id) ?? [];
    list.push({ id: r.id, filename: r.filename, contentType: r.content_type, size: Number(r.size), inline: r.disposition === 'inline', contentId: r.content_id });
    byMessage.set(r.message_id, list);
  }
  return byMessage;
}

/** One attachment of one message of this workspace, or undefined. */
export async function findAttachment(db: DbOrTx, workspaceId: string, messageId: string, attachmentId: string) {
  return db
    .selectFrom('attachment')
    .select(['id', 'filename', 'content_type', 'sha256'])
    .where('workspace_id', '=', workspaceId)
    .where('message_id', '=', messageId)
    .where('id', '=', attachmentId)
    .executeTakeFirst();
}

const REASONS = new Set<OmittedReason>(['too_large', 'total_too_large', 'too_many']);

/**
 * The attachments a message lists but Portier did not store, read from its meta: those the e-mail
 * parser dropped (over its per-file limit) and those over the ingest limits (store-attachments.ts).
 */
export function omittedAttachmentsOf(meta: Record<string, unknown> | null): OmittedAttachment[] {
  if (!meta) return [];
  const out: OmittedAttachment[] = [];
  const email = meta.email as { attachmentsOmitted?: Array<{ filename?: unknown; size?: unknown }> } | undefined;
  for (const a of Array.isArray(email?.attachmentsOmitted) ? email.attachmentsOmitted : []) {
    if (typeof a?.filename === 'string' && typeof a.size === 'number') out.push({ filename: a.filename, size: a.size, reason: 'too_large' });
  }
  const stored = meta.attachments as { omitted?: Array<{ filename?: unknown; size?: unknown; reason?: unknown }> } | undefined;
  for (const a of Array.isArray(stored?.omitted) ? stored.omitted : []) {
    if (typeof a?.filename === 'string' && typeof a.size === 'number' && REASONS.has(a.reason as OmittedReason)) out.push({ filename: a.filename, size: a.size, reason: a.reason as OmittedReason });
  }
  return out;
}
