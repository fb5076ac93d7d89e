// Shared by the job tests: which backend runs on which database, and small waiting helpers.
import pino from 'pino';
import { openStorage, type DialectName, type Storage } from '../src/storage/database.ts';
import { createJobQueue, type BackendName, type JobQueue, type JobQueueOptions } from '../src/jobs/index.ts';
import { availableDialects, createTestStorage } from './support/databases.ts';

export interface JobVariant {
  label: string;
  dialect: DialectName;
  backend: BackendName;
  /** The shortest retry delay the backend can do (pg-boss counts whole seconds). */
  minRetryDelayMs: number;
}

/** Every backend on every database it supports, as far as this machine has them. */
export async function jobVariants(): Promise<JobVariant[]> {
  const dialects = await availableDialects();
  const variants: JobVariant[] = [{ label: 'embedded on SQLite', dialect: 'sqlite', backend: 'embedded', minRetryDelayMs: 50 }];
  if (dialects.includes('postgres')) {
    variants.push({ label: 'embedded on PostgreSQL', dialect: 'postgres', backend: 'embedded', minRetryDelayMs: 50 });
    variants.push({ label: 'pg-boss on PostgreSQL', dialect: 'postgres', backend: 'pg-boss', minRetryDelayMs: 1000 });
  }
  return variants;
}

export const silentLogger = pino({ level: process.env.PORTIER_TEST_LOG ?? 'silent' });

export type TestStorage = Awaited<ReturnType<typeof createTestStorage>>;

export function openQueue(storage: Storage, variant: JobVariant, options: Partial<JobQueueOptions> = {}): JobQueue {
  return createJobQueue({
    storage,
    logger: silentLogger,
    concurrency: 4,
    backend: variant.backend,
    pollIntervalMs: 50,
    leaseMs: 2000,
    retentionDays: 0,
    cronMonitorIntervalSeconds: 1,
    maxConnections: 4,
    ...options,
  });
}

/** A second connection to the same database: another "node" or another process. */
export async function openSecondStorage(storage: TestStorage): Promise<Storage> {
  return openStorage({ databaseUrl: storage.testDb.databaseUrl, dataDir: storage.testDb.dataDir, maxConnections: 5 });
}

let counter = 0;
/** Job names unique within a test file, so tests sharing a database never see each other's jobs. */
export function uniqueName(base: string): string {
  counter += 1;
  return `${base}-${counter}-${process.pid}`;
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
