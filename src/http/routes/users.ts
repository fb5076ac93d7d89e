import { Type } from '@sinclair/typebox';
import { addUser } from '../../accounts/add-user.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { authOf, requireAuth } from '../plugins/auth.ts';
import { errorResponses, Text, toUserOut, UserOut } from '../schemas.ts';

export function registerUserRoutes(app: Api, ctx: AppContext): void {
  const db = ctx.storage.db;

  app.get('/api/v1/users', {
    schema: { tags: ['account'], summary: 'The people who may sign in to this workspace', response: { 200: Type.Object({ items: Type.Array(UserOut) }), ...errorResponses(401) } },
    onRequest: requireAuth(),
  }, async (request) => ({
    items: (await db.selectFrom('user').selectAll().where('workspace_id', '=', authOf(request).workspaceId).orderBy('created_at').execute()).map(toUserOut),
  }));

  app.post('/api/v1/users', {
    schema: {
      tags: ['account'],
      summary: 'Add an assistant (or another owner) to the workspace (owner only)',
      body: Type.Object(
        {
          email: Text(254, { minLength: 3 }),
          displayName: Text(120, { minLength: 1 }),
          password: Text(1024, { minLength: 1 }),
          role: Type.Union([Type.Literal('assistant'), Type.Literal('owner')]),
        },
        { additionalProperties: false },
      ),
      response: { 201: UserOut, ...errorResponses(400, 401, 403, 409) },
    },
    onRequest: requireAuth({ role: 'owner' }),
  }, async (request, reply) => {
    const auth = authOf(request);
    const user = await addUser(db, { workspaceId: auth.workspaceId, actorUserId: auth.userId, ...request.body });
    return reply.status(201).send(toUserOut(user));
  });
}
