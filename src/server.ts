// The running process: configuration → database (migrated) → HTTP app → listening, and a clean
// shutdown on SIGTERM/SIGINT. Nothing here is needed by tests, which build the app directly.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { createLogger } from './logger.ts';
import { buildApp } from './http/app.ts';
import type { AppContext } from './http/context.ts';
import { createSecretBox } from './security/secret-box.ts';
import { migrateToLatest, openStorage, type Storage } from './storage/database.ts';
import { countWorkspaces } from './storage/repositories/workspaces.ts';
import { createSetupToken, setupLink } from './accounts/setup.ts';
import { createJobQueue } from './jobs/index.ts';
import { jobDefinitions } from './jobs/definitions.ts';
import { createInProcessLiveEvents, createPostgresLiveEvents } from './events/live-events.ts';
import { startEmailSync } from './channels/email/sync-manager.ts';
import { scheduleContactSuggestionScan } from './contacts/scan-contact-suggestions.ts';

export interface RunningServer {
  app: FastifyInstance;
  context: AppContext;
  url: string;
  close(): Promise<void>;
}

export async function openContext(config: Config, logger: Logger = createLogger(config)): Promise<AppContext> {
  const storage: Storage = await openStorage({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, onIdleError: (err) => logger.warn({ err }, 'an idle database connection failed; it will be replaced') });
  if (config.runMigrations) {
    const applied = await migrateToLatest(storage.db);
    if (applied.length) logger.info({ applied }, `applied ${applied.length} database migration(s)`);
  }
  const jobs = createJobQueue({ storage, logger, concurrency: config.jobs.concurrency });
  const live = storage.databaseUrl ? await createPostgresLiveEvents(storage.databaseUrl, logger) : createInProcessLiveEvents();
  const context: AppContext = { config, storage, logger, secrets: createSecretBox(config.secretKey), jobs, live };
  jobs.register(...jobDefinitions(context));
  return context;
}

/** Stops what openContext started, in reverse order: jobs first, the database last. */
export async function closeContext(context: AppContext): Promise<void> {
  await context.jobs.stop();
  await context.live.close();
  await context.storage.close();
}

export async function startServer(config: Config, options: { onReady?: (ctx: AppContext) => Promise<unknown> } = {}): Promise<RunningServer> {
  const logger = createLogger(config);
  if (config.secretKeyGenerated) {
    logger.warn(`Generated a new secret key in ${config.dataDir}/secret.key. Back it up with your data: without it, stored channel passwords cannot be read.`);
  }
  const context = await openContext(config, logger);
  const app = await buildApp(context);
  await options.onReady?.(context);
  if (config.jobs.enabled) {
    await context.jobs.start();
    await scheduleContactSuggestionScan(context);
  }
  // Mailbox syncs are long-lived loops per account, run where jobs run.
  const emailSync = config.jobs.enabled ? startEmailSync(context) : null;
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  if ((await countWorkspaces(context.storage.db)) === 0) {
    const { token } = await createSetupToken(context.storage.db);
    const link = setupLink(config.publicUrl.replace(`:${config.port}`, `:${port}`), token);
    // Printed on stdout directly (not only logged): this is the one thing a newcomer must see.
    process.stdout.write(`\n  Portier is running at ${url} (database: ${context.storage.dialect}).\n  No workspace exists yet. Open this one-time link within 24 hours to create yours:\n\n    ${link}\n\n`);
  } else {
    process.stdout.write(`\n  Portier is running at ${url} (database: ${context.storage.dialect}). Sign in at ${config.publicUrl}/signin\n\n`);
  }

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await app.close();
      await emailSync?.stop();
      await closeContext(context);
    })();
    return closing;
  };
  return { app, context, url, close };
}
