// Reply templates ("snippets"): inserted in the composer with "/shortcut"; the web app fills the
// variables ({{firstName}}, {{fullName}}, {{myName}}, {{bookingLink}}, {{contactFormLink}}).
import { Type } from '@sinclair/typebox';
import { AppError } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import type { TemplateTable } from '../../storage/schema.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { authOf, requireAuth } from '../plugins/auth.ts';
import { errorResponses, IdParams, Locale, Text } from '../schemas.ts';

const TemplateOut = Type.Object({ id: Type.String(), name: Type.String(), shortcut: Type.String(), locale: Type.String(), body: Type.String() });
const TemplateFields = {
  name: Text(80, { minLength: 1 }),
  shortcut: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,30}$', description: 'Typed after "/" in the composer' }),
  locale: Locale,
  body: Text(10_000, { minLength: 1 }),
};

const toTemplateOut = (t: TemplateTable) => ({ id: t.id, name: t.name, shortcut: t.shortcut, locale: t.locale, body: t.body });

const isUniqueViolation = (err: unknown) => /unique|duplicate/i.test(String((err as Error)?.message));
const taken = (shortcut: string, locale: string) => new AppError('conflict', `A template "/${shortcut}" in ${locale} exists already; choose another shortcut or edit that one.`, { errors: [{ field: 'body.shortcut', message: 'is taken for this language' }] });

export function registerTemplateRoutes(app: Api, ctx: AppContext): void {
  const db = ctx.storage.db;
  const find = (workspaceId: string, id: string) => db.selectFrom('template').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();

  app.get('/api/v1/templates', {
    schema: { tags: ['templates'], summary: 'Reply templates', response: { 200: Type.Object({ items: Type.Array(TemplateOut) }), ...errorResponses(401) } },
    onRequest: requireAuth(),
  }, async (request) => ({
    items: (await db.selectFrom('template').selectAll().where('workspace_id', '=', authOf(request).workspaceId).orderBy('shortcut').orderBy('locale').execute()).map(toTemplateOut),
  }));

  app.post('/api/v1/templates', {
    schema: { tags: ['templates'], summary: 'Add a reply template', body: Type.Object(TemplateFields, { additionalProperties: false }), response: { 201: TemplateOut, ...errorResponses(400, 401, 403, 409) } },
    onRequest: requireAuth(),
  }, async (request, reply) => {
    const auth = authOf(request);
    const now = Date.now();
    const row: TemplateTable = { id: newId(now), workspace_id: auth.workspaceId, ...request.body, name: request.body.name.trim(), created_at: now, updated_at: now };
    try {
      await db.insertInto('template').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw taken(row.shortcut, row.locale);
      throw err;
    }
    return reply.status(201).send(toTemplateOut(row));
  });

  app.patch('/api/v1/templates/:id', {
    schema: { tags: ['templates'], summary: 'Change a reply template', params: IdParams, body: Type.Partial(Type.Object(TemplateFields), { additionalProperties: false }), response: { 200: TemplateOut, ...errorResponses(400, 401, 403, 404, 409) } },
    onRequest: requireAuth(),
  }, async (request) => {
    const auth = authOf(request);
    const current = await find(auth.workspaceId, request.params.id);
    if (!current) throw new AppError('not_found', 'No such template in this workspace.');
    try {
      await db.updateTable('template').set({ ...request.body, updated_at: Date.now() }).where('id', '=', current.id).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw taken(request.body.shortcut ?? current.shortcut, request.body.locale ?? current.locale);
      throw err;
    }
    return toTemplateOut((await find(auth.workspaceId, current.id))!);
  });

  app.delete('/api/v1/templates/:id', {
    schema: { tags: ['templates'], summary: 'Delete a reply template', params: IdParams, response: { 204: Type.Null(), ...errorResponses(401, 403, 404) } },
    onRequest: requireAuth(),
  }, async (request, reply) => {
    const auth = authOf(request);
    const r = await db.deleteFrom('template').where('workspace_id', '=', auth.workspaceId).where('id', '=', request.params.id).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new AppError('not_found', 'No such template in this workspace.');
    return reply.status(204).send(null);
  });
}
