// The outbox worker: sends one queued reply through its entrance's channel. Temporary failures are
// retried with backoff; a refusal the channel will repeat (bad credentials, invalid config) fails at
// once. Either way the failure is written on the message, where the owner sees it.
import { Type } from '@sinclair/typebox';
import { ChannelError } from '../channels/contract.ts';
import { adapterFor } from '../channels/registry.ts';
import { openEntranceConfig } from '../entrances/entrance-config.ts';
import type { AppContext } from '../http/context.ts';
import { defineJob, PermanentJobError } from '../jobs/index.ts';

export function sendReplyJob(ctx: AppContext) {
  const db = ctx.storage.db;
  const markFailed = async (messageId: string, workspaceId: string, conversationId: string, reason: string) => {
    await db.updateTable('message').set({ delivery_state: 'failed', delivery_error: reason.slice(0, 1000) }).where('id', '=', messageId).execute();
    await ctx.live.publish({ type: 'message.updated', workspaceId, conversationId, messageId }).catch(() => {});
  };

  return defineJob({
    name: 'send-reply',
    payload: Type.Object({ messageId: Type.String() }),
    maxAttempts: 6,
    backoff: { baseMs: 15_000, maxMs: 30 * 60_000 },
    async handler({ messageId }, job) {
      const row = await db
        .selectFrom('message')
        .innerJoin('conversation', 'conversation.id', 'message.conversation_id')
        .innerJoin('entrance', 'entrance.id', 'message.entrance_id')
        .select(['message.id', 'message.workspace_id', 'message.conversation_id', 'message.text', 'message.subject', 'message.delivery_state', 'conversation.thread_key', 'conversation.contact_id', 'entrance.kind', 'entrance.config_encrypted'])
        .where('message.id', '=', messageId)
        .executeTakeFirst();
      if (!row) throw new PermanentJobError(`Reply ${messageId} no longer exists (the conversation was deleted).`);
      if (row.delivery_state !== 'queued') return; // already sent by an earlier run that crashed before completing
      const adapter = adapterFor(row.kind);
      if (!adapter?.send) {
        await markFailed(row.id, row.workspace_id, row.conversation_id, `The ${row.kind} entrance cannot send replies.`);
        throw new PermanentJobError(`entrance kind ${row.kind} cannot send`);
      }
      const to = await db.selectFrom('identity').select(['kind', 'value', 'verified']).where('contact_id', '=', row.contact_id).execute();
      // Threads answer the latest message the contact sent (e-mail In-Reply-To), not the first.
      const lastInbound = await db
        .selectFrom('message')
        .select('external_id')
        .where('conversation_id', '=', row.conversation_id)
        .where('direction', '=', 'inbound')
        .where('external_id', 'is not', null)
        .orderBy('sent_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      try {
        const result = await adapter.send(openEntranceConfig(ctx.secrets, row) ?? {}, {
          messageId: row.id,
          conversationId: row.conversation_id,
          threadKey: row.thread_key,
          inReplyToExternalId: lastInbound?.external_id ?? undefined,
          to: to.map((i) => ({ kind: i.kind as never, value: i.value, verified: i.verified === 1 })),
          subject: row.subject ?? undefined,
          text: row.text,
        });
        await db.updateTable('message').set({ delivery_state: 'sent', delivery_error: null, external_id: result.externalId }).where('id', '=', row.id).execute();
        await ctx.live.publish({ type: 'message.updated', workspaceId: row.workspace_id, conversationId: row.conversation_id, messageId: row.id }).catch(() => {});
      } catch (err) {
        const permanent = err instanceof ChannelError && (err.kind === 'auth_failed' || err.kind === 'invalid_config' || err.kind === 'invalid_payload');
        const reason = err instanceof Error ? err.message : String(err);
        if (permanent || job.attempt >= job.maxAttempts) {
          await markFailed(row.id, row.workspace_id, row.conversation_id, reason);
          throw new PermanentJobError(reason);
        }
        await db.updateTable('message').set({ delivery_error: `Attempt ${job.attempt} failed, retrying: ${reason}`.slice(0, 1000) }).where('id', '=', row.id).execute();
        throw err;
      }
    },
  });
}
