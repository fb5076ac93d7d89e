// "Remind me if no answer in 3 days": at the deadline of such a snooze, the conversation comes back
// into "Waiting for me" unless the contact wrote meanwhile. One job per snooze, enqueued in the
// same transaction as the snooze, due at its deadline; on several nodes pg-boss runs it once.
//
// The work is one conditional UPDATE, so it is right however it races: ingestion clears
// snoozed_until when the contact writes (then nothing matches here), a new snooze changes the
// deadline (then this job is stale and matches nothing), and running twice changes nothing.
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../http/context.ts';
import { defineJob } from '../jobs/index.ts';
import type { DbOrTx } from '../storage/database.ts';

/**
 * Brings a due "no answer" snooze back. The awaiting clock starts at the deadline (it has waited
 * for the owner since then, and sorts among the others by that); follow_up_since keeps the time
 * of the last message, which nobody answered. Returns whether it came back.
 */
export async function wakeUnansweredConversation(db: DbOrTx, conversationId: string, deadline: number, now = Date.now()): Promise<boolean> {
  if (deadline > now) return false;
  const result = await db
    .updateTable('conversation')
    .set((eb) => ({
      status: 'open' as const,
      awaiting_since: eb.ref('snoozed_until'),
      follow_up_since: eb.ref('last_message_at'),
      snoozed_until: null,
      snooze_condition: null,
      updated_at: now,
    }))
    .where('id', '=', conversationId)
    .where('snooze_condition', '=', 'no_answer')
    .where('snoozed_until', '=', deadline)
    .where('awaiting_since', 'is', null)
    .where('status', '!=', 'closed')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export function followUpJob(ctx: AppContext) {
  return defineJob({
    name: 'conversation-follow-up',
    payload: Type.Object({ conversationId: Type.String({ minLength: 1, maxLength: 64 }), deadline: Type.Integer({ minimum: 0 }) }),
    backoff: { baseMs: 5_000, maxMs: 5 * 60_000 },
    async handler({ conversationId, deadline }) {
      const row = await ctx.storage.db.selectFrom('conversation').select('workspace_id').where('id', '=', conversationId).executeTakeFirst();
      if (!row) return; // deleted with its contact: nothing to remind of
      // A queue may start a job a moment early (clock skew between nodes): the deadline is the rule.
      if (await wakeUnansweredConversation(ctx.storage.db, conversationId, deadline, Math.max(Date.now(), deadline))) {
        await ctx.live.publish({ type: 'conversation.updated', workspaceId: row.workspace_id, conversationId }).catch(() => {});
      }
    },
  });
}
