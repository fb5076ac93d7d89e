import { Type } from '@sinclair/typebox';
import { pendingMigrations, pingDatabase } from '../../storage/database.ts';
import { AppError } from '../../core/errors.ts';
import type { Api } from '../api.ts';
import type { AppContext } from '../context.ts';
import { errorResponses } from '../schemas.ts';

export function registerHealthRoutes(app: Api, ctx: AppContext): void {
  app.get('/healthz', {
    schema: { tags: ['health'], summary: 'The process is alive', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    logLevel: 'warn',
  }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', {
    schema: {
      tags: ['health'],
      summary: 'The database is reachable and fully migrated',
      response: { 200: Type.Object({ status: Type.Literal('ready'), database: Type.String() }), ...errorResponses(503) },
    },
    logLevel: 'warn',
  }, async () => {
    try {
      await pingDatabase(ctx.storage.db);
    } catch (err) {
      throw new AppError('unavailable', `The database is not reachable: ${(err as Error).message}`);
    }
    const pending = await pendingMigrations(ctx.storage.db);
    if (pending.length) throw new AppError('unavailable', `Migrations not applied yet: ${pending.join(', ')}. Run \`portier migrate\`.`);
    return { status: 'ready' as const, database: ctx.storage.dialect };
  });
}
