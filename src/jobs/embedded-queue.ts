// The embedded backend: jobs are rows in our own `job` table (SQLite by default, PostgreSQL works
// too), worked in-process by a polling loop that is also woken at once when this process enqueues.
//
// Delivery is at least once. A claimed job carries a lease (locked_until) that a heartbeat keeps
// extending while the handler runs; if the process dies, the lease runs out and any process polling
// the same database takes the job again. Handlers must therefore be idempotent, which the rest of
// Portier is anyway (ingestion dedupes on external ids, sends go through the outbox).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { Poller } from './poller.ts';
import type { Storage } from '../storage/database.ts';
import { retryDelayMs, type JobDefinition } from './define-job.ts';
import {
  claimNextJob,
  deleteSchedule,
  extendLease,
  findJob,
  fireSchedule,
  hasPendingJobs,
  insertJob,
  listDueSchedules,
  markJobDone,
  markJobFailed,
  requeueJob,
  upsertSchedule,
  type JobRow,
} from './embedded-store.ts';
import type { EnqueueOptions, JobQueue, JobSnapshot, ScheduleOptions, StopOptions } from './job-queue.ts';
import { nextCronTime } from './next-cron-time.ts';
import { definePruneJobs, PRUNE_JOBS_CRON } from './prune-jobs.ts';
import { runHandler } from './run-handler.ts';

export interface EmbeddedQueueOptions {
  storage: Storage;
  logger: Logger;
  /** Handlers running at once in this process. */
  concurrency: number;
  /** How often to look for due jobs and schedules; 1 s by default. */
  pollIntervalMs?: number;
  /** How long a claimed job stays ours without a heartbeat; 60 s by default. */
  leaseMs?: number;
  /** Identifies this process in locked_by; host, pid and a random suffix by default. */
  workerId?: string;
  /** Finished jobs are pruned after this many days; 0 turns pruning off. 14 by default. */
  retentionDays?: number;
}

type QueueState = 'idle' | 'started' | 'stopping' | 'stopped';

export class EmbeddedJobQueue implements JobQueue {
  readonly backend = 'embedded' as const;
  readonly workerId: string;
  private readonly storage: Storage;
  private readonly logger: Logger;
  private readonly concurrency: number;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private readonly retentionDays: number;
  private readonly definitions = new Map<string, JobDefinition<any>>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly heartbeats = new Set<NodeJS.Timeout>();
  private readonly abort = new AbortController();
  private state: QueueState = 'idle';
  private lastScheduleCheck = 0;
  private readonly poller: Poller;

  constructor(options: EmbeddedQueueOptions) {
    this.storage = options.storage;
    this.logger = options.logger.child({ component: 'jobs', backend: 'embedded' });
    this.concurrency = Math.max(1, options.concurrency);
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.retentionDays = options.retentionDays ?? 14;
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.poller = new Poller({
      intervalMs: this.pollIntervalMs,
      isActive: () => this.state === 'started',
      poll: async () => {
        await this.fireDueSchedules();
        await this.claimJobs();
      },
      logger: this.logger,
    });
  }

  register(...definitions: JobDefinition<any>[]): void {
    for (const definition of definitions) this.definitions.set(definition.queueName, definition);
  }

  async enqueue<P>(definition: JobDefinition<P>, payload: P, options: EnqueueOptions = {}): Promise<string> {
    const parsed = definition.parsePayload(payload);
    const now = Date.now();
    const runAt = options.runAt !== undefined ? new Date(options.runAt).getTime() : now + (options.delayMs ?? 0);
    const id = await insertJob(
      options.db ?? this.storage.db,
      {
        queueName: definition.queueName,
        payload: parsed,
        runAt,
        maxAttempts: definition.maxAttempts,
        backoffMs: definition.backoff.baseMs,
        backoffMaxMs: definition.backoff.maxMs,
        idempotencyKey: options.idempotencyKey ?? null,
      },
      now,
    );
    // Inside a caller's transaction the row is invisible until commit: leave it to the next poll.
    if (!options.db && runAt <= now && this.definitions.has(definition.queueName)) this.poller.wake();
    return id;
  }

  async schedule<P>(definition: JobDefinition<P>, cron: string, payload: P, options: ScheduleOptions = {}): Promise<void> {
    const parsed = definition.parsePayload(payload);
    const timeZone = options.timeZone ?? 'UTC';
    const nextRunAt = nextCronTime(cron, timeZone);
    await upsertSchedule(this.storage.db, { name: definition.queueName, cron, time_zone: timeZone, payload: JSON.stringify(parsed), next_run_at: nextRunAt });
    this.poller.wake();
  }

  async unschedule(definition: JobDefinition<any>): Promise<void> {
    await deleteSchedule(this.storage.db, definition.queueName);
  }

  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`The job queue cannot start: it is ${this.state}.`);
    if (this.retentionDays > 0) {
      const prune = definePruneJobs(this.storage.db);
      this.register(prune);
      await this.schedule(prune, PRUNE_JOBS_CRON, { retentionDays: this.retentionDays });
    }
    this.state = 'started';
    this.logger.info({ workerId: this.workerId, concurrency: this.concurrency, jobs: [...this.definitions.keys()] }, 'job queue started');
    this.poller.wake();
  }

  async stop(options: StopOptions = {}): Promise<void> {
    if (this.state === 'idle' || this.state === 'stopped') {
      this.state = 'stopped';
      return;
    }
    if (this.state === 'stopping') return;
    this.state = 'stopping';
    await this.poller.halt();
    const timeoutMs = options.timeoutMs ?? 30_000;
    const settled = Promise.allSettled([...this.running.values()]).then(() => true);
    const finished = await Promise.race([settled, sleep(timeoutMs).then(() => false)]);
    if (!finished) {
      // JavaScript cannot kill a handler. We tell it to give up, and stop renewing its lease so
      // another process (or this one after a restart) takes the job once the lease runs out.
      this.abort.abort(new Error('The job queue is stopping.'));
      for (const heartbeat of this.heartbeats) clearInterval(heartbeat);
      this.logger.warn({ running: [...this.running.keys()], timeoutMs }, 'jobs still running at stop; they run again after their lease expires');
    }
    this.state = 'stopped';
    this.logger.info('job queue stopped');
  }

  async drain(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.state !== 'started') throw new Error('drain() needs a started job queue.');
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    const names = () => [...this.definitions.keys()];
    for (;;) {
      await this.poller.tick();
      await Promise.allSettled([...this.running.values()]);
      if (this.running.size === 0 && !(await hasPendingJobs(this.storage.db, names()))) return;
      if (Date.now() > deadline) throw new Error(`drain() timed out with jobs still due or running in ${names().join(', ')}.`);
      await sleep(10);
    }
  }

  async getJob(_definition: JobDefinition<any>, id: string): Promise<JobSnapshot | null> {
    const row = await findJob(this.storage.db, id);
    if (!row) return null;
    return { id: row.id, queueName: row.name, state: row.state, attempts: row.attempts, lastError: row.last_error, payload: JSON.parse(row.payload) };
  }

  private async claimJobs(): Promise<void> {
    const names = [...this.definitions.keys()];
    while (this.state === 'started' && this.running.size < this.concurrency) {
      const row = await claimNextJob(this.storage.db, this.storage.dialect, names, this.workerId, this.leaseMs);
      if (!row) return;
      const run = this.runJob(row).finally(() => {
        this.running.delete(row.id);
        this.poller.wake();
      });
      this.running.set(row.id, run);
    }
  }

  private async fireDueSchedules(): Promise<void> {
    const now = Date.now();
    if (now - this.lastScheduleCheck < Math.min(this.pollIntervalMs, 1000)) return;
    this.lastScheduleCheck = now;
    for (const schedule of await listDueSchedules(this.storage.db, [...this.definitions.keys()], now)) {
      const definition = this.definitions.get(schedule.name)!;
      // The next run counts from now, not from the missed time: after downtime a schedule fires
      // once, not once for every occurrence it slept through.
      const nextRunAt = nextCronTime(schedule.cron, schedule.time_zone, now);
      const fired = await fireSchedule(this.storage.db, schedule, nextRunAt, {
        queueName: schedule.name,
        payload: JSON.parse(schedule.payload),
        runAt: now,
        maxAttempts: definition.maxAttempts,
        backoffMs: definition.backoff.baseMs,
        backoffMaxMs: definition.backoff.maxMs,
        idempotencyKey: null,
      });
      if (fired) this.logger.debug({ job: schedule.name, nextRunAt }, 'schedule fired');
    }
  }

  private async runJob(row: JobRow): Promise<void> {
    const db = this.storage.db;
    const definition = this.definitions.get(row.name)!;
    if (row.attempts > row.max_attempts) {
      // Only reachable by taking over expired leases: the worker died (or hung) on every attempt.
      await markJobFailed(db, row.id, this.workerId, row.last_error ?? 'Every attempt ended without an outcome: the worker running it stopped or hung until its lease expired.');
      return;
    }
    const heartbeat = setInterval(() => {
      extendLease(db, row.id, this.workerId, this.leaseMs).then(
        (held) => held || this.logger.warn({ jobId: row.id }, 'lost the lease of a running job; another worker may run it too'),
        (err) => this.logger.warn({ err, jobId: row.id }, 'could not extend a job lease'),
      );
    }, Math.max(10, Math.floor(this.leaseMs / 3)));
    heartbeat.unref();
    this.heartbeats.add(heartbeat);
    let outcome;
    try {
      outcome = await runHandler({ definition, jobId: row.id, payload: JSON.parse(row.payload), attempt: row.attempts, signal: this.abort.signal, logger: this.logger });
    } finally {
      clearInterval(heartbeat);
      this.heartbeats.delete(heartbeat);
    }
    try {
      if (outcome.ok) await markJobDone(db, row.id, this.workerId);
      else if (outcome.permanent || row.attempts >= row.max_attempts) await markJobFailed(db, row.id, this.workerId, outcome.error);
      else {
        const delay = retryDelayMs({ baseMs: row.backoff_ms, maxMs: row.backoff_max_ms }, row.attempts);
        await requeueJob(db, row.id, this.workerId, outcome.error, Date.now() + delay);
      }
    } catch (err) {
      // The row stays 'running' and is taken again when its lease expires: at least once.
      this.logger.error({ err, jobId: row.id }, 'could not record a job outcome');
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
