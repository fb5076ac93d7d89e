// The job system's front door. The server builds one queue at start:
//
//   const jobs = createJobQueue({ storage, logger, concurrency: config.jobs.concurrency });
//   jobs.register(sendReply, syncMailbox, …);
//   if (config.jobs.enabled) await jobs.start();   // enqueue works either way
//   …
//   await jobs.stop();                              // before storage.close()
//
// The backend follows the database: pg-boss on PostgreSQL (several nodes share the work), the
// embedded table queue on SQLite. Both keep the JobQueue contract.
import type { Logger } from 'pino';
import type { Storage } from '../storage/database.ts';
import { EmbeddedJobQueue } from './embedded-queue.ts';
import type { BackendName, JobQueue } from './job-queue.ts';
import { PgBossJobQueue } from './pg-boss-queue.ts';

export interface JobQueueOptions {
  storage: Storage;
  logger: Logger;
  /** Handlers running at once on this node. */
  concurrency: number;
  /** Overrides the choice made from the database dialect (pg-boss needs PostgreSQL). */
  backend?: BackendName;
  /** How often to look for due jobs; 1 s by default. Tests use less. */
  pollIntervalMs?: number;
  /** Embedded only: lease of a claimed job, renewed while it runs; 60 s by default. */
  leaseMs?: number;
  /** Embedded only: days to keep finished jobs; 0 turns pruning off. 14 by default. */
  retentionDays?: number;
  /** pg-boss only: how often schedules are checked; 30 s by default. */
  cronMonitorIntervalSeconds?: number;
  /** pg-boss only: the size of pg-boss's own connection pool; 4 by default. */
  maxConnections?: number;
}

export function createJobQueue(options: JobQueueOptions): JobQueue {
  const backend = options.backend ?? (options.storage.dialect === 'postgres' ? 'pg-boss' : 'embedded');
  if (backend === 'pg-boss') {
    if (options.storage.dialect !== 'postgres') throw new Error('The pg-boss job backend needs PostgreSQL: set DATABASE_URL, or leave the backend to its default.');
    return new PgBossJobQueue(options);
  }
  return new EmbeddedJobQueue(options);
}

export { defineJob, JobPayloadError, PermanentJobError, type JobContext, type JobDefinition, type Backoff } from './define-job.ts';
export type { BackendName, EnqueueOptions, JobQueue, JobSnapshot, JobStatus, ScheduleOptions, StopOptions } from './job-queue.ts';
export { EmbeddedJobQueue } from './embedded-queue.ts';
export { PgBossJobQueue } from './pg-boss-queue.ts';
