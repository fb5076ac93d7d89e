// The PostgreSQL backend: pg-boss 10 keeps the jobs (in its own schema) and the cron schedules, and
// its maintenance expires stuck jobs, archives finished ones and fires schedules, coordinated
// across nodes by advisory locks. Claiming uses pg-boss's FOR UPDATE SKIP LOCKED fetch, so several
// nodes share the work and no job runs on two nodes at once.
//
// We fetch with boss.fetch() in our own loop rather than boss.work(): pg-boss 10 work() runs one
// poller per call and completes or fails a whole batch together, whereas we want one concurrency
// limit per node across all job names, an immediate wake-up when this node enqueues, and the
// outcome recorded per job.
import { randomBytes } from 'node:crypto';
import PgBoss from 'pg-boss';
import { CompiledQuery } from 'kysely';
import type { Logger } from 'pino';
import { Poller } from './poller.ts';
import type { DbOrTx, Storage } from '../storage/database.ts';
import type { JobDefinition } from './define-job.ts';
import { idempotentJobId } from './idempotency-id.ts';
import type { EnqueueOptions, JobQueue, JobSnapshot, JobStatus, ScheduleOptions, StopOptions } from './job-queue.ts';
import { nextCronTime } from './next-cron-time.ts';
import { runHandler } from './run-handler.ts';

export interface PgBossQueueOptions {
  storage: Storage;
  logger: Logger;
  /** Handlers running at once on this node, across all job names. */
  concurrency: number;
  /** How often to look for due jobs; 1 s by default. */
  pollIntervalMs?: number;
  /** PostgreSQL schema for pg-boss's tables; `pgboss` by default. */
  schema?: string;
  /** Connections pg-boss may open (it has its own pool); 4 by default. */
  maxConnections?: number;
  /** How often pg-boss checks cron schedules; 30 s by default (cron itself has minute resolution). */
  cronMonitorIntervalSeconds?: number;
}

type QueueState = 'idle' | 'started' | 'stopping' | 'stopped';

const PG_BOSS_STATES: Record<string, JobStatus> = {
  created: 'queued',
  retry: 'queued',
  active: 'running',
  completed: 'done',
  cancelled: 'failed',
  failed: 'failed',
};

export class PgBossJobQueue implements JobQueue {
  readonly backend = 'pg-boss' as const;
  private readonly boss: PgBoss;
  private readonly logger: Logger;
  private readonly schema: string;
  private readonly concurrency: number;
  private readonly pollIntervalMs: number;
  private readonly poller: Poller;
  private readonly definitions = new Map<string, JobDefinition<any>>();
  private readonly createdQueues = new Map<string, Promise<void>>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private booting: Promise<void> | undefined;
  private state: QueueState = 'idle';
  /** Rotates which queue is fetched first, so one busy job name cannot starve the others. */
  private nextQueue = 0;

  constructor(options: PgBossQueueOptions) {
    if (!options.storage.databaseUrl) throw new Error('The pg-boss job queue needs PostgreSQL: set DATABASE_URL, or use the embedded queue.');
    this.logger = options.logger.child({ component: 'jobs', backend: 'pg-boss' });
    this.schema = options.schema ?? 'pgboss';
    this.concurrency = Math.max(1, options.concurrency);
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.poller = new Poller({ intervalMs: this.pollIntervalMs, isActive: () => this.state === 'started', poll: () => this.fetchJobs(), logger: this.logger });
    const cronSeconds = options.cronMonitorIntervalSeconds ?? 30;
    this.boss = new PgBoss({
      connectionString: options.storage.databaseUrl,
      schema: this.schema,
      max: options.maxConnections ?? 4,
      application_name: `portier-jobs-${randomBytes(3).toString('hex')}`,
      cronMonitorIntervalSeconds: cronSeconds,
      cronWorkerIntervalSeconds: cronSeconds,
      // Finished jobs move to the archive after a day and leave it after 30 days. Until then their
      // id still refuses a duplicate idempotency key (see enqueue); see also the retention note.
      archiveCompletedAfterSeconds: 24 * 60 * 60,
      deleteAfterDays: 30,
    });
    this.boss.on('error', (err) => this.logger.error({ err }, 'pg-boss reported an error'));
  }

  register(...definitions: JobDefinition<any>[]): void {
    for (const definition of definitions) this.definitions.set(definition.queueName, definition);
  }

  async enqueue<P>(definition: JobDefinition<P>, payload: P, options: EnqueueOptions = {}): Promise<string> {
    const parsed = definition.parsePayload(payload);
    await this.ensureQueue(definition.queueName);
    const id = options.idempotencyKey === undefined ? undefined : idempotentJobId(definition.queueName, options.idempotencyKey);
    // The insert's ON CONFLICT only sees live jobs; a finished job may already sit in the archive,
    // where its id must still count as taken.
    if (id && (await this.isArchived(definition.queueName, id))) return id;
    const startAfter = options.runAt !== undefined ? new Date(options.runAt) : options.delayMs ? new Date(Date.now() + options.delayMs) : undefined;
    const sent = await this.boss.send(definition.queueName, (parsed ?? {}) as object, {
      ...sendOptions(definition),
      ...(id ? { id } : {}),
      ...(startAfter ? { startAfter } : {}),
      ...(options.db ? { db: executorOf(options.db) } : {}),
    });
    // send() returns null when the id already existed: the job is the one created the first time.
    const jobId = sent ?? id;
    if (!jobId) throw new Error(`pg-boss did not create the job ${definition.queueName}.`);
    if (!options.db && sent && !startAfter && this.definitions.has(definition.queueName)) this.poller.wake();
    return jobId;
  }

  async schedule<P>(definition: JobDefinition<P>, cron: string, payload: P, options: ScheduleOptions = {}): Promise<void> {
    const parsed = definition.parsePayload(payload);
    const timeZone = options.timeZone ?? 'UTC';
    // pg-boss reads cron with minute resolution: a six-field expression would silently misfire.
    if (cron.trim().split(/\s+/).length !== 5) {
      throw new Error(`Cron expression "${cron}" for job ${definition.queueName}: on PostgreSQL (pg-boss) schedules take five fields, minute resolution.`);
    }
    nextCronTime(cron, timeZone);
    await this.ensureQueue(definition.queueName);
    await this.boss.schedule(definition.queueName, cron, (parsed ?? {}) as object, { ...sendOptions(definition), tz: timeZone });
  }

  async unschedule(definition: JobDefinition<any>): Promise<void> {
    await this.boot();
    await this.boss.unschedule(definition.queueName);
  }

  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`The job queue cannot start: it is ${this.state}.`);
    await this.boot();
    await Promise.all([...this.definitions.keys()].map((name) => this.ensureQueue(name)));
    this.state = 'started';
    this.logger.info({ concurrency: this.concurrency, jobs: [...this.definitions.keys()] }, 'job queue started');
    this.poller.wake();
  }

  async stop(options: StopOptions = {}): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    const wasRunning = this.state === 'started';
    this.state = 'stopping';
    await this.poller.halt();
    if (wasRunning) {
      const timeoutMs = options.timeoutMs ?? 30_000;
      const settled = Promise.allSettled([...this.running.values()]).then(() => true);
      const finished = await Promise.race([settled, sleep(timeoutMs).then(() => false)]);
      if (!finished) {
        // They stay 'active' in pg-boss, which fails them by expiry (15 minutes) and retries them.
        this.abort.abort(new Error('The job queue is stopping.'));
        this.logger.warn({ running: [...this.running.keys()], timeoutMs }, 'jobs still running at stop; pg-boss retries them after they expire');
      }
    }
    if (this.booting) {
      await this.booting.catch(() => {});
      await this.boss.stop({ graceful: true, wait: true, timeout: 1000 });
    }
    this.state = 'stopped';
    this.logger.info('job queue stopped');
  }

  async drain(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.state !== 'started') throw new Error('drain() needs a started job queue.');
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      await this.poller.tick();
      await Promise.allSettled([...this.running.values()]);
      if (this.running.size === 0 && !(await this.hasPendingJobs())) return;
      if (Date.now() > deadline) throw new Error(`drain() timed out with jobs still due or running in ${[...this.definitions.keys()].join(', ')}.`);
      await sleep(20);
    }
  }

  async getJob(definition: JobDefinition<any>, id: string): Promise<JobSnapshot | null> {
    await this.boot();
    const job = await this.boss.getJobById<unknown>(definition.queueName, id, { includeArchive: true });
    if (!job) return null;
    const output = job.output as { message?: string; stack?: string } | null;
    return {
      id: job.id,
      queueName: job.name,
      state: PG_BOSS_STATES[job.state] ?? 'queued',
      attempts: job.startedOn ? job.retryCount + 1 : 0,
      lastError: job.state === 'completed' ? null : (output?.message ?? null),
      payload: job.data,
    };
  }

  /** The registered job names pg-boss knows as queues; exposed for tests and diagnostics. */
  async listSchedules(): Promise<{ name: string; cron: string; timeZone: string }[]> {
    await this.boot();
    const rows = await this.boss.getSchedules();
    return rows.map((r) => ({ name: r.name, cron: r.cron, timeZone: (r as unknown as { timezone: string }).timezone }));
  }

  // pg-boss must be started (it creates or migrates its schema) before anything can be sent, even
  // on a node that only enqueues. Its start is safe to run on several nodes at once.
  private boot(): Promise<void> {
    this.booting ??= this.boss.start().then(() => undefined);
    return this.booting;
  }

  // pg-boss 10 needs a queue created before jobs are sent to or fetched from it. create_queue is
  // INSERT … ON CONFLICT DO NOTHING, so every node may call it for every name — but it also creates
  // the queue's partition, and two nodes creating the same queue at the same moment can deadlock
  // (PostgreSQL aborts one with 40P01). The loser simply tries again: by then the queue exists.
  private ensureQueue(name: string): Promise<void> {
    let created = this.createdQueues.get(name);
    if (!created) {
      created = this.boot().then(() => createQueueRetryingDeadlocks(() => this.boss.createQueue(name)));
      created.catch(() => this.createdQueues.delete(name));
      this.createdQueues.set(name, created);
    }
    return created;
  }

  private async isArchived(queueName: string, id: string): Promise<boolean> {
    const { rows } = await this.boss.getDb().executeSql(`SELECT 1 FROM ${this.schema}.archive WHERE name = $1 AND id = $2`, [queueName, id]);
    return rows.length > 0;
  }

  private async hasPendingJobs(): Promise<boolean> {
    const { rows } = await this.boss
      .getDb()
      .executeSql(
        `SELECT 1 FROM ${this.schema}.job WHERE name = ANY($1) AND (state = 'active' OR (state < 'active' AND start_after <= now())) LIMIT 1`,
        [[...this.definitions.keys()]],
      );
    return rows.length > 0;
  }

  private async fetchJobs(): Promise<void> {
    const names = [...this.definitions.keys()];
    for (let i = 0; i < names.length && this.state === 'started'; i++) {
      const free = this.concurrency - this.running.size;
      if (free <= 0) return;
      const name = names[(this.nextQueue + i) % names.length]!;
      const jobs = await this.boss.fetch<unknown>(name, { batchSize: free, includeMetadata: true });
      for (const job of jobs) {
        const run = this.runJob(name, job).finally(() => {
          this.running.delete(job.id);
          this.poller.wake();
        });
        this.running.set(job.id, run);
      }
    }
    this.nextQueue = (this.nextQueue + 1) % Math.max(1, names.length);
  }

  private async runJob(name: string, job: PgBoss.JobWithMetadata<unknown>): Promise<void> {
    const definition = this.definitions.get(name)!;
    const outcome = await runHandler({ definition, jobId: job.id, payload: job.data, attempt: job.retryCount + 1, signal: this.abort.signal, logger: this.logger });
    try {
      if (outcome.ok) {
        await this.boss.complete(name, job.id);
        return;
      }
      if (outcome.permanent) {
        // pg-boss 10 has no "fail without retry": spend the remaining retries first.
        await this.boss.getDb().executeSql(`UPDATE ${this.schema}.job SET retry_limit = retry_count WHERE name = $1 AND id = $2`, [name, job.id]);
      }
      await this.boss.fail(name, job.id, { message: outcome.error });
    } catch (err) {
      // The job stays active and pg-boss retries it when it expires: at least once.
      this.logger.error({ err, jobId: job.id }, 'could not record a job outcome');
    }
  }
}

/**
 * pg-boss 10 retries with delay = retryDelay × 2^n / 2 × (1 + random) seconds: whole seconds,
 * jittered, and without a cap. We round the definition's base up to a second (at least 1) and
 * cannot honour backoff.maxMs; retry counts match exactly (retryLimit = maxAttempts − 1).
 */
function sendOptions(definition: JobDefinition<any>): PgBoss.SendOptions {
  return {
    retryLimit: definition.maxAttempts - 1,
    retryDelay: Math.max(1, Math.ceil(definition.backoff.baseMs / 1000)),
    retryBackoff: true,
  };
}

/** Lets pg-boss insert through the caller's Kysely transaction, so the job commits with it. */
function executorOf(db: DbOrTx): PgBoss.Db {
  return {
    executeSql: async (text, values) => {
      const result = await db.executeQuery(CompiledQuery.raw(text, values));
      return { rows: result.rows as any[] };
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function createQueueRetryingDeadlocks(create: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (err) {
      if ((err as { code?: string }).code !== '40P01' || attempt >= 5) throw err;
      await sleep(50 * attempt + Math.floor(Math.random() * 50));
    }
  }
}
