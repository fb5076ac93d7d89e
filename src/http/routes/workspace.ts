import { Type } from '@sinclair/typebox';
import { AppError } from '../../core/errors.ts';
import { checkTimeZone } from '../../accounts/validation.ts';
import { recordEvent } from '../../storage/repositories/events.ts';
import { findWorkspace, updateWorkspace } from '../../storage/repositories/workspaces.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { authOf, requireAuth } from '../plugins/auth.ts';
import { errorResponses, Locale, Text, toWorkspaceOut, WorkspaceOut } from '../schemas.ts';

export function registerWorkspaceRoutes(app: Api, ctx: AppContext): void {
  const db = ctx.storage.db;

  app.get('/api/v1/workspace', {
    schema: { tags: ['workspace'], summary: 'The workspace of the caller', response: { 200: WorkspaceOut, ...errorResponses(401) } },
    onRequest: requireAuth(),
  }, async (request) => {
    const w = await findWorkspace(db, authOf(request).workspaceId);
    if (!w) throw new AppError('not_found');
    return toWorkspaceOut(w, ctx.config.publicUrl);
  });

  app.patch('/api/v1/workspace', {
    schema: {
      tags: ['workspace'],
      summary: 'Change the workspace name, languages or time zone (owner only)',
      body: Type.Object(
        {
          name: Type.Optional(Text(120, { minLength: 1 })),
          locale: Type.Optional(Locale),
          languages: Type.Optional(Type.Array(Locale, { minItems: 1, maxItems: 4, uniqueItems: true })),
          timeZone: Type.Optional(Text(64, { minLength: 1 })),
        },
        { additionalProperties: false },
      ),
      response: { 200: WorkspaceOut, ...errorResponses(400, 401, 403) },
    },
    onRequest: requireAuth({ role: 'owner' }),
  }, async (request) => {
    const auth = authOf(request);
    const { name, locale, languages, timeZone } = request.body;
    if (timeZone !== undefined) {
      const problem = checkTimeZone(timeZone);
      if (problem) throw new AppError('validation_failed', `timeZone ${problem}`, { errors: [{ field: 'timeZone', message: problem }] });
    }
    const current = await findWorkspace(db, auth.workspaceId);
    if (!current) throw new AppError('not_found');
    const newLocale = locale ?? current.locale;
    const langs = languages ?? (JSON.parse(current.languages) as string[]);
    await updateWorkspace(db, auth.workspaceId, {
      ...(name !== undefined ? { name: name.trim() } : {}),
      locale: newLocale,
      languages: JSON.stringify([...new Set([newLocale, ...langs])]),
      ...(timeZone !== undefined ? { time_zone: timeZone } : {}),
    });
    await recordEvent(db, { workspaceId: auth.workspaceId, actorUserId: auth.userId, type: 'workspace.updated', data: request.body });
    return toWorkspaceOut((await findWorkspace(db, auth.workspaceId))!, ctx.config.publicUrl);
  });
}
