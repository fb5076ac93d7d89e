// Several nodes on one database share the work: each job runs exactly once, and every node helps.
// The nodes live in this one process but each has its own connections, as separate servers would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { defineJob, type JobQueue } from '../src/jobs/index.ts';
import type { Storage } from '../src/storage/database.ts';
import { createTestStorage } from './support/databases.ts';
import { jobVariants, openQueue, openSecondStorage, sleep, uniqueName, waitFor, type TestStorage } from './jobs-helpers.ts';

const variants = await jobVariants();

describe.each(variants)('jobs on two nodes: $label', (variant) => {
  let storage: TestStorage;
  let secondConnection: Storage;
  beforeAll(async () => {
    storage = await createTestStorage(variant.dialect);
    secondConnection = await openSecondStorage(storage);
  });
  afterAll(async () => {
    await secondConnection?.close();
    await storage?.dispose();
  });

  /** Two nodes working the same job name; `runs` counts runs per payload id, `byNode` per node. */
  async function startTwoNodes(name: string, handlerMs: number) {
    const runs = new Map<string, number>();
    const byNode = { a: 0, b: 0 };
    const nodes: JobQueue[] = [];
    for (const [node, connection] of [['a', storage], ['b', secondConnection]] as const) {
      const definition = defineJob({
        name,
        payload: Type.Object({ id: Type.String() }),
        handler: async ({ id }) => {
          runs.set(id, (runs.get(id) ?? 0) + 1);
          byNode[node] += 1;
          await sleep(handlerMs);
        },
      });
      const queue = openQueue(connection, variant, { concurrency: 4 });
      queue.register(definition);
      await queue.start();
      nodes.push(queue);
    }
    const definition = defineJob({ name, payload: Type.Object({ id: Type.String() }), handler: async () => {} });
    return { runs, byNode, nodes, definition };
  }

  it('a job enqueued 1000 times with one idempotency key, from both nodes, runs once', async () => {
    const { runs, nodes, definition } = await startTwoNodes(uniqueName('webhook'), 0);
    const [a, b] = nodes as [JobQueue, JobQueue];
    const ids = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => (i % 2 ? a : b).enqueue(definition, { id: 'delivery-7' }, { idempotencyKey: 'delivery-7' })),
    );
    expect(new Set(ids).size).toBe(1);
    await Promise.all(nodes.map((n) => n.drain()));
    expect(runs.get('delivery-7')).toBe(1);
    await Promise.all(nodes.map((n) => n.stop()));
  });

  it('1000 distinct jobs each run exactly once, spread over both nodes', async () => {
    const { runs, byNode, nodes, definition } = await startTwoNodes(uniqueName('bulk'), 2);
    const [a, b] = nodes as [JobQueue, JobQueue];
    for (let start = 0; start < 1000; start += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).enqueue(definition, { id: `job-${start + i}` })));
    }
    await waitFor(() => runs.size === 1000, 60_000, '1000 jobs to run');
    await Promise.all(nodes.map((n) => n.drain({ timeoutMs: 30_000 })));
    expect(runs.size).toBe(1000);
    expect([...runs.values()].filter((count) => count !== 1)).toEqual([]);
    expect(byNode.a + byNode.b).toBe(1000);
    expect(byNode.a).toBeGreaterThan(0);
    expect(byNode.b).toBeGreaterThan(0);
    await Promise.all(nodes.map((n) => n.stop()));
  });
});
