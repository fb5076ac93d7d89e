import { Type } from '@sinclair/typebox';
import { AppError } from '../../core/errors.ts';
import { createApiToken, TOKEN_SCOPES } from '../../accounts/api-tokens.ts';
import { listApiTokens, revokeApiToken } from '../../storage/repositories/api-tokens.ts';
import { recordEvent } from '../../storage/repositories/events.ts';
import type { ApiTokenTable } from '../../storage/schema.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { authOf, requireAuth } from '../plugins/auth.ts';
import { errorResponses, IdParams, Text } from '../schemas.ts';

const Scope = Type.Union(TOKEN_SCOPES.map((s) => Type.Literal(s)));
const TokenOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  scopes: Type.Array(Scope),
  createdAt: Type.Number(),
  lastUsedAt: Type.Union([Type.Number(), Type.Null()]),
  expiresAt: Type.Union([Type.Number(), Type.Null()]),
});

const toTokenOut = (t: ApiTokenTable) => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  scopes: JSON.parse(t.scopes) as Array<(typeof TOKEN_SCOPES)[number]>,
  createdAt: t.created_at,
  lastUsedAt: t.last_used_at,
  expiresAt: t.expires_at,
});

export function registerTokenRoutes(app: Api, ctx: AppContext): void {
  const db = ctx.storage.db;

  app.get('/api/v1/tokens', {
    schema: { tags: ['tokens'], summary: 'The workspace\'s API tokens (never their secrets)', response: { 200: Type.Object({ items: Type.Array(TokenOut) }), ...errorResponses(401) } },
    onRequest: requireAuth(),
  }, async (request) => ({ items: (await listApiTokens(db, authOf(request).workspaceId)).map(toTokenOut) }));

  app.post('/api/v1/tokens', {
    schema: {
      tags: ['tokens'],
      summary: 'Create an API token; its secret is shown only in this response',
      body: Type.Object(
        { name: Text(80, { minLength: 1 }), scopes: Type.Array(Scope, { minItems: 1, maxItems: 2, uniqueItems: true }), expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })) },
        { additionalProperties: false },
      ),
      response: { 201: Type.Object({ token: TokenOut, secret: Type.String() }), ...errorResponses(400, 401, 403) },
    },
    onRequest: requireAuth(),
  }, async (request, reply) => {
    const auth = authOf(request);
    // A token cannot grant more than its creator holds: a read-only token cannot mint a writer.
    if (auth.via === 'token' && request.body.scopes.some((s) => !auth.scopes.includes(s))) throw new AppError('forbidden', 'A token cannot create a token with more scopes than it has.');
    const { row, secret } = await createApiToken(db, { workspaceId: auth.workspaceId, userId: auth.userId, ...request.body });
    return reply.status(201).send({ token: toTokenOut(row), secret });
  });

  app.delete('/api/v1/tokens/:id', {
    schema: { tags: ['tokens'], summary: 'Revoke an API token', params: IdParams, response: { 204: Type.Null(), ...errorResponses(401, 403, 404) } },
    onRequest: requireAuth(),
  }, async (request, reply) => {
    const auth = authOf(request);
    if (!(await revokeApiToken(db, auth.workspaceId, request.params.id, Date.now()))) throw new AppError('not_found', 'No such token in this workspace (maybe it was already revoked).');
    await recordEvent(db, { workspaceId: auth.workspaceId, actorUserId: auth.userId, type: 'api_token.revoked', subjectType: 'api_token', subjectId: request.params.id });
    return reply.status(204).send(null);
  });
}
