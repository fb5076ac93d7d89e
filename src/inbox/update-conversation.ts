// Status, snooze and labels: the owner's bookkeeping on a conversation.
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { AppContext } from '../http/context.ts';
import { recordEvent } from '../storage/repositories/events.ts';

export interface ConversationChange {
  /** closed: done; open: back in the inbox. */
  status?: 'open' | 'closed';
  /** Hidden until then, or until the contact writes again; null wakes it now. */
  snoozedUntil?: number | null;
  /** The full set of label names; missing labels are created. */
  labels?: string[];
}

export async function updateConversation(ctx: AppContext, workspaceId: string, userId: string, conversationId: string, change: ConversationChange): Promise<void> {
  const db = ctx.storage.db;
  const now = Date.now();
  await db.transaction().execute(async (tx) => {
    const found = await tx.selectFrom('conversation').select(['id', 'status']).where('workspace_id', '=', workspaceId).where('id', '=', conversationId).executeTakeFirst();
    if (!found) throw new AppError('not_found', 'No such conversation in this workspace.');
    await tx
      .updateTable('conversation')
      .set({
        updated_at: now,
        ...(change.status === 'closed' ? { status: 'closed' as const } : {}),
        ...(change.status === 'open' && found.status === 'closed' ? { status: 'open' as const } : {}),
        ...(change.snoozedUntil !== undefined ? { snoozed_until: change.snoozedUntil } : {}),
      })
      .where('id', '=', conversationId)
      .execute();
    if (change.labels) {
      const names = [...new Set(change.labels.map((l) => l.trim()).filter(Boolean))];
      const existing = names.length ? await tx.selectFrom('label').select(['id', 'name']).where('workspace_id', '=', workspaceId).where('name', 'in', names).execute() : [];
      const ids = existing.map((l) => l.id);
      for (const name of names.filter((n) => !existing.some((l) => l.name === n))) {
        const id = newId(now);
        await tx.insertInto('label').values({ id, workspace_id: workspaceId, name, created_at: now }).execute();
        ids.push(id);
      }
      await tx.deleteFrom('conversation_label').where('conversation_id', '=', conversationId).execute();
      if (ids.length) await tx.insertInto('conversation_label').values(ids.map((label_id) => ({ conversation_id: conversationId, label_id, workspace_id: workspaceId }))).execute();
    }
    await recordEvent(tx, { workspaceId, actorUserId: userId, type: 'conversation.updated', subjectType: 'conversation', subjectId: conversationId, data: change }, now);
  });
  await ctx.live.publish({ type: 'conversation.updated', workspaceId, conversationId }).catch(() => {});
}
