import { Type } from '@sinclair/typebox';
import { changeConfig } from '../../entrances/change-config.ts';
import { openEntranceConfig } from '../../entrances/entrance-config.ts';
import { AppError } from '../../core/errors.ts';
import { createEntrance } from '../../entrances/create-entrance.ts';
import { changedPaths } from '../../entrances/merge-config.ts';
import { recordEvent } from '../../storage/repositories/events.ts';
import { countConversationsOfEntrance, deleteEntrance, findEntrance, listEntrances, updateEntrance } from '../../storage/repositories/entrances.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { authOf, requireAuth } from '../plugins/auth.ts';
import { EntranceKind, EntranceOut, errorResponses, IdParams, Text, toEntranceOut } from '../schemas.ts';

const EntranceFields = {
  label: Text(80, { minLength: 1 }),
  publicUrl: Type.Union([Type.String({ maxLength: 2048, pattern: '^https?://\\S+$' }), Type.Null()]),
  showOnStorefront: Type.Boolean(),
  responseTargetMinutes: Type.Integer({ minimum: 5, maximum: 60 * 24 * 30 }),
  reviewIntervalDays: Type.Union([Type.Integer({ minimum: 1, maximum: 730 }), Type.Null()]),
};

const ConfigChange = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
  maxProperties: 50,
  description:
    'Connector settings to change, merged into the stored ones (on creation, into the kind\'s initial ones): nested objects merge key by key (e.g. {"imap":{"port":993}}), arrays replace, null removes a key. Secrets (password, accessToken, signingSecret) are write-only; sending back their marker {"set":true} keeps them. The result must be valid for the kind.',
});

export function registerEntranceRoutes(app: Api, ctx: AppContext): void {
  const db = ctx.storage.db;

  const requireEntrance = async (workspaceId: string, id: string) => {
    const e = await findEntrance(db, workspaceId, id);
    if (!e) throw new AppError('not_found', 'No such entrance in this workspace.');
    return e;
  };

  app.get('/api/v1/entrances', {
    schema: { tags: ['entrances'], summary: 'The workspace\'s entrances', response: { 200: Type.Object({ items: Type.Array(EntranceOut) }), ...errorResponses(401) } },
    onRequest: requireAuth(),
  }, async (request) => ({ items: (await listEntrances(db, authOf(request).workspaceId)).map(toEntranceOut) }));

  app.get('/api/v1/entrances/:id', {
    schema: { tags: ['entrances'], summary: 'One entrance', params: IdParams, response: { 200: EntranceOut, ...errorResponses(401, 404) } },
    onRequest: requireAuth(),
  }, async (request) => toEntranceOut(await requireEntrance(authOf(request).workspaceId, request.params.id)));

  app.post('/api/v1/entrances', {
    schema: {
      tags: ['entrances'],
      summary: 'Add an entrance',
      body: Type.Object(
        {
          kind: EntranceKind,
          label: EntranceFields.label,
          publicUrl: Type.Optional(EntranceFields.publicUrl),
          showOnStorefront: Type.Optional(EntranceFields.showOnStorefront),
          responseTargetMinutes: Type.Optional(EntranceFields.responseTargetMinutes),
          reviewIntervalDays: Type.Optional(EntranceFields.reviewIntervalDays),
          config: Type.Optional(ConfigChange),
        },
        { additionalProperties: false },
      ),
      response: {
        201: Type.Composite([
          EntranceOut,
          Type.Object({
            connection: Type.Optional(Type.Object({ webhookUrl: Type.String(), signingSecret: Type.String() }, { description: 'For webhook entrances: where to deliver and the signing secret, shown only in this response' })),
          }),
        ]),
        ...errorResponses(400, 401, 403),
      },
    },
    onRequest: requireAuth(),
  }, async (request, reply) => {
    const auth = authOf(request);
    const { entrance, connection } = await createEntrance(ctx, auth.workspaceId, auth.userId, request.body);
    return reply.status(201).send({ ...toEntranceOut(entrance), ...(connection ? { connection } : {}) });
  });

  app.patch('/api/v1/entrances/:id', {
    schema: {
      tags: ['entrances'],
      summary: 'Change an entrance',
      params: IdParams,
      body: Type.Partial(
        Type.Object({
          ...EntranceFields,
          config: ConfigChange,
        }),
        { additionalProperties: false },
      ),
      response: { 200: EntranceOut, ...errorResponses(400, 401, 403, 404) },
    },
    onRequest: requireAuth(),
  }, async (request) => {
    const auth = authOf(request);
    const entrance = await requireEntrance(auth.workspaceId, request.params.id);
    const b = request.body;
    const configEncrypted = b.config ? (changeConfig(ctx.secrets, entrance.kind, openEntranceConfig(ctx.secrets, entrance) ?? {}, b.config) ?? undefined) : undefined;
    await updateEntrance(db, auth.workspaceId, request.params.id, {
      ...(configEncrypted ? { config_encrypted: configEncrypted } : {}),
      ...(b.label !== undefined ? { label: b.label.trim() } : {}),
      ...(b.publicUrl !== undefined ? { public_url: b.publicUrl } : {}),
      ...(b.showOnStorefront !== undefined ? { show_on_storefront: b.showOnStorefront ? 1 : 0 } : {}),
      ...(b.responseTargetMinutes !== undefined ? { response_target_minutes: b.responseTargetMinutes } : {}),
      ...(b.reviewIntervalDays !== undefined ? { review_interval_days: b.reviewIntervalDays } : {}),
      updated_at: Date.now(),
    });
    // Connector settings may hold secrets: the audit trail records which keys changed, never values.
    const { config, ...fields } = b;
    await recordEvent(db, { workspaceId: auth.workspaceId, actorUserId: auth.userId, type: 'entrance.updated', subjectType: 'entrance', subjectId: request.params.id, data: { ...fields, ...(config ? { configKeys: changedPaths(config) } : {}) } });
    return toEntranceOut(await requireEntrance(auth.workspaceId, request.params.id));
  });

  app.delete('/api/v1/entrances/:id', {
    schema: { tags: ['entrances'], summary: 'Remove an entrance that has no conversations', params: IdParams, response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 409) } },
    onRequest: requireAuth(),
  }, async (request, reply) => {
    const auth = authOf(request);
    const entrance = await requireEntrance(auth.workspaceId, request.params.id);
    const n = await countConversationsOfEntrance(db, entrance.id);
    if (n > 0) throw new AppError('conflict', `"${entrance.label}" has ${n} conversation(s); they would lose their entrance. Hide it from the storefront instead.`);
    await deleteEntrance(db, auth.workspaceId, entrance.id);
    await recordEvent(db, { workspaceId: auth.workspaceId, actorUserId: auth.userId, type: 'entrance.removed', subjectType: 'entrance', subjectId: entrance.id, data: { kind: entrance.kind, label: entrance.label } });
    return reply.status(204).send(null);
  });
}
