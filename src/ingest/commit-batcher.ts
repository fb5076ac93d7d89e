// Group commit for SQLite. With synchronous=FULL every COMMIT waits for an fsync of the WAL (about
// 3.5 ms on the benchmark machine's disk), and better-sqlite3 waits for it on the event loop: one
// transaction per webhook delivery caps ingestion at a few hundred messages per second, however
// many deliveries are in flight.
//
// So concurrent units of work are queued and run together inside ONE transaction, each inside its
// own SAVEPOINT (a unit that fails is rolled back alone and its caller gets its error; the others
// commit). The queue is flushed on the next turn of the event loop after work arrives or after the
// previous commit returned (setImmediate: the requests whose bytes arrived meanwhile are parsed and
// queue up first; no timer, so a lone delivery waits for nothing). Every caller's promise settles
// only after the COMMIT returned, so an acknowledgement still means "durably stored".
//
// Kysely's SqliteDialect runs everything on one connection behind a mutex; the batch holds that
// connection for the whole transaction and runs the units one after the other, so a unit sees what
// the units before it in the same batch wrote (a message delivered twice in one batch is found by
// the second unit and stored once).
import { sql, SqliteAdapter, type Transaction } from 'kysely';
import type { Db } from '../storage/database.ts';
import type { Database } from '../storage/schema.ts';

export type Unit<T> = (tx: Transaction<Database>) => Promise<T>;

interface Queued {
  work: Unit<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export interface CommitBatcherOptions {
  /** At most this many units per transaction (bounds how long one commit keeps the others waiting). */
  maxBatch?: number;
  /** Told about every batch committed or failed, for tests and metrics. */
  onBatch?: (size: number, committed: boolean) => void;
}

export class CommitBatcher {
  private queue: Queued[] = [];
  private scheduled = false;
  private busy = false;
  private readonly maxBatch: number;
  /** Transactions committed and the units they held (failed units included), since start. */
  readonly stats = { batches: 0, units: 0, largest: 0 };

  constructor(
    private readonly db: Db,
    private readonly options: CommitBatcherOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 64;
  }

  /** Runs `work` inside the next group transaction; resolves with its result after the COMMIT. */
  run<T>(work: Unit<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work: work as Unit<unknown>, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Units waiting for the next transaction. */
  get pending(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled || this.busy || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const batch = this.queue.splice(0, this.maxBatch);
    try {
      await this.commit(batch);
    } finally {
      this.busy = false;
      this.schedule();
    }
  }

  private async commit(batch: Queued[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      await this.db.transaction().execute(async (tx) => {
        for (const unit of batch) {
          await sql`savepoint portier_unit`.execute(tx);
          try {
            const value = await unit.work(tx);
            await sql`release savepoint portier_unit`.execute(tx);
            outcomes.push({ ok: true, value });
          } catch (error) {
            // If this fails too, SQLite has already rolled the whole transaction back (disk full,
            // I/O error): the batch fails as one below.
            await sql`rollback to savepoint portier_unit`.execute(tx);
            await sql`release savepoint portier_unit`.execute(tx);
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // BEGIN, a savepoint or the COMMIT failed: nothing of this batch is stored. Every caller gets
      // the error (a webhook sender then retries its delivery).
      this.options.onBatch?.(batch.length, false);
      for (const unit of batch) unit.reject(error);
      return;
    }
    this.stats.batches += 1;
    this.stats.units += batch.length;
    this.stats.largest = Math.max(this.stats.largest, batch.length);
    this.options.onBatch?.(batch.length, true);
    batch.forEach((unit, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) unit.resolve(outcome.value);
      else unit.reject(outcome.error);
    });
  }
}

const batchers = new WeakMap<Db, CommitBatcher>();

/**
 * The group-commit batcher of a SQLite database, or null where grouping does not apply: on
 * PostgreSQL (concurrent transactions on a pool of connections, and the server groups WAL flushes
 * of concurrent commits itself), inside an open transaction, or when PORTIER_INGEST_GROUP_COMMIT=0
 * (kept for benchmarks comparing both).
 */
export function commitBatcherFor(db: Db): CommitBatcher | null {
  if (db.isTransaction || !(db.getExecutor().adapter instanceof SqliteAdapter)) return null;
  if (process.env.PORTIER_INGEST_GROUP_COMMIT === '0') return null;
  let batcher = batchers.get(db);
  if (!batcher) {
    batcher = new CommitBatcher(db);
    batchers.set(db, batcher);
  }
  return batcher;
}
