// Builds the real application on a fresh test database, and signs people in the way the web app
// does, so HTTP tests exercise exactly what runs in production.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApp } from '../../src/http/app.ts';
import type { AppContext } from '../../src/http/context.ts';
import { loadConfig } from '../../src/config.ts';
import { createSecretBox } from '../../src/security/secret-box.ts';
import { createSetupToken } from '../../src/accounts/setup.ts';
import type { DialectName } from '../../src/storage/database.ts';
import { createTestStorage } from './databases.ts';
import { createJobQueue } from '../../src/jobs/index.ts';
import { jobDefinitions } from '../../src/jobs/definitions.ts';
import { createInProcessLiveEvents, createPostgresLiveEvents } from '../../src/events/live-events.ts';

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  dispose(): Promise<void>;
}

export interface TestAppOptions {
  /** A logger to inspect what the app logs (default: silent, or TEST_LOG_LEVEL). */
  logger?: Logger;
  /** Runs after the real routes are registered and before the app is ready: extra test-only routes. */
  beforeReady?(app: FastifyInstance): void | Promise<void>;
  /** Start the job queue (short polling, the dialect's own backend) so enqueued jobs run; off by default. */
  jobs?: boolean;
}

export async function createTestApp(dialect: DialectName, env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const storage = await createTestStorage(dialect);
  const config = loadConfig({ PORTIER_DATA_DIR: storage.testDb.dataDir, PORTIER_SECRET_KEY: 't'.repeat(48), PORTIER_LOG_LEVEL: 'silent', ...env });
  const logger = options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  // Without started jobs the embedded queue still accepts work (it stays queued in the database).
  const jobs = createJobQueue({ storage, logger, concurrency: 4, pollIntervalMs: 50, ...(options.jobs ? {} : { backend: 'embedded' as const }) });
  const live = storage.databaseUrl ? await createPostgresLiveEvents(storage.databaseUrl, logger) : createInProcessLiveEvents();
  const ctx: AppContext = { config, storage, logger, secrets: createSecretBox(config.secretKey), jobs, live };
  jobs.register(...jobDefinitions(ctx));
  if (options.jobs) await jobs.start();
  const app = await buildApp(ctx, { webDist: null });
  await options.beforeReady?.(app);
  await app.ready();
  return {
    app,
    ctx,
    dispose: async () => {
      await app.close();
      await jobs.stop();
      await live.close();
      await storage.dispose();
    },
  };
}

export interface SignedIn {
  cookie: string;
  csrfToken: string;
  workspaceId: string;
  userId: string;
  email: string;
  password: string;
  handle: string;
  /** inject() with this user's session cookie and CSRF header. */
  request(opts: { method: string; url: string; payload?: unknown; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
}

let counter = 0;

/** Creates a workspace through the setup link, as the browser does, and returns its signed-in owner. */
export async function setUpWorkspace(t: TestApp, overrides: { handle?: string; email?: string; password?: string } = {}): Promise<SignedIn> {
  counter += 1;
  const suffix = `${process.pid}-${counter}`;
  const handle = overrides.handle ?? `trainer-${suffix}`;
  const email = overrides.email ?? `owner-${suffix}@example.ch`;
  const password = overrides.password ?? 'correct horse battery';
  const { token } = await createSetupToken(t.ctx.storage.db);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/setup',
    // Each workspace is set up from its own address, as separate people would: the per-IP
    // rate limit on setup is tested on its own.
    remoteAddress: `10.${(counter >> 8) & 255}.${counter & 255}.1`,
    payload: {
      token,
      workspace: { name: `Atelier ${suffix}`, handle, locale: 'fr', languages: ['fr', 'de', 'en'], timeZone: 'Europe/Zurich' },
      owner: { email, password, displayName: 'Claire Dubois' },
    },
  });
  if (res.statusCode !== 201) throw new Error(`setup failed: ${res.statusCode} ${res.body}`);
  const body = res.json() as { csrfToken: string; workspace: { id: string }; user: { id: string } };
  const cookie = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  return {
    cookie,
    csrfToken: body.csrfToken,
    workspaceId: body.workspace.id,
    userId: body.user.id,
    email,
    password,
    handle,
    request: (opts) =>
      t.app.inject({
        method: opts.method as 'GET',
        url: opts.url,
        ...(opts.payload === undefined ? {} : { payload: opts.payload as object }),
        headers: { cookie, 'x-csrf-token': body.csrfToken, ...opts.headers },
      }),
  };
}
