import { Type } from '@sinclair/typebox';
import { AppError } from '../../core/errors.ts';
import { findConversation, listConversations, listMessages } from '../../storage/repositories/conversations.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { authOf, requireAuth } from '../plugins/auth.ts';
import { EntranceKind, errorResponses, Id, IdParams } from '../schemas.ts';

const ConversationSummary = Type.Object({
  id: Type.String(),
  contact: Type.Object({ id: Type.String(), displayName: Type.String() }),
  entrance: Type.Object({ id: Type.String(), kind: EntranceKind, label: Type.String() }),
  subject: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('open'), Type.Literal('waiting'), Type.Literal('closed')]),
  awaitingSince: Type.Union([Type.Number(), Type.Null()]),
  lastMessageAt: Type.Number(),
  preview: Type.String(),
});

const MessageOut = Type.Object({
  id: Type.String(),
  direction: Type.Union([Type.Literal('inbound'), Type.Literal('outbound'), Type.Literal('note')]),
  text: Type.String(),
  sentAt: Type.Number(),
  deliveryState: Type.String(),
  authorName: Type.Union([Type.String(), Type.Null()]),
});

const PREVIEW_LENGTH = 140;

type SummaryRow = {
  id: string; subject: string | null; status: 'open' | 'waiting' | 'closed'; awaiting_since: number | null; last_message_at: number;
  contact_id: string; contact_name: string; entrance_id: string; entrance_kind: string; entrance_label: string; preview?: string | null;
};

function toSummary(r: SummaryRow) {
  return {
    id: r.id,
    contact: { id: r.contact_id, displayName: r.contact_name },
    entrance: { id: r.entrance_id, kind: r.entrance_kind as never, label: r.entrance_label },
    subject: r.subject,
    status: r.status,
    awaitingSince: r.awaiting_since,
    lastMessageAt: r.last_message_at,
    preview: (r.preview ?? '').replace(/\s+/g, ' ').trim().slice(0, PREVIEW_LENGTH),
  };
}

const encodeCursor = (value: number, id: string) => Buffer.from(JSON.stringify([value, id])).toString('base64url');
function decodeCursor(cursor: string): { value: number; id: string } {
  try {
    const [value, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof value === 'number' && typeof id === 'string') return { value, id };
  } catch { /* fall through */ }
  throw new AppError('validation_failed', 'cursor is not a cursor this API returned; start again without it.', { errors: [{ field: 'querystring.cursor', message: 'is not valid' }] });
}

export function registerConversationRoutes(app: Api, ctx: AppContext): void {
  const db = ctx.storage.db;

  app.get('/api/v1/conversations', {
    schema: {
      tags: ['inbox'],
      summary: 'A page of conversations in one inbox view',
      querystring: Type.Object(
        {
          view: Type.Optional(Type.Union([Type.Literal('waiting'), Type.Literal('open'), Type.Literal('snoozed'), Type.Literal('done')], { default: 'waiting' })),
          entranceId: Type.Optional(Id),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        },
        { additionalProperties: false },
      ),
      response: { 200: Type.Object({ items: Type.Array(ConversationSummary), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(400, 401) },
    },
    preHandler: requireAuth(),
  }, async (request) => {
    const auth = authOf(request);
    const { view = 'waiting', entranceId, limit = 50, cursor } = request.query;
    const rows = await listConversations(db, auth.workspaceId, { view, entranceId, limit: limit + 1, after: cursor ? decodeCursor(cursor) : undefined, now: Date.now() });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(toSummary),
      nextCursor: rows.length > limit && last ? encodeCursor(Number(last.sort_value), last.id) : null,
    };
  });

  app.get('/api/v1/conversations/:id', {
    schema: {
      tags: ['inbox'],
      summary: 'One conversation with its messages',
      params: IdParams,
      response: { 200: Type.Object({ conversation: ConversationSummary, messages: Type.Array(MessageOut) }), ...errorResponses(401, 404) },
    },
    preHandler: requireAuth(),
  }, async (request) => {
    const auth = authOf(request);
    const conversation = await findConversation(db, auth.workspaceId, request.params.id);
    if (!conversation) throw new AppError('not_found', 'No such conversation in this workspace.');
    const messages = await listMessages(db, auth.workspaceId, conversation.id);
    return {
      conversation: toSummary({ ...conversation, preview: messages.at(-1)?.text }),
      messages: messages.map((m) => ({ id: m.id, direction: m.direction, text: m.text, sentAt: m.sent_at, deliveryState: m.delivery_state, authorName: m.author_name })),
    };
  });
}
