import { Type } from '@sinclair/typebox';
import { logManualMessage } from '../../inbox/log-manual-message.ts';
import { replyToConversation } from '../../inbox/reply-to-conversation.ts';
import { updateConversation } from '../../inbox/update-conversation.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { authOf, requireAuth } from '../plugins/auth.ts';
import { errorResponses, Id, IdParams, Text } from '../schemas.ts';

export function registerConversationActionRoutes(app: Api, ctx: AppContext): void {
  app.post('/api/v1/conversations/:id/messages', {
    schema: {
      tags: ['inbox'],
      summary: 'Reply, record an answer given elsewhere, or add an internal note',
      description: 'mode "send" queues the reply in the outbox (the channel must be able to send); "answered_elsewhere" records that you answered on the network itself; "note" is visible only to your team. The first two stop the awaiting-reply clock.',
      params: IdParams,
      body: Type.Object(
        { text: Text(50_000, { minLength: 1 }), mode: Type.Union([Type.Literal('send'), Type.Literal('answered_elsewhere'), Type.Literal('note')]) },
        { additionalProperties: false },
      ),
      response: { 201: Type.Object({ messageId: Type.String() }), ...errorResponses(400, 401, 403, 404, 409) },
    },
    onRequest: requireAuth(),
  }, async (request, reply) => {
    const auth = authOf(request);
    const result = await replyToConversation(ctx, { workspaceId: auth.workspaceId, userId: auth.userId, conversationId: request.params.id, ...request.body });
    return reply.status(201).send(result);
  });

  app.patch('/api/v1/conversations/:id', {
    schema: {
      tags: ['inbox'],
      summary: 'Close or reopen, snooze, or label a conversation',
      params: IdParams,
      body: Type.Object(
        {
          status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])),
          // Null first: with type coercion on, null tried against the integer would become 0.
          snoozedUntil: Type.Optional(Type.Union([Type.Null(), Type.Integer({ minimum: 0 })])),
          snoozeCondition: Type.Optional(Type.Union([Type.Literal('no_answer'), Type.Null()], { description: '"no_answer": snoozedUntil is a deadline; if the contact has not written by then, the conversation comes back into "Waiting for me"' })),
          labels: Type.Optional(Type.Array(Text(40, { minLength: 1 }), { maxItems: 20 })),
        },
        { additionalProperties: false },
      ),
      response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
    },
    onRequest: requireAuth(),
  }, async (request, reply) => {
    const auth = authOf(request);
    await updateConversation(ctx, auth.workspaceId, auth.userId, request.params.id, request.body);
    return reply.status(204).send(null);
  });

  app.post('/api/v1/entrances/:id/messages', {
    schema: {
      tags: ['inbox'],
      summary: 'Log a phone call, a conversation in person or a recommendation',
      params: IdParams,
      body: Type.Object(
        {
          sender: Type.Object({ name: Text(200, { minLength: 1 }), email: Type.Optional(Text(254)), phone: Type.Optional(Text(40)) }, { additionalProperties: false }),
          text: Text(50_000, { minLength: 1 }),
          sentAt: Type.Optional(Type.Integer({ minimum: 0 })),
          referral: Type.Optional(Text(500)),
          awaitingReply: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
      response: { 201: Type.Object({ conversationId: Id, contactId: Id, messageId: Id }), ...errorResponses(400, 401, 403, 404, 409) },
    },
    onRequest: requireAuth(),
  }, async (request, reply) => {
    const auth = authOf(request);
    const r = await logManualMessage(ctx, auth.workspaceId, { entranceId: request.params.id, ...request.body });
    return reply.status(201).send({ conversationId: r.conversationId, contactId: r.contactId, messageId: r.messageId });
  });
}
