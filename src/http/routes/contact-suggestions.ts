// "Possibly the same person": suggestions for one contact (kept exact when its page loads) and
// for the whole workspace (kept current by the scheduled scan), confirmed by a recorded merge or
// dismissed for good. Same roles as the other contact routes: owners and assistants.
import { Type } from '@sinclair/typebox';
import { confirmSuggestion, dismissSuggestion, listContactSuggestions, listWorkspaceSuggestions } from '../../contacts/contact-suggestions.ts';
import { refreshContactSuggestions } from '../../contacts/refresh-contact-suggestions.ts';
import { catchUpMatchKeys } from '../../contacts/scan-contact-suggestions.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { authOf, requireAuth } from '../plugins/auth.ts';
import { EntranceKind, errorResponses, Id, IdParams } from '../schemas.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';

const Nullable = <T extends import('@sinclair/typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

const ContactRef = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  firstEntrance: Nullable(Type.Object({ id: Type.String(), kind: EntranceKind, label: Type.String() })),
});

const Reason = Type.Object(
  {
    kind: Type.Union([Type.Literal('same_name'), Type.Literal('name_matches_email'), Type.Literal('name_matches_profile'), Type.Literal('similar_addresses'), Type.Literal('same_address')]),
    name: Nullable(Type.String({ description: 'The name that matched' })),
    address: Nullable(Type.String({ description: 'The address or profile that matched' })),
    otherAddress: Nullable(Type.String({ description: 'similar_addresses: the second address' })),
  },
  { description: 'One piece of evidence, strongest first. same_name: the names fold to the same words (case, accents, order); name_matches_email / name_matches_profile: a name and the words of an address or profile URL; similar_addresses: two addresses with the same name in them; same_address: the same address or URL under two kinds of identity.' },
);

const ContactSuggestion = Type.Object({ id: Type.String(), contact: ContactRef, reasons: Type.Array(Reason), createdAt: Type.Number() });
const WorkspaceSuggestion = Type.Object({ id: Type.String(), contacts: Type.Tuple([ContactRef, ContactRef]), reasons: Type.Array(Reason), createdAt: Type.Number() });

export function registerContactSuggestionRoutes(app: Api, ctx: AppContext): void {
  const db = ctx.storage.db;

  app.get('/api/v1/contacts/:id/suggestions', {
    schema: {
      tags: ['contacts'],
      summary: 'Contacts that may be the same person as this one, and why',
      description: 'Weak evidence only (a name, an address that was not verified, a profile URL): verified identities link automatically. Empty for a contact that was merged into another.',
      params: IdParams,
      response: { 200: Type.Object({ items: Type.Array(ContactSuggestion) }), ...errorResponses(401, 404) },
    },
    onRequest: requireAuth(),
  }, async (request) => {
    const auth = authOf(request);
    // The page shows this contact as it is now, not as of the last scan: the keys of contacts
    // changed since (batched), then a few indexed look-ups for this one.
    try {
      await catchUpMatchKeys(db, auth.workspaceId);
      await refreshContactSuggestions(db, auth.workspaceId, request.params.id);
    } catch (err) {
      request.log.warn({ err, contactId: request.params.id }, 'refreshing contact suggestions failed; showing the stored ones');
    }
    return { items: await listContactSuggestions(db, auth.workspaceId, request.params.id) };
  });

  app.get('/api/v1/contact-suggestions', {
    schema: {
      tags: ['contacts'],
      summary: 'Possible duplicates across the workspace, newest first',
      description: 'Kept current by a job that looks at changed contacts every minute; a contact\'s own list (GET /contacts/{id}/suggestions) is exact at once.',
      querystring: Type.Object(
        { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })), cursor: Type.Optional(Type.String({ maxLength: 200 })) },
        { additionalProperties: false },
      ),
      response: { 200: Type.Object({ items: Type.Array(WorkspaceSuggestion), nextCursor: Nullable(Type.String()) }), ...errorResponses(400, 401) },
    },
    onRequest: requireAuth(),
  }, async (request) => {
    const auth = authOf(request);
    const limit = request.query.limit ?? 50;
    const rows = await listWorkspaceSuggestions(db, auth.workspaceId, { limit: limit + 1, after: request.query.cursor ? decodeCursor(request.query.cursor) : undefined });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null };
  });

  app.post('/api/v1/contact-suggestions/:id/confirm', {
    schema: {
      tags: ['contacts'],
      summary: 'Yes, the same person: merge the other contact into intoContactId (recorded; can be undone)',
      params: IdParams,
      body: Type.Object({ intoContactId: Id }, { additionalProperties: false }),
      response: { 201: Type.Object({ mergeId: Type.String(), intoContactId: Type.String(), fromContactId: Type.String() }), ...errorResponses(400, 401, 403, 404, 409) },
    },
    onRequest: requireAuth(),
  }, async (request, reply) => {
    const auth = authOf(request);
    const result = await confirmSuggestion(db, auth.workspaceId, auth.userId, request.params.id, request.body.intoContactId);
    await ctx.live.publish({ type: 'contact.updated', workspaceId: auth.workspaceId, contactId: result.intoContactId }).catch(() => {});
    return reply.status(201).send(result);
  });

  app.post('/api/v1/contact-suggestions/:id/dismiss', {
    schema: {
      tags: ['contacts'],
      summary: 'Not the same person: never suggest this pair again',
      params: IdParams,
      response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 409) },
    },
    onRequest: requireAuth(),
  }, async (request, reply) => {
    const auth = authOf(request);
    const { contactIds } = await dismissSuggestion(db, auth.workspaceId, auth.userId, request.params.id);
    for (const contactId of contactIds) await ctx.live.publish({ type: 'contact.updated', workspaceId: auth.workspaceId, contactId }).catch(() => {});
    return reply.status(204).send(null);
  });
}
