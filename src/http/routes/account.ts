import { Type } from '@sinclair/typebox';
import { AppError } from '../../core/errors.ts';
import { checkPassword } from '../../accounts/validation.ts';
import { hashPassword, verifyPassword } from '../../security/passwords.ts';
import { deleteSessionsOfUser } from '../../storage/repositories/sessions.ts';
import { recordEvent } from '../../storage/repositories/events.ts';
import { findUser, updateUser } from '../../storage/repositories/users.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { authOf, requireAuth } from '../plugins/auth.ts';
import { errorResponses, Locale, Text, toUserOut, UserOut } from '../schemas.ts';

export function registerAccountRoutes(app: Api, ctx: AppContext): void {
  const db = ctx.storage.db;

  const currentUser = async (userId: string) => {
    const user = await findUser(db, userId);
    if (!user) throw new AppError('unauthenticated');
    return user;
  };

  app.get('/api/v1/account', {
    schema: { tags: ['account'], summary: 'Your account', response: { 200: UserOut, ...errorResponses(401) } },
    onRequest: requireAuth(),
  }, async (request) => toUserOut(await currentUser(authOf(request).userId)));

  app.patch('/api/v1/account', {
    schema: {
      tags: ['account'],
      summary: 'Change your name or language',
      body: Type.Object(
        { displayName: Type.Optional(Text(120, { minLength: 1 })), locale: Type.Optional(Type.Union([Locale, Type.Null()])) },
        { additionalProperties: false },
      ),
      response: { 200: UserOut, ...errorResponses(400, 401, 403) },
    },
    onRequest: requireAuth(),
  }, async (request) => {
    const auth = authOf(request);
    const { displayName, locale } = request.body;
    await updateUser(db, auth.userId, {
      ...(displayName !== undefined ? { display_name: displayName.trim() } : {}),
      ...(locale !== undefined ? { locale } : {}),
    });
    return toUserOut(await currentUser(auth.userId));
  });

  app.post('/api/v1/account/password', {
    schema: {
      tags: ['account'],
      summary: 'Change your password (signs out your other sessions)',
      body: Type.Object({ currentPassword: Text(1024, { minLength: 1 }), newPassword: Text(1024, { minLength: 1 }) }, { additionalProperties: false }),
      response: { 204: Type.Null(), ...errorResponses(400, 401, 403) },
    },
    onRequest: requireAuth(),
    config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
  }, async (request, reply) => {
    const auth = authOf(request);
    const user = await currentUser(auth.userId);
    if (!(await verifyPassword(user.password_hash, request.body.currentPassword))) {
      throw new AppError('invalid_credentials', 'Your current password is wrong.');
    }
    const problem = checkPassword(request.body.newPassword);
    if (problem) throw new AppError('validation_failed', `newPassword ${problem}`, { errors: [{ field: 'newPassword', message: problem }] });
    await updateUser(db, auth.userId, { password_hash: await hashPassword(request.body.newPassword) });
    await deleteSessionsOfUser(db, auth.userId, auth.sessionId);
    await recordEvent(db, { workspaceId: auth.workspaceId, actorUserId: auth.userId, type: 'user.password_changed' });
    return reply.status(204).send(null);
  });
}
