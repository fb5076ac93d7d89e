// Jobs survive what happens to the process running them: a clean restart, and a crash mid-job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { defineJob } from '../src/jobs/index.ts';
import { claimNextJob } from '../src/jobs/embedded-store.ts';
import { createTestStorage } from './support/databases.ts';
import { jobVariants, openQueue, openSecondStorage, uniqueName, waitFor, type TestStorage } from './jobs-helpers.ts';

const variants = await jobVariants();

describe.each(variants)('jobs across restarts: $label', (variant) => {
  let storage: TestStorage;
  beforeAll(async () => {
    storage = await createTestStorage(variant.dialect);
  });
  afterAll(async () => {
    await storage?.dispose();
  });

  it('a job queued before a stop runs after the restart', async () => {
    const runs: string[] = [];
    const spec = { name: uniqueName('digest'), payload: Type.Object({ day: Type.String() }) };
    const before = openQueue(storage, variant);
    const id = await before.enqueue(defineJob({ ...spec, handler: async () => void runs.push('old process') }), { day: '2026-11-26' });
    await before.stop();

    // A new process: a new connection, a new queue, the same database.
    const connection = await openSecondStorage(storage);
    const after = openQueue(connection, variant);
    const digest = defineJob({ ...spec, handler: async (p) => void runs.push(p.day) });
    after.register(digest);
    await after.start();
    await after.drain();
    expect(runs).toEqual(['2026-11-26']);
    expect((await after.getJob(digest, id))?.state).toBe('done');
    await after.stop();
    await connection.close();
  });

  if (variant.backend === 'embedded') {
    it('a job claimed by a worker that died is run by another once its lease expires', async () => {
      const runs: number[] = [];
      const sync = defineJob({ name: uniqueName('sync'), payload: Type.Object({}), handler: async (_p, ctx) => void runs.push(ctx.attempt) });
      const first = openQueue(storage, variant);
      const id = await first.enqueue(sync, {});
      // The "dead" worker claims the job with a short lease and never reports back.
      const claimed = await claimNextJob(storage.db, storage.dialect, [sync.queueName], 'dead-worker', 300);
      expect(claimed?.id).toBe(id);

      const survivor = openQueue(storage, variant, { leaseMs: 5000 });
      survivor.register(sync);
      await survivor.start();
      await waitFor(() => runs.length > 0, 10_000, 'the job to be taken over');
      expect(runs).toEqual([2]);
      await survivor.drain();
      const job = await survivor.getJob(sync, id);
      expect(job).toMatchObject({ state: 'done', attempts: 2 });
      await survivor.stop();
      await first.stop();
    });

    it('a job whose worker died on its last attempt is marked failed instead of run again', async () => {
      let runs = 0;
      const fragile = defineJob({ name: uniqueName('fragile'), payload: Type.Object({}), maxAttempts: 1, handler: async () => void (runs += 1) });
      const jobs = openQueue(storage, variant);
      const id = await jobs.enqueue(fragile, {});
      await claimNextJob(storage.db, storage.dialect, [fragile.queueName], 'dead-worker', 100);
      jobs.register(fragile);
      await jobs.start();
      await waitFor(async () => (await jobs.getJob(fragile, id))?.state === 'failed', 10_000, 'the job to fail');
      expect(runs).toBe(0);
      await jobs.stop();
    });
  }
});
