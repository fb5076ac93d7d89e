import { Type, type TSchema } from '@sinclair/typebox';
import { canSendFrom } from '../../entrances/can-send.ts';
import { previewOf } from '../../core/preview.ts';
import { AppError } from '../../core/errors.ts';
import { remoteContentOf } from '../../inbox/remote-content.ts';
import { countConversationsByView, findConversation, listConversationLabels, listConversations, listMessages, noAnswerSince, snoozeConditionOf } from '../../storage/repositories/conversations.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { authOf, requireAuth } from '../plugins/auth.ts';
import { listAttachmentsOfMessages, omittedAttachmentsOf } from '../../attachments/list-attachments.ts';
import { AttachmentOut, OmittedAttachmentOut } from './attachments.ts';
import { EntranceKind, errorResponses, Id, IdParams, Text } from '../schemas.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';

const ConversationSummary = Type.Object({
  id: Type.String(),
  contact: Type.Object({ id: Type.String(), displayName: Type.String() }),
  entrance: Type.Object({ id: Type.String(), kind: EntranceKind, label: Type.String() }),
  subject: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('open'), Type.Literal('waiting'), Type.Literal('closed')]),
  awaitingSince: Type.Union([Type.Number(), Type.Null()]),
  lastMessageAt: Type.Number(),
  preview: Type.String(),
  noAnswerSince: Type.Union([Type.Number(), Type.Null()], { description: 'Back from a snooze "if no answer": when the last message, which nobody answered, was sent' }),
});

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const MessageOut = Type.Object({
  id: Type.String(),
  direction: Type.Union([Type.Literal('inbound'), Type.Literal('outbound'), Type.Literal('note')]),
  subject: Nullable(Type.String()),
  text: Type.String(),
  html: Nullable(Type.String({ description: 'Sanitised HTML; remote images carry data-remote-src instead of src' })),
  sentAt: Type.Number(),
  deliveryState: Type.String(),
  deliveryError: Nullable(Type.String()),
  authorName: Nullable(Type.String()),
  preferredReply: Nullable(Type.String()),
  referral: Nullable(Type.String()),
  attachments: Type.Array(AttachmentOut, { description: 'Download each at /api/v1/messages/{messageId}/attachments/{id}' }),
  attachmentsOmitted: Type.Array(OmittedAttachmentOut, { description: 'Listed by the message but not stored, with the reason' }),
  remoteContent: Type.Union([Type.Literal('blocked'), Type.Literal('allowed'), Type.Literal('none')], { description: 'Whether the HTML has remote content (images) and whether it may load: allowed for the sender, blocked, or none in it' }),
  remoteContentSender: Nullable(Type.String({ description: 'The sender address PUT /messages/{id}/remote-content would allow; null without remote content or without a sender e-mail address' })),
});

const ConversationDetail = Type.Composite([
  ConversationSummary,
  Type.Object({
    snoozedUntil: Nullable(Type.Number()),
    snoozeCondition: Nullable(Type.Literal('no_answer', { description: 'The snooze ends early, as usual, when the contact writes; otherwise it comes back into "Waiting for me"' })),
    labels: Type.Array(Type.String()),
    replyModes: Type.Array(Type.Union([Type.Literal('send'), Type.Literal('answered_elsewhere'), Type.Literal('note')]), { description: 'What the composer may offer for this entrance' }),
    entranceUrl: Nullable(Type.String({ description: 'Where to answer on the network when Portier cannot send' })),
  }),
]);


type SummaryRow = {
  id: string; subject: string | null; status: 'open' | 'waiting' | 'closed'; awaiting_since: number | null; last_message_at: number;
  contact_id: string; contact_name: string; entrance_id: string; entrance_kind: string; entrance_label: string; preview?: string | null;
  follow_up_since: number | null;
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
    preview: r.preview ?? '',
    noAnswerSince: noAnswerSince(r),
  };
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
          stage: Type.Optional(Type.Union(['inquiry', 'offer', 'booked', 'client', 'lost'].map((v) => Type.Literal(v as 'inquiry')))),
          label: Type.Optional(Text(40, { minLength: 1 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        },
        { additionalProperties: false },
      ),
      response: { 200: Type.Object({ items: Type.Array(ConversationSummary), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(400, 401) },
    },
    onRequest: requireAuth(),
  }, async (request) => {
    const auth = authOf(request);
    const { view = 'waiting', entranceId, stage, label, limit = 50, cursor } = request.query;
    const rows = await listConversations(db, auth.workspaceId, { view, entranceId, stage, label, limit: limit + 1, after: cursor ? decodeCursor(cursor) : undefined, now: Date.now() });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(toSummary),
      nextCursor: rows.length > limit && last ? encodeCursor(Number(last.sort_value), last.id) : null,
    };
  });

  app.get('/api/v1/inbox/counts', {
    schema: {
      tags: ['inbox'],
      summary: 'How many conversations each inbox view holds',
      response: { 200: Type.Object({ waiting: Type.Integer(), open: Type.Integer(), snoozed: Type.Integer(), done: Type.Integer() }), ...errorResponses(401) },
    },
    onRequest: requireAuth(),
  }, async (request) => countConversationsByView(db, authOf(request).workspaceId, Date.now()));

  app.get('/api/v1/conversations/:id', {
    schema: {
      tags: ['inbox'],
      summary: 'One conversation with its messages',
      params: IdParams,
      response: { 200: Type.Object({ conversation: ConversationDetail, messages: Type.Array(MessageOut) }), ...errorResponses(401, 404) },
    },
    onRequest: requireAuth(),
  }, async (request) => {
    const auth = authOf(request);
    const conversation = await findConversation(db, auth.workspaceId, request.params.id);
    if (!conversation) throw new AppError('not_found', 'No such conversation in this workspace.');
    const [messages, labels] = await Promise.all([listMessages(db, auth.workspaceId, conversation.id), listConversationLabels(db, conversation.id)]);
    const [remoteContent, attachments] = await Promise.all([
      remoteContentOf(db, auth.workspaceId, messages),
      listAttachmentsOfMessages(db, auth.workspaceId, messages.map((m) => m.id)),
    ]);
    const replyModes = [...(canSendFrom(ctx, conversation) ? (['send'] as const) : []), 'answered_elsewhere' as const, 'note' as const];
    return {
      conversation: {
        ...toSummary({ ...conversation, preview: previewOf(messages.filter((m) => m.direction !== 'note').at(-1)?.text ?? '') }),
        snoozedUntil: conversation.snoozed_until,
        snoozeCondition: snoozeConditionOf(conversation),
        labels,
        replyModes,
        entranceUrl: conversation.entrance_public_url,
      },
      messages: messages.map((m) => {
        const meta = m.meta ? (JSON.parse(m.meta) as { preferredReply?: string; referral?: string }) : {};
        return {
          id: m.id,
          direction: m.direction,
          subject: m.subject,
          text: m.text,
          html: m.html,
          sentAt: m.sent_at,
          deliveryState: m.delivery_state,
          deliveryError: m.delivery_error,
          authorName: m.author_name,
          preferredReply: meta.preferredReply ?? null,
          referral: meta.referral ?? null,
          attachments: attachments.get(m.id) ?? [],
          attachmentsOmitted: omittedAttachmentsOf(meta),
          remoteContent: remoteContent.get(m.id)?.state ?? 'none',
          remoteContentSender: remoteContent.get(m.id)?.sender ?? null,
        };
      }),
    };
  });
}
