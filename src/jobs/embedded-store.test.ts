import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, createTestStorage } from '../../test/support/databases.ts';
import { claimNextJob, findJob, insertJob, markJobDone, pruneFinishedJobs } from './embedded-store.ts';

const dialects = await availableDialects();
const DAY = 24 * 60 * 60 * 1000;

describe.each(dialects)('embedded job store on %s', (dialect) => {
  let storage: Awaited<ReturnType<typeof createTestStorage>>;
  beforeAll(async () => {
    storage = await createTestStorage(dialect);
  });
  afterAll(async () => {
    await storage?.dispose();
  });

  const job = (key: string | null) => ({ queueName: 'prune-me', payload: { email: 'ada@example.org' }, runAt: 0, maxAttempts: 1, backoffMs: 0, backoffMaxMs: 0, idempotencyKey: key });

  it('pruning deletes old finished jobs but keeps keyed ones, blanked, so their key still refuses duplicates', async () => {
    const old = Date.now() - 30 * DAY;
    const plain = await insertJob(storage.db, job(null), old);
    const keyed = await insertJob(storage.db, job('delivery-1'), old);
    for (let i = 0; i < 2; i++) {
      const claimed = await claimNextJob(storage.db, dialect, ['prune-me'], 'w', 1000, old);
      await markJobDone(storage.db, claimed!.id, 'w', old);
    }
    expect(await pruneFinishedJobs(storage.db, Date.now() - 14 * DAY)).toEqual({ deleted: 1, blanked: 1 });
    expect(await findJob(storage.db, plain)).toBeUndefined();
    expect(await findJob(storage.db, keyed)).toMatchObject({ state: 'done', payload: 'null' });
    expect(await insertJob(storage.db, job('delivery-1'))).toBe(keyed);
  });

  it('a job whose lease has not expired is not claimed by another worker', async () => {
    const id = await insertJob(storage.db, { ...job(null), queueName: 'leased' });
    expect((await claimNextJob(storage.db, dialect, ['leased'], 'w1', 60_000))?.id).toBe(id);
    expect(await claimNextJob(storage.db, dialect, ['leased'], 'w2', 60_000)).toBeUndefined();
    expect((await claimNextJob(storage.db, dialect, ['leased'], 'w2', 60_000, Date.now() + 61_000))?.locked_by).toBe('w2');
  });
});
