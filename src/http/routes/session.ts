import { Type } from '@sinclair/typebox';
import { AppError } from '../../core/errors.ts';
import { createSession, signIn } from '../../accounts/sessions.ts';
import { deleteSession } from '../../storage/repositories/sessions.ts';
import { findUser } from '../../storage/repositories/users.ts';
import { findWorkspace } from '../../storage/repositories/workspaces.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { clearSessionCookie, setSessionCookie } from '../cookies.ts';
import { authOf, requireAuth } from '../plugins/auth.ts';
import { errorResponses, SessionOut, Text, toUserOut, toWorkspaceOut } from '../schemas.ts';

export function registerSessionRoutes(app: Api, ctx: AppContext): void {
  const db = ctx.storage.db;

  app.post('/api/v1/session', {
    schema: {
      tags: ['session'],
      summary: 'Sign in',
      body: Type.Object({ email: Text(254, { minLength: 1 }), password: Text(1024, { minLength: 1 }) }, { additionalProperties: false }),
      response: { 200: SessionOut, ...errorResponses(400, 401, 429) },
    },
    // Per-IP ceiling on attempts of any kind; failed attempts are also counted per account in signIn.
    config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
  }, async (request, reply) => {
    const user = await signIn(db, request.body.email, request.body.password, request.ip);
    const workspace = await findWorkspace(db, user.workspace_id);
    if (!workspace) throw new AppError('internal');
    const session = await createSession(db, user, { ip: request.ip, userAgent: request.headers['user-agent'] });
    setSessionCookie(ctx, reply, session);
    return { user: toUserOut(user), workspace: toWorkspaceOut(workspace, ctx.config.publicUrl), csrfToken: session.csrfToken };
  });

  app.get('/api/v1/session', {
    schema: { tags: ['session'], summary: 'The signed-in user, workspace and CSRF token', response: { 200: SessionOut, ...errorResponses(401) } },
  }, async (request) => {
    const auth = request.auth;
    if (!auth || auth.via !== 'session') throw new AppError('unauthenticated', 'You are not signed in.');
    const [user, workspace] = await Promise.all([findUser(db, auth.userId), findWorkspace(db, auth.workspaceId)]);
    if (!user || !workspace) throw new AppError('unauthenticated', 'You are not signed in.');
    return { user: toUserOut(user), workspace: toWorkspaceOut(workspace, ctx.config.publicUrl), csrfToken: auth.csrfToken! };
  });

  app.delete('/api/v1/session', {
    schema: { tags: ['session'], summary: 'Sign out', response: { 204: Type.Null(), ...errorResponses(401, 403) } },
    onRequest: requireAuth(),
  }, async (request, reply) => {
    const auth = authOf(request);
    if (auth.sessionId) await deleteSession(db, auth.sessionId);
    clearSessionCookie(reply);
    return reply.status(204).send(null);
  });
}
