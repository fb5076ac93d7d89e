// The contract both backends keep: the embedded queue (a table in our database, polled in-process)
// and pg-boss (several nodes sharing PostgreSQL). Callers only ever see this interface.
import type { DbOrTx } from '../storage/database.ts';
import type { JobDefinition } from './define-job.ts';

export type BackendName = 'embedded' | 'pg-boss';

export interface EnqueueOptions {
  /** Run no earlier than this moment. */
  runAt?: Date | number;
  /** Run no earlier than this many milliseconds from now (ignored when runAt is given). */
  delayMs?: number;
  /**
   * The same key for the same job name yields one job, however often and from however many nodes
   * it is enqueued. Scoped per queue name: two jobs may use the same key for different things.
   */
  idempotencyKey?: string;
  /**
   * An open Kysely transaction: the job is inserted in it and exists only if the transaction
   * commits, so "store the message and queue its processing" is all-or-nothing.
   */
  db?: DbOrTx;
}

export interface ScheduleOptions {
  /** IANA time zone the cron expression is read in; UTC by default. */
  timeZone?: string;
}

export interface StopOptions {
  /** How long to wait for running handlers before giving up on them; 30 s by default. */
  timeoutMs?: number;
}

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface JobSnapshot {
  id: string;
  queueName: string;
  state: JobStatus;
  /** Runs started so far. */
  attempts: number;
  lastError: string | null;
  payload: unknown;
}

export interface JobQueue {
  readonly backend: BackendName;
  /** Makes this node run jobs of these definitions once started. */
  register(...definitions: JobDefinition<any>[]): void;
  /**
   * Validates the payload (throwing JobPayloadError) and stores the job. Returns its id; with an
   * idempotency key that was used before, the id of the job created the first time.
   */
  enqueue<P>(definition: JobDefinition<P>, payload: P, options?: EnqueueOptions): Promise<string>;
  /** Runs the job on a cron schedule; one schedule per job name, a later call replaces it. */
  schedule<P>(definition: JobDefinition<P>, cron: string, payload: P, options?: ScheduleOptions): Promise<void>;
  unschedule(definition: JobDefinition<any>): Promise<void>;
  /** Starts working registered jobs (and firing schedules). */
  start(): Promise<void>;
  /** Stops taking jobs, waits for running handlers (up to the timeout), releases connections. */
  stop(options?: StopOptions): Promise<void>;
  /** Resolves when no registered job is due or running. For tests and the CLI, not for servers. */
  drain(options?: { timeoutMs?: number }): Promise<void>;
  /** One job's current state, or null when it is unknown (or already pruned). */
  getJob(definition: JobDefinition<any>, id: string): Promise<JobSnapshot | null>;
}
