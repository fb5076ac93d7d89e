// Remote content (images on the sender's server: tracking pixels tell the sender that and when a
// mail was opened) stays blocked until someone in the workspace allows it for that sender. The
// sender is the message's e-mail identity, by its normalised address; a From header can be forged,
// so the permission is a convenience for the reader, never a proof of who wrote.
import { AppError } from '../core/errors.ts';
import type { AppContext } from '../http/context.ts';
import type { DbOrTx } from '../storage/database.ts';
import { recordEvent } from '../storage/repositories/events.ts';

export type RemoteContentState = 'blocked' | 'allowed' | 'none';

/** The sanitiser moves every remote image address to data-remote-src; nothing else loads remotely. */
export function hasRemoteContent(html: string | null): boolean {
  // Text cannot hold a raw "<" after sanitising, so this finds attributes, never words of the mail.
  return html !== null && /<img\b[^>]*\sdata-remote-src="/i.test(html);
}

/** Messages with their sender's address and, if allowed, when; only rows of the workspace. */
function messagesWithSender(db: DbOrTx, workspaceId: string) {
  return db
    .selectFrom('message')
    .leftJoin('identity', (j) => j.onRef('identity.id', '=', 'message.identity_id').onRef('identity.workspace_id', '=', 'message.workspace_id').on('identity.kind', '=', 'email'))
    .leftJoin('remote_content_permission as permission', (j) => j.onRef('permission.workspace_id', '=', 'message.workspace_id').onRef('permission.address_normalized', '=', 'identity.value_normalized'))
    .where('message.workspace_id', '=', workspaceId);
}

/** For the thread view: whether each message's HTML has remote content, and whether it may load. */
export async function remoteContentOf(db: DbOrTx, workspaceId: string, messages: ReadonlyArray<{ id: string; html: string | null }>): Promise<Map<string, { state: RemoteContentState; sender: string | null }>> {
  const withRemote = messages.filter((m) => hasRemoteContent(m.html)).map((m) => m.id);
  const rows = withRemote.length
    ? await messagesWithSender(db, workspaceId).select(['message.id', 'identity.value_normalized as sender', 'permission.allowed_at']).where('message.id', 'in', withRemote).execute()
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out = new Map<string, { state: RemoteContentState; sender: string | null }>();
  for (const m of messages) {
    const row = byId.get(m.id);
    out.set(m.id, row ? { state: row.allowed_at !== null ? 'allowed' : 'blocked', sender: row.sender } : { state: 'none', sender: null });
  }
  return out;
}

export interface MessageForDisplay {
  id: string;
  conversationId: string;
  subject: string | null;
  html: string | null;
  /** The normalised e-mail address of the sender, or null (a note, a reply, a sender without e-mail). */
  sender: string | null;
  remoteAllowed: boolean;
}

export async function findMessageForDisplay(db: DbOrTx, workspaceId: string, messageId: string): Promise<MessageForDisplay | null> {
  const row = await messagesWithSender(db, workspaceId)
    .select(['message.id', 'message.conversation_id', 'message.subject', 'message.html', 'identity.value_normalized as sender', 'permission.allowed_at'])
    .where('message.id', '=', messageId)
    .executeTakeFirst();
  if (!row) return null;
  return { id: row.id, conversationId: row.conversation_id, subject: row.subject, html: row.html, sender: row.sender, remoteAllowed: row.allowed_at !== null };
}

export interface RemoteContentPermission {
  sender: string;
  allowedAt: number;
  allowedByUserId: string | null;
}

async function senderOf(ctx: AppContext, workspaceId: string, messageId: string): Promise<MessageForDisplay & { sender: string }> {
  const message = await findMessageForDisplay(ctx.storage.db, workspaceId, messageId);
  if (!message) throw new AppError('not_found', 'No such message in this workspace.');
  if (!message.sender) {
    throw new AppError('conflict', 'This message has no sender e-mail address, so remote content cannot be allowed for its sender; load it once for this message instead.');
  }
  return message as MessageForDisplay & { sender: string };
}

/** Lets every message from the sender of this message load remote content. Allowing twice keeps the first record. */
export async function allowRemoteContent(ctx: AppContext, workspaceId: string, userId: string, messageId: string): Promise<RemoteContentPermission> {
  const db = ctx.storage.db;
  const message = await senderOf(ctx, workspaceId, messageId);
  const now = Date.now();
  const inserted = await db
    .insertInto('remote_content_permission')
    .values({ workspace_id: workspaceId, address_normalized: message.sender, allowed_by_user_id: userId, allowed_at: now })
    .onConflict((oc) => oc.columns(['workspace_id', 'address_normalized']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
    await recordEvent(db, { workspaceId, actorUserId: userId, type: 'remote_content.allowed', subjectType: 'message', subjectId: message.id, data: { sender: message.sender } }, now);
    await ctx.live.publish({ type: 'conversation.updated', workspaceId, conversationId: message.conversationId }).catch(() => {});
  }
  const row = await db.selectFrom('remote_content_permission').selectAll().where('workspace_id', '=', workspaceId).where('address_normalized', '=', message.sender).executeTakeFirstOrThrow();
  return { sender: row.address_normalized, allowedAt: row.allowed_at, allowedByUserId: row.allowed_by_user_id };
}

/** Blocks remote content from the sender of this message again (nothing happens when it was not allowed). */
export async function revokeRemoteContent(ctx: AppContext, workspaceId: string, userId: string, messageId: string): Promise<void> {
  const db = ctx.storage.db;
  const message = await senderOf(ctx, workspaceId, messageId);
  const deleted = await db.deleteFrom('remote_content_permission').where('workspace_id', '=', workspaceId).where('address_normalized', '=', message.sender).executeTakeFirst();
  if (Number(deleted.numDeletedRows) > 0) {
    await recordEvent(db, { workspaceId, actorUserId: userId, type: 'remote_content.revoked', subjectType: 'message', subjectId: message.id, data: { sender: message.sender } });
    await ctx.live.publish({ type: 'conversation.updated', workspaceId, conversationId: message.conversationId }).catch(() => {});
  }
}
