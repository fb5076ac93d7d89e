import { Type } from '@sinclair/typebox';
import { findContactsMatching } from '../../storage/repositories/contacts.ts';
import { mergeContacts, undoMerge } from '../../contacts/merge-contacts.ts';
import { AppError } from '../../core/errors.ts';
import { recordEvent } from '../../storage/repositories/events.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { authOf, requireAuth } from '../plugins/auth.ts';
import { EntranceKind, errorResponses, Id, IdParams, Text } from '../schemas.ts';

const Nullable = <T extends import('@sinclair/typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Stage = Type.Union(['inquiry', 'offer', 'booked', 'client', 'lost'].map((s) => Type.Literal(s as 'inquiry')));

const ContactDetail = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  stage: Type.String(),
  firstEntrance: Nullable(Type.Object({ id: Type.String(), kind: EntranceKind, label: Type.String() })),
  referredByText: Nullable(Type.String()),
  notes: Nullable(Type.String()),
  nextAction: Nullable(Type.String()),
  nextActionAt: Nullable(Type.Number()),
  identities: Type.Array(Type.Object({ id: Type.String(), kind: Type.String(), value: Type.String(), verified: Type.Boolean() })),
  conversations: Type.Array(
    Type.Object({
      id: Type.String(),
      entrance: Type.Object({ id: Type.String(), kind: EntranceKind, label: Type.String() }),
      subject: Nullable(Type.String()),
      status: Type.String(),
      awaitingSince: Nullable(Type.Number()),
      lastMessageAt: Type.Number(),
    }),
  ),
  merges: Type.Array(Type.Object({ id: Type.String(), fromContactId: Type.String(), fromDisplayName: Type.String(), createdAt: Type.Number(), undoneAt: Nullable(Type.Number()) })),
});

export function registerContactRoutes(app: Api, ctx: AppContext): void {
  const db = ctx.storage.db;

  const loadContact = async (workspaceId: string, id: string) => {
    const c = await db
      .selectFrom('contact')
      .leftJoin('entrance', 'entrance.id', 'contact.first_entrance_id')
      .select(['contact.id', 'contact.display_name', 'contact.stage', 'contact.referred_by_text', 'contact.notes', 'contact.next_action', 'contact.next_action_at', 'contact.merged_into_id', 'entrance.id as entrance_id', 'entrance.kind as entrance_kind', 'entrance.label as entrance_label'])
      .where('contact.workspace_id', '=', workspaceId)
      .where('contact.id', '=', id)
      .executeTakeFirst();
    if (!c) throw new AppError('not_found', 'No such contact in this workspace.');
    const [identities, conversations, merges] = await Promise.all([
      db.selectFrom('identity').select(['id', 'kind', 'value', 'verified']).where('contact_id', '=', id).orderBy('created_at').execute(),
      db
        .selectFrom('conversation')
        .innerJoin('entrance', 'entrance.id', 'conversation.entrance_id')
        .select(['conversation.id', 'conversation.subject', 'conversation.status', 'conversation.awaiting_since', 'conversation.last_message_at', 'entrance.id as entrance_id', 'entrance.kind', 'entrance.label'])
        .where('conversation.contact_id', '=', id)
        .orderBy('conversation.last_message_at', 'desc')
        .execute(),
      db
        .selectFrom('contact_merge')
        .innerJoin('contact as from', 'from.id', 'contact_merge.from_contact_id')
        .select(['contact_merge.id', 'contact_merge.from_contact_id', 'from.display_name', 'contact_merge.created_at', 'contact_merge.undone_at'])
        .where('contact_merge.into_contact_id', '=', id)
        .orderBy('contact_merge.created_at', 'desc')
        .execute(),
    ]);
    return {
      id: c.id,
      displayName: c.display_name,
      stage: c.stage,
      firstEntrance: c.entrance_id ? { id: c.entrance_id, kind: c.entrance_kind!, label: c.entrance_label! } : null,
      referredByText: c.referred_by_text,
      notes: c.notes,
      nextAction: c.next_action,
      nextActionAt: c.next_action_at,
      identities: identities.map((i) => ({ id: i.id, kind: i.kind, value: i.value, verified: i.verified === 1 })),
      conversations: conversations.map((v) => ({ id: v.id, entrance: { id: v.entrance_id, kind: v.kind, label: v.label }, subject: v.subject, status: v.status, awaitingSince: v.awaiting_since, lastMessageAt: v.last_message_at })),
      merges: merges.map((m) => ({ id: m.id, fromContactId: m.from_contact_id, fromDisplayName: m.display_name, createdAt: m.created_at, undoneAt: m.undone_at })),
    };
  };

  app.get('/api/v1/contacts', {
    schema: {
      tags: ['contacts'],
      summary: 'Contacts, most recently active first; q matches names and identities',
      querystring: Type.Object({ q: Type.Optional(Text(200)), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(Type.Object({ id: Type.String(), displayName: Type.String(), stage: Type.String(), updatedAt: Type.Number() })) }), ...errorResponses(400, 401) },
    },
    onRequest: requireAuth(),
  }, async (request) => {
    const auth = authOf(request);
    const rows = await findContactsMatching(db, auth.workspaceId, request.query.q, request.query.limit ?? 50);
    return { items: rows.map((r) => ({ id: r.id, displayName: r.display_name, stage: r.stage, updatedAt: r.updated_at })) };
  });

  app.get('/api/v1/contacts/:id', {
    schema: { tags: ['contacts'], summary: 'A contact with identities, conversations across entrances and merges', params: IdParams, response: { 200: ContactDetail, ...errorResponses(401, 404) } },
    onRequest: requireAuth(),
  }, async (request) => loadContact(authOf(request).workspaceId, request.params.id));

  app.patch('/api/v1/contacts/:id', {
    schema: {
      tags: ['contacts'],
      summary: 'Change a contact\'s name, stage, notes, next action or referral',
      params: IdParams,
      body: Type.Object(
        {
          displayName: Type.Optional(Text(200, { minLength: 1 })),
          stage: Type.Optional(Stage),
          notes: Type.Optional(Nullable(Text(20_000))),
          nextAction: Type.Optional(Nullable(Text(500))),
          nextActionAt: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
          referredByText: Type.Optional(Nullable(Text(500))),
        },
        { additionalProperties: false },
      ),
      response: { 200: ContactDetail, ...errorResponses(400, 401, 403, 404) },
    },
    onRequest: requireAuth(),
  }, async (request) => {
    const auth = authOf(request);
    await loadContact(auth.workspaceId, request.params.id);
    const b = request.body;
    await db
      .updateTable('contact')
      .set({
        updated_at: Date.now(),
        ...(b.displayName !== undefined ? { display_name: b.displayName.trim() } : {}),
        ...(b.stage !== undefined ? { stage: b.stage } : {}),
        ...(b.notes !== undefined ? { notes: b.notes } : {}),
        ...(b.nextAction !== undefined ? { next_action: b.nextAction } : {}),
        ...(b.nextActionAt !== undefined ? { next_action_at: b.nextActionAt } : {}),
        ...(b.referredByText !== undefined ? { referred_by_text: b.referredByText } : {}),
      })
      .where('workspace_id', '=', auth.workspaceId)
      .where('id', '=', request.params.id)
      .execute();
    if (b.stage) await recordEvent(db, { workspaceId: auth.workspaceId, actorUserId: auth.userId, type: 'contact.stage_changed', subjectType: 'contact', subjectId: request.params.id, data: { stage: b.stage } });
    await ctx.live.publish({ type: 'contact.updated', workspaceId: auth.workspaceId, contactId: request.params.id }).catch(() => {});
    return loadContact(auth.workspaceId, request.params.id);
  });

  app.post('/api/v1/contacts/:id/merge', {
    schema: {
      tags: ['contacts'],
      summary: 'Merge another contact into this one (recorded; can be undone)',
      params: IdParams,
      body: Type.Object({ fromContactId: Id }, { additionalProperties: false }),
      response: { 201: Type.Object({ mergeId: Type.String() }), ...errorResponses(400, 401, 403, 404, 409) },
    },
    onRequest: requireAuth(),
  }, async (request, reply) => {
    const auth = authOf(request);
    const result = await mergeContacts(db, auth.workspaceId, auth.userId, request.params.id, request.body.fromContactId);
    await ctx.live.publish({ type: 'contact.updated', workspaceId: auth.workspaceId, contactId: request.params.id }).catch(() => {});
    return reply.status(201).send(result);
  });

  app.post('/api/v1/contacts/merges/:id/undo', {
    schema: { tags: ['contacts'], summary: 'Undo a merge: split the contacts as they were', params: IdParams, response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 409) } },
    onRequest: requireAuth(),
  }, async (request, reply) => {
    const auth = authOf(request);
    await undoMerge(db, auth.workspaceId, auth.userId, request.params.id);
    return reply.status(204).send(null);
  });
}
