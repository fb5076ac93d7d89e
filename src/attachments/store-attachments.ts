// Attachments of an inbound message, in two steps that ingest-message.ts calls:
//
//  1. `saveAttachmentFiles`, BEFORE the message's transaction: applies the limits and writes the
//     files to the blob store (content-addressed, durable). A file written for a message whose
//     transaction then fails, or that turns out to be a duplicate delivery, is harmless: it is the
//     same file the stored copy uses, or an orphan a future clean-up may remove.
//  2. `insertAttachmentRows`, INSIDE the message's transaction, only for a newly stored message:
//     one row per attachment, and the omitted ones noted in the message's meta. A committed row
//     therefore always names a file that is on disk.
//
// Limits (the store's, see blob-store.ts), and what happens over each: a file over `maxFileBytes`
// (the e-mail parser already drops those at the same 15 MB) is listed as omitted; once the
// message's files together would exceed `maxMessageBytes`, a file that does not fit is listed as
// omitted (later, smaller ones that still fit are kept: the inline images of a signature should not
// be lost to a big PDF before them); beyond `maxFiles` files the rest are omitted. Every omission
// has a note the owner can read.
import type { InboundAttachment } from '../channels/contract.ts';
import { formatBytes } from '../core/format-bytes.ts';
import { newId } from '../core/ids.ts';
import type { DbOrTx } from '../storage/database.ts';
import { DEFAULT_ATTACHMENT_LIMITS, type AttachmentLimits, type BlobStore } from './blob-store.ts';

export type OmittedReason = 'too_large' | 'total_too_large' | 'too_many';

export interface OmittedAttachment {
  filename: string;
  size: number;
  reason: OmittedReason;
}

export interface SavedAttachment {
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  contentId: string | null;
  disposition: 'attachment' | 'inline';
}

export interface SavedAttachments {
  saved: SavedAttachment[];
  omitted: OmittedAttachment[];
  /** Sentences for the owner, one per omission. */
  notes: string[];
}

/** What `insertAttachmentRows` adds to the message's meta when something was left out. */
export interface AttachmentsMeta {
  attachments: { omitted: OmittedAttachment[]; notes: string[] };
}

const MAX_FILENAME_CHARS = 200;
const MAX_CONTENT_ID_CHARS = 500;

/**
 * A file name is display data, never a path: the last segment only, without control characters or
 * the bidirectional overrides that make "invoice‮fdp.exe" read as a PDF, at most 200 characters.
 */
export function cleanFilename(name: string): string {
  const last = name.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').split(/[\\/]/).pop()!.trim();
  const cut = Array.from(last).slice(0, MAX_FILENAME_CHARS).join('').trim();
  return cut && cut !== '.' && cut !== '..' ? cut : 'attachment';
}

/** "type/subtype" in lower case without parameters, or application/octet-stream when it is not one. */
export function cleanContentType(value: string): string {
  const type = value.split(';')[0]!.trim().toLowerCase();
  return type.length <= 100 && /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(type) ? type : 'application/octet-stream';
}

function cleanContentId(value: string | undefined): string | null {
  const id = value?.trim().replace(/^<+|>+$/g, '').trim();
  return id && id.length <= MAX_CONTENT_ID_CHARS && !/[\s\u0000-\u001f\u007f]/.test(id) ? id : null;
}

/** Which attachments fit the limits, in the order given; pure, so the rules are testable alone. */
export function applyAttachmentLimits(attachments: readonly InboundAttachment[], limits: AttachmentLimits = DEFAULT_ATTACHMENT_LIMITS): { kept: InboundAttachment[]; omitted: OmittedAttachment[]; notes: string[] } {
  const kept: InboundAttachment[] = [];
  const omitted: OmittedAttachment[] = [];
  const notes: string[] = [];
  let total = 0;
  for (const a of attachments) {
    const filename = cleanFilename(a.filename);
    const size = a.content.byteLength;
    if (kept.length >= limits.maxFiles) {
      omitted.push({ filename, size, reason: 'too_many' });
      notes.push(`The attachment "${filename}" was not stored: only the first ${limits.maxFiles} attachments of a message are kept. Open the original message to get it.`);
    } else if (size > limits.maxFileBytes) {
      omitted.push({ filename, size, reason: 'too_large' });
      notes.push(`The attachment "${filename}" is ${formatBytes(size)}, over the ${formatBytes(limits.maxFileBytes)} limit: it is listed but not stored. Open the original message to get it.`);
    } else if (total + size > limits.maxMessageBytes) {
      omitted.push({ filename, size, reason: 'total_too_large' });
      notes.push(`The attachment "${filename}" (${formatBytes(size)}) was not stored: with it, this message's attachments would exceed ${formatBytes(limits.maxMessageBytes)} together. Open the original message to get it.`);
    } else {
      kept.push(a);
      total += size;
    }
  }
  return { kept, omitted, notes };
}

/**
 * Step 1, before the message's transaction: writes the files that fit the limits. Null when there
 * is nothing to do (no attachments, or no store: a caller without a data folder stores none).
 */
export async function saveAttachmentFiles(store: BlobStore | undefined, attachments: readonly InboundAttachment[] | undefined): Promise<SavedAttachments | null> {
  if (!store || !attachments?.length) return null;
  const { kept, omitted, notes } = applyAttachmentLimits(attachments, store.limits);
  const saved: SavedAttachment[] = [];
  // One at a time: bounded memory and disk queue, and a message has few files.
  for (const a of kept) {
    const { sha256, size } = await store.put(a.content);
    saved.push({
      filename: cleanFilename(a.filename),
      contentType: cleanContentType(a.contentType),
      size,
      sha256,
      contentId: cleanContentId(a.contentId),
      disposition: a.inline ? 'inline' : 'attachment',
    });
  }
  return { saved, omitted, notes };
}

/**
 * Step 2, inside the transaction that stored the message (never for a duplicate delivery): the
 * rows, and the omitted files in the message's meta under `attachments`.
 */
export async function insertAttachmentRows(tx: DbOrTx, message: { workspaceId: string; messageId: string; now: number }, files: SavedAttachments): Promise<void> {
  if (files.saved.length) {
    // Ids of one moment differ only in their random part: sorted, they keep the attachments'
    // order in the message when listed by id.
    const ids = files.saved.map(() => newId(message.now)).sort();
    await tx
      .insertInto('attachment')
      .values(
        files.saved.map((a, i) => ({
          id: ids[i]!,
          workspace_id: message.workspaceId,
          message_id: message.messageId,
          filename: a.filename,
          content_type: a.contentType,
          size: a.size,
          sha256: a.sha256,
          content_id: a.contentId,
          disposition: a.disposition,
          created_at: message.now,
        })),
      )
      .execute();
  }
  if (files.omitted.length) {
    // Rare (only over a limit), so one more read and write here rather than a wider change to ingest.
    const row = await tx.selectFrom('message').select('meta').where('id', '=', message.messageId).executeTakeFirst();
    const meta = row?.meta ? (JSON.parse(row.meta) as Record<string, unknown>) : {};
    const added: AttachmentsMeta = { attachments: { omitted: files.omitted, notes: files.notes } };
    await tx.updateTable('message').set({ meta: JSON.stringify({ ...meta, ...added }) }).where('id', '=', message.messageId).execute();
  }
}
