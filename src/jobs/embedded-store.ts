// The embedded queue's SQL: every read and write of the `job` and `job_schedule` tables. Each
// function is one statement (or one short transaction) so that several processes on the same
// SQLite file, or several nodes on one PostgreSQL database, can share the tables safely.
import { sql, type Selectable } from 'kysely';
import type { Db, DbOrTx, DialectName } from '../storage/database.ts';
import type { JobTable } from '../storage/schema.ts';
import { newId } from '../core/ids.ts';

export type JobRow = Selectable<JobTable>;

export interface NewJob {
  queueName: string;
  payload: unknown;
  runAt: number;
  maxAttempts: number;
  backoffMs: number;
  backoffMaxMs: number;
  idempotencyKey: string | null;
}

/**
 * Inserts a job; with an idempotency key already taken, inserts nothing and returns the existing
 * job's id. The unique index on idempotency_key decides between concurrent callers, so a thousand
 * simultaneous enqueues with one key leave one row whichever process they come from.
 */
export async function insertJob(db: DbOrTx, job: NewJob, now = Date.now()): Promise<string> {
  const key = job.idempotencyKey === null ? null : `${job.queueName}:${job.idempotencyKey}`;
  const inserted = await db
    .insertInto('job')
    .values({
      id: newId(now),
      name: job.queueName,
      payload: JSON.stringify(job.payload ?? null),
      idempotency_key: key,
      state: 'queued',
      run_at: job.runAt,
      attempts: 0,
      max_attempts: job.maxAttempts,
      backoff_ms: job.backoffMs,
      backoff_max_ms: job.backoffMaxMs,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return inserted.id;
  const existing = await db.selectFrom('job').select('id').where('idempotency_key', '=', key).executeTakeFirstOrThrow();
  return existing.id;
}

/**
 * Claims the next due job of the given queues for this worker, or returns undefined. Due means
 * queued with run_at passed, or running with an expired lease (its worker died or hung).
 *
 * One UPDATE … WHERE id = (SELECT …) RETURNING statement. On SQLite a write statement takes the
 * database's write lock before it reads, so two processes cannot pick the same row. On PostgreSQL
 * the sub-select takes FOR UPDATE SKIP LOCKED, so concurrent claimers skip each other's row instead
 * of waiting and then re-claiming it. The outer WHERE repeats the due condition as a
 * compare-and-set, so a row that changed state in between is never claimed twice.
 */
export async function claimNextJob(
  db: Db,
  dialect: DialectName,
  queueNames: string[],
  workerId: string,
  leaseMs: number,
  now = Date.now(),
): Promise<JobRow | undefined> {
  if (queueNames.length === 0) return undefined;
  let next = db
    .selectFrom('job')
    .select('id')
    .where('name', 'in', queueNames)
    .where((eb) =>
      eb.or([
        eb.and([eb('state', '=', 'queued'), eb('run_at', '<=', now)]),
        eb.and([eb('state', '=', 'running'), eb('locked_until', '<', now)]),
      ]),
    )
    .orderBy('run_at')
    .limit(1);
  if (dialect === 'postgres') next = next.forUpdate().skipLocked();

  return db
    .updateTable('job')
    .set({
      state: 'running',
      locked_by: workerId,
      locked_until: now + leaseMs,
      attempts: sql`attempts + 1`,
      updated_at: now,
    })
    .where('id', '=', next)
    .where((eb) =>
      eb.or([eb('state', '=', 'queued'), eb.and([eb('state', '=', 'running'), eb('locked_until', '<', now)])]),
    )
    .returningAll()
    .executeTakeFirst();
}

// The writes below are fenced by locked_by: a worker whose lease expired and whose job was claimed
// by another worker must not overwrite the newer run's outcome.

/** Extends the lease of a running job; false when this worker no longer holds it. */
export async function extendLease(db: Db, id: string, workerId: string, leaseMs: number, now = Date.now()): Promise<boolean> {
  const result = await db
    .updateTable('job')
    .set({ locked_until: now + leaseMs })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function markJobDone(db: Db, id: string, workerId: string, now = Date.now()): Promise<void> {
  await db
    .updateTable('job')
    .set({ state: 'done', locked_by: null, locked_until: null, last_error: null, updated_at: now })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .execute();
}

export async function markJobFailed(db: Db, id: string, workerId: string, error: string, now = Date.now()): Promise<void> {
  await db
    .updateTable('job')
    .set({ state: 'failed', locked_by: null, locked_until: null, last_error: error, updated_at: now })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .execute();
}

export async function requeueJob(db: Db, id: string, workerId: string, error: string, runAt: number, now = Date.now()): Promise<void> {
  await db
    .updateTable('job')
    .set({ state: 'queued', run_at: runAt, locked_by: null, locked_until: null, last_error: error, updated_at: now })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .execute();
}

/** Whether any job of these queues is due now or running; drain() waits for this to be false. */
export async function hasPendingJobs(db: Db, queueNames: string[], now = Date.now()): Promise<boolean> {
  if (queueNames.length === 0) return false;
  const row = await db
    .selectFrom('job')
    .select('id')
    .where('name', 'in', queueNames)
    .where((eb) => eb.or([eb('state', '=', 'running'), eb.and([eb('state', '=', 'queued'), eb('run_at', '<=', now)])]))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function findJob(db: Db, id: string): Promise<JobRow | undefined> {
  return db.selectFrom('job').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Removes finished jobs last touched before `before`. Jobs with an idempotency key stay, because
 * the key must keep refusing duplicates forever (a webhook redelivered a month later must not be
 * processed again); their payload and error are blanked instead, so no personal data outlives the
 * retention period. Returns the number of rows deleted and blanked.
 */
export async function pruneFinishedJobs(db: Db, before: number): Promise<{ deleted: number; blanked: number }> {
  const deleted = await db
    .deleteFrom('job')
    .where('state', 'in', ['done', 'failed'])
    .where('updated_at', '<', before)
    .where('idempotency_key', 'is', null)
    .executeTakeFirst();
  const blanked = await db
    .updateTable('job')
    .set({ payload: 'null', last_error: null })
    .where('state', 'in', ['done', 'failed'])
    .where('updated_at', '<', before)
    .where('idempotency_key', 'is not', null)
    .where('payload', '<>', 'null')
    .executeTakeFirst();
  return { deleted: Number(deleted.numDeletedRows), blanked: Number(blanked.numUpdatedRows) };
}

export interface ScheduleRow {
  name: string;
  cron: string;
  time_zone: string;
  payload: string;
  next_run_at: number;
}

/** Creates or replaces a schedule. An unchanged cron and zone keep their next run time. */
export async function upsertSchedule(db: Db, row: ScheduleRow, now = Date.now()): Promise<void> {
  await db
    .insertInto('job_schedule')
    .values({ ...row, updated_at: now })
    .onConflict((oc) =>
      oc.column('name').doUpdateSet((eb) => ({
        payload: eb.ref('excluded.payload'),
        updated_at: eb.ref('excluded.updated_at'),
        // A changed expression starts afresh; an unchanged one keeps its place in time, so a
        // restart (which calls schedule() again) neither skips nor repeats an occurrence.
        next_run_at: sql<number>`case when job_schedule.cron = excluded.cron and job_schedule.time_zone = excluded.time_zone then job_schedule.next_run_at else excluded.next_run_at end`,
        cron: eb.ref('excluded.cron'),
        time_zone: eb.ref('excluded.time_zone'),
      })),
    )
    .execute();
}

export async function deleteSchedule(db: Db, name: string): Promise<void> {
  await db.deleteFrom('job_schedule').where('name', '=', name).execute();
}

export async function listDueSchedules(db: Db, names: string[], now = Date.now()): Promise<ScheduleRow[]> {
  if (names.length === 0) return [];
  return db
    .selectFrom('job_schedule')
    .select(['name', 'cron', 'time_zone', 'payload', 'next_run_at'])
    .where('name', 'in', names)
    .where('next_run_at', '<=', now)
    .execute();
}

/**
 * Fires one occurrence: moves the schedule to its next run and inserts the job, in one
 * transaction. The UPDATE comes first and compares the old next_run_at, so of several processes
 * that saw the same due schedule exactly one wins and enqueues; on SQLite that first write also
 * takes the write lock before anything is read, so the deferred transaction cannot hit a stale
 * snapshot. Returns whether this caller fired it.
 */
export async function fireSchedule(db: Db, schedule: ScheduleRow, nextRunAt: number, job: NewJob, now = Date.now()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const moved = await trx
      .updateTable('job_schedule')
      .set({ next_run_at: nextRunAt, updated_at: now })
      .where('name', '=', schedule.name)
      .where('next_run_at', '=', schedule.next_run_at)
      .executeTakeFirst();
    if (moved.numUpdatedRows === 0n) return false;
    await insertJob(trx, job, now);
    return true;
  });
}
