// The embedded queue's own housekeeping: finished jobs are removed after a retention period so the
// `job` table does not grow forever. (pg-boss does the same for its tables with its own maintenance.)
import { Type } from '@sinclair/typebox';
import type { Db } from '../storage/database.ts';
import { defineJob, type JobDefinition } from './define-job.ts';
import { pruneFinishedJobs } from './embedded-store.ts';

export const PRUNE_JOBS_CRON = '30 3 * * *';
const DAY_MS = 24 * 60 * 60 * 1000;

const PrunePayload = Type.Object({ retentionDays: Type.Integer({ minimum: 1 }) });

export function definePruneJobs(db: Db): JobDefinition<{ retentionDays: number }> {
  return defineJob({
    name: 'portier.prune-jobs',
    payload: PrunePayload,
    maxAttempts: 3,
    backoff: { baseMs: 60_000, maxMs: 10 * 60_000 },
    handler: async ({ retentionDays }, { logger }) => {
      const result = await pruneFinishedJobs(db, Date.now() - retentionDays * DAY_MS);
      logger.info(result, 'pruned finished jobs');
    },
  });
}
