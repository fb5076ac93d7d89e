// Status, snooze and labels: the owner's bookkeeping on a conversation.
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { AppContext } from '../http/context.ts';
import { recordEvent } from '../storage/repositories/events.ts';
import type { SnoozeCondition } from '../storage/schema.ts';
import { followUpJob } from './follow-up-job.ts';

export interface ConversationChange {
  /** closed: done; open: back in the inbox. */
  status?: 'open' | 'closed';
  /** Hidden until then, or until the contact writes again; null wakes it now. */
  snoozedUntil?: number | null;
  /**
   * With snoozedUntil: 'no_answer' makes it a deadline. If the contact has not written by then,
   * the conversation comes back into "Waiting for me" with the reason; if they write, it wakes as
   * any snooze does. Only for a conversation the owner has answered.
   */
  snoozeCondition?: SnoozeCondition | null;
  /** The full set of label names; missing labels are created. */
  labels?: string[];
}

export async function updateConversation(ctx: AppContext, workspaceId: string, userId: string, conversationId: string, change: ConversationChange): Promise<void> {
  const db = ctx.storage.db;
  const now = Date.now();
  const condition = change.snoozeCondition ?? null;
  if (condition && change.status === 'closed') {
    throw new AppError('validation_failed', 'A conversation marked as done cannot also wait for an answer: send one or the other.', { errors: [{ field: 'body.snoozeCondition', message: 'cannot be combined with status "closed"' }] });
  }
  if (condition && (typeof change.snoozedUntil !== 'number' || change.snoozedUntil <= now)) {
    throw new AppError('validation_failed', 'A snooze "if no answer" needs snoozedUntil: the deadline, a moment in the future.', { errors: [{ field: 'body.snoozedUntil', message: 'must be a future time with snoozeCondition' }] });
  }
  await db.transaction().execute(async (tx) => {
    const found = await tx
      .selectFrom('conversation')
      .select(['id', 'status', 'awaiting_since', 'last_message_at', 'follow_up_since'])
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', conversationId)
      .executeTakeFirst();
    if (!found) throw new AppError('not_found', 'No such conversation in this workspace.');
    // "If no answer" waits for the contact: it needs the owner's answer first, or a follow-up that
    // came back unanswered and is put off again.
    const followUpWaiting = found.follow_up_since !== null && found.awaiting_since !== null && Number(found.last_message_at) === Number(found.follow_up_since);
    if (condition && found.awaiting_since !== null && !followUpWaiting) {
      throw new AppError('conflict', 'This conversation waits for your answer: reply (or mark it as answered) first, then snooze it until the contact answers.');
    }
    if (condition && found.status === 'closed') throw new AppError('conflict', 'This conversation is done: reopen it to wait for an answer.');
    await tx
      .updateTable('conversation')
      .set({
        updated_at: now,
        ...(change.status === 'closed' ? { status: 'closed' as const } : {}),
        ...(change.status === 'open' && found.status === 'closed' ? { status: 'open' as const } : {}),
        ...(change.snoozedUntil !== undefined ? { snoozed_until: change.snoozedUntil, snooze_condition: condition } : {}),
        // Put off again: the clock stops until the new deadline, as after an answer.
        ...(condition && followUpWaiting ? { awaiting_since: null, follow_up_since: null, status: 'waiting' as const } : {}),
      })
      .where('id', '=', conversationId)
      .execute();
    // The deadline's job exists if and only if this snooze does; a later change makes it stale.
    if (condition) await ctx.jobs.enqueue(followUpJob(ctx), { conversationId, deadline: change.snoozedUntil! }, { runAt: change.snoozedUntil!, idempotencyKey: `${conversationId}:${change.snoozedUntil}`, db: tx });
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
