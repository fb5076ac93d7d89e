import { Type } from '@sinclair/typebox';
import { AppError } from '../../core/errors.ts';
import { findUsableSetupToken, setupWorkspace } from '../../accounts/setup.ts';
import { createSession } from '../../accounts/sessions.ts';
import { HANDLE_PATTERN } from '../../accounts/validation.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { setSessionCookie } from '../cookies.ts';
import { errorResponses, Locale, SessionOut, Text, toUserOut, toWorkspaceOut } from '../schemas.ts';

const SetupBody = Type.Object(
  {
    token: Text(200, { minLength: 1 }),
    workspace: Type.Object(
      {
        name: Text(120, { minLength: 1 }),
        handle: Type.String({ pattern: HANDLE_PATTERN, minLength: 3, maxLength: 40 }),
        locale: Locale,
        languages: Type.Array(Locale, { minItems: 1, maxItems: 4, uniqueItems: true }),
        timeZone: Text(64, { minLength: 1 }),
      },
      { additionalProperties: false },
    ),
    owner: Type.Object(
      {
        email: Text(254, { minLength: 3 }),
        password: Text(1024, { minLength: 1 }),
        displayName: Text(120, { minLength: 1 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export function registerSetupRoutes(app: Api, ctx: AppContext): void {
  app.get('/api/v1/setup/:token', {
    schema: {
      tags: ['setup'],
      summary: 'Check a one-time setup link',
      params: Type.Object({ token: Text(200, { minLength: 1 }) }),
      response: { 200: Type.Object({ valid: Type.Literal(true), expiresAt: Type.Number() }), ...errorResponses(410) },
    },
  }, async (request) => {
    const row = await findUsableSetupToken(ctx.storage.db, request.params.token);
    if (!row) throw new AppError('setup_token_invalid', 'This setup link was already used or has expired. Run `npx portier setup --link` on the server to print a new one.');
    return { valid: true as const, expiresAt: row.expires_at };
  });

  app.post('/api/v1/setup', {
    schema: {
      tags: ['setup'],
      summary: 'Create a workspace and its owner with a one-time setup link',
      body: SetupBody,
      response: { 201: SessionOut, ...errorResponses(400, 409, 410, 429) },
    },
    config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
  }, async (request, reply) => {
    const { token, ...input } = request.body;
    const { workspace, user } = await setupWorkspace(ctx.storage.db, input, { setupToken: token });
    const session = await createSession(ctx.storage.db, user, { ip: request.ip, userAgent: request.headers['user-agent'] });
    setSessionCookie(ctx, reply, session);
    return reply.status(201).send({ user: toUserOut(user), workspace: toWorkspaceOut(workspace, ctx.config.publicUrl), csrfToken: session.csrfToken });
  });
}
