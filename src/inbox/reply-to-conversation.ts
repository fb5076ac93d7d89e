// The owner answers. A reply through a channel that can send goes to the outbox: stored at once as
// "queued", sent by a job, its delivery state visible. Where the channel cannot send (LinkedIn, a
// phone call), the owner answers there and Portier records it. Either way the clock stops.
import { canSendFrom } from '../entrances/can-send.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import { previewOf } from '../core/preview.ts';
import type { AppContext } from '../http/context.ts';
import { sendReplyJob } from './send-reply-job.ts';

export type ReplyMode = 'send' | 'answered_elsewhere' | 'note';

export async function replyToConversation(
  ctx: AppContext,
  input: { workspaceId: string; userId: string; conversationId: string; text: string; mode: ReplyMode },
): Promise<{ messageId: string }> {
  const db = ctx.storage.db;
  const now = Date.now();
  const conversation = await db
    .selectFrom('conversation')
    .innerJoin('entrance', 'entrance.id', 'conversation.entrance_id')
    .select(['conversation.id', 'conversation.entrance_id', 'conversation.subject', 'entrance.kind', 'entrance.label', 'entrance.config_encrypted'])
    .where('conversation.workspace_id', '=', input.workspaceId)
    .where('conversation.id', '=', input.conversationId)
    .executeTakeFirst();
  if (!conversation) throw new AppError('not_found', 'No such conversation in this workspace.');
  if (input.mode === 'send' && !canSendFrom(ctx, conversation)) {
    throw new AppError('conflict', `"${conversation.label}" cannot send replies from Portier (not supported, or not set up: a webhook entrance needs a reply URL). Answer there, then mark the conversation as answered.`);
  }

  const messageId = newId(now);
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('message')
      .values({
        id: messageId,
        workspace_id: input.workspaceId,
        conversation_id: conversation.id,
        entrance_id: conversation.entrance_id,
        direction: input.mode === 'note' ? 'note' : 'outbound',
        external_id: null,
        identity_id: null,
        author_user_id: input.userId,
        subject: conversation.subject,
        text: input.text,
        html: null,
        sent_at: now,
        delivery_state: input.mode === 'send' ? 'queued' : input.mode === 'answered_elsewhere' ? 'answered_elsewhere' : 'received',
        delivery_error: null,
        created_at: now,
        meta: null,
      })
      .execute();
    if (input.mode !== 'note') {
      // Answered: nothing waits for the owner any more; the conversation waits for the contact.
      await tx.updateTable('conversation').set({ awaiting_since: null, status: 'waiting', last_message_at: now, preview: previewOf(input.text), updated_at: now }).where('id', '=', conversation.id).execute();
    }
    // Enqueued in the same transaction: the reply exists if and only if its send job does.
    if (input.mode === 'send') await ctx.jobs.enqueue(sendReplyJob(ctx), { messageId }, { idempotencyKey: messageId, db: tx });
  });
  await ctx.live.publish({ type: 'message.created', workspaceId: input.workspaceId, conversationId: conversation.id, messageId }).catch(() => {});
  return { messageId };
}
