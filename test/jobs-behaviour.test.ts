// The job contract, run on every backend and database: the same story whichever runs underneath.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { defineJob, PermanentJobError, type JobQueue } from '../src/jobs/index.ts';
import { PgBossJobQueue } from '../src/jobs/pg-boss-queue.ts';
import { createTestStorage } from './support/databases.ts';
import { jobVariants, openQueue, sleep, uniqueName, waitFor, type TestStorage } from './jobs-helpers.ts';

const variants = await jobVariants();

describe.each(variants)('jobs: $label', (variant) => {
  let storage: TestStorage;
  const queues: JobQueue[] = [];
  const queue = (options = {}) => {
    const q = openQueue(storage, variant, options);
    queues.push(q);
    return q;
  };

  beforeAll(async () => {
    storage = await createTestStorage(variant.dialect);
  });
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.stop({ timeoutMs: 2000 })));
  });
  afterAll(async () => {
    await storage?.dispose();
  });

  const Greeting = Type.Object({ to: Type.String(), count: Type.Integer({ minimum: 1 }) });

  it('a job runs once with its payload', async () => {
    const runs: unknown[] = [];
    const greet = defineJob({ name: uniqueName('greet'), payload: Greeting, handler: async (p) => void runs.push(p) });
    const jobs = queue();
    jobs.register(greet);
    await jobs.start();
    const id = await jobs.enqueue(greet, { to: 'Ada', count: 2 });
    await jobs.drain();
    expect(runs).toEqual([{ to: 'Ada', count: 2 }]);
    expect(await jobs.getJob(greet, id)).toMatchObject({ id, state: 'done', attempts: 1, lastError: null });
  });

  it('an invalid payload is refused at enqueue, naming the job and the field', async () => {
    const greet = defineJob({ name: uniqueName('greet'), payload: Greeting, handler: async () => {} });
    const jobs = queue();
    await expect(jobs.enqueue(greet, { to: 'Ada', count: 0 })).rejects.toThrow(new RegExp(`Invalid payload for job "${greet.name}": /count`));
    await expect(jobs.enqueue(greet, { to: 7 } as never)).rejects.toThrow(/\/to: Expected string/);
  });

  it('a failing job is retried with growing delays, then marked failed with its last error', async () => {
    const startedAt: number[] = [];
    const base = variant.minRetryDelayMs;
    const flaky = defineJob({
      name: uniqueName('flaky'),
      payload: Type.Object({}),
      maxAttempts: 3,
      backoff: { baseMs: base, maxMs: 60_000 },
      handler: async (_p, ctx) => {
        startedAt.push(Date.now());
        throw new Error(`mailbox unreachable (attempt ${ctx.attempt})`);
      },
    });
    const jobs = queue();
    jobs.register(flaky);
    await jobs.start();
    const id = await jobs.enqueue(flaky, {});
    await waitFor(async () => (await jobs.getJob(flaky, id))?.state === 'failed', 20_000, 'the job to fail');
    const job = await jobs.getJob(flaky, id);
    expect(job).toMatchObject({ state: 'failed', attempts: 3 });
    expect(job!.lastError).toContain('mailbox unreachable (attempt 3)');
    expect(startedAt).toHaveLength(3);
    const [first, second, third] = startedAt as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(base * 0.9);
    expect(third - second).toBeGreaterThanOrEqual(base * 1.8);
  });

  it('a handler throwing PermanentJobError fails the job without retrying', async () => {
    let attempts = 0;
    const doomed = defineJob({
      name: uniqueName('doomed'),
      payload: Type.Object({}),
      maxAttempts: 5,
      backoff: { baseMs: 10, maxMs: 10 },
      handler: async () => {
        attempts += 1;
        throw new PermanentJobError('the conversation no longer exists');
      },
    });
    const jobs = queue();
    jobs.register(doomed);
    await jobs.start();
    const id = await jobs.enqueue(doomed, {});
    await waitFor(async () => (await jobs.getJob(doomed, id))?.state === 'failed', 10_000, 'the job to fail');
    expect(attempts).toBe(1);
    expect((await jobs.getJob(doomed, id))!.lastError).toContain('the conversation no longer exists');
  });

  it('a job to run later is not run early', async () => {
    let ranAt = 0;
    const later = defineJob({ name: uniqueName('later'), payload: Type.Object({}), handler: async () => void (ranAt = Date.now()) });
    const jobs = queue();
    jobs.register(later);
    await jobs.start();
    const runAt = Date.now() + 1200;
    await jobs.enqueue(later, {}, { runAt: new Date(runAt) });
    await jobs.drain();
    await sleep(300);
    expect(ranAt).toBe(0);
    await waitFor(() => ranAt > 0, 10_000, 'the delayed job');
    // PostgreSQL's now() and ours may differ by a few milliseconds.
    expect(ranAt).toBeGreaterThanOrEqual(runAt - 50);
  });

  it('a job enqueued 1000 times at once with one idempotency key runs once', async () => {
    let runs = 0;
    const ingest = defineJob({ name: uniqueName('ingest'), payload: Type.Object({ deliveryId: Type.String() }), handler: async () => void (runs += 1) });
    const jobs = queue();
    jobs.register(ingest);
    await jobs.start();
    const ids = await Promise.all(
      Array.from({ length: 1000 }, () => jobs.enqueue(ingest, { deliveryId: 'd-1' }, { idempotencyKey: 'telegram:update:42' })),
    );
    expect(new Set(ids).size).toBe(1);
    await jobs.drain();
    // Enqueued again after it ran: still refused.
    expect(await jobs.enqueue(ingest, { deliveryId: 'd-1' }, { idempotencyKey: 'telegram:update:42' })).toBe(ids[0]);
    await jobs.drain();
    expect(runs).toBe(1);
  });

  it('a job enqueued inside a transaction exists only if the transaction commits', async () => {
    const runs: string[] = [];
    const notify = defineJob({ name: uniqueName('notify'), payload: Type.Object({ n: Type.String() }), handler: async (p) => void runs.push(p.n) });
    const jobs = queue();
    jobs.register(notify);
    await jobs.start();
    await expect(
      storage.db.transaction().execute(async (trx) => {
        await jobs.enqueue(notify, { n: 'rolled back' }, { db: trx });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await storage.db.transaction().execute(async (trx) => {
      await jobs.enqueue(notify, { n: 'committed' }, { db: trx });
    });
    await waitFor(() => runs.length > 0, 10_000, 'the committed job');
    await jobs.drain();
    expect(runs).toEqual(['committed']);
  });

  if (variant.backend === 'embedded') {
    it('a recurring schedule fires every second (six-field cron)', async () => {
      const ticks: string[] = [];
      const tick = defineJob({ name: uniqueName('tick'), payload: Type.Object({ label: Type.String() }), handler: async (p) => void ticks.push(p.label) });
      const jobs = queue();
      jobs.register(tick);
      await jobs.start();
      await jobs.schedule(tick, '* * * * * *', { label: 'heartbeat' }, { timeZone: 'Europe/Zurich' });
      await waitFor(() => ticks.length >= 2, 5000, 'two ticks');
      expect(ticks.slice(0, 2)).toEqual(['heartbeat', 'heartbeat']);
      await jobs.unschedule(tick);
    });
  } else {
    it('a recurring schedule is registered in pg-boss and fires (minute resolution: pg-boss reads five-field cron)', async () => {
      const ticks: string[] = [];
      const tick = defineJob({ name: uniqueName('tick'), payload: Type.Object({ label: Type.String() }), handler: async (p) => void ticks.push(p.label) });
      const jobs = queue();
      jobs.register(tick);
      await jobs.start();
      await expect(jobs.schedule(tick, '* * * * * *', { label: 'x' })).rejects.toThrow(/five fields/);
      await jobs.schedule(tick, '* * * * *', { label: 'heartbeat' }, { timeZone: 'Europe/Zurich' });
      expect(await (jobs as PgBossJobQueue).listSchedules()).toContainEqual({ name: tick.queueName, cron: '* * * * *', timeZone: 'Europe/Zurich' });
      // pg-boss sends a schedule whose previous occurrence lies within the last minute, so an
      // every-minute cron fires within a couple of cron-monitor intervals (1 s here).
      await waitFor(() => ticks.length >= 1, 15_000, 'the scheduled run');
      expect(ticks[0]).toBe('heartbeat');
      await jobs.unschedule(tick);
    });
  }

  it('stop() waits for a running handler to finish', async () => {
    let started = false;
    let finished = false;
    const slow = defineJob({
      name: uniqueName('slow'),
      payload: Type.Object({}),
      handler: async () => {
        started = true;
        await sleep(400);
        finished = true;
      },
    });
    const jobs = queue();
    jobs.register(slow);
    await jobs.start();
    const id = await jobs.enqueue(slow, {});
    await waitFor(() => started, 10_000, 'the handler to start');
    await jobs.stop({ timeoutMs: 5000 });
    expect(finished).toBe(true);
    const reader = queue();
    expect((await reader.getJob(slow, id))?.state).toBe('done');
  });
});
