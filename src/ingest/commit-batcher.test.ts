// Group commit on SQLite: units queued together share one transaction, each in its own savepoint;
// a failing unit rolls back alone; nothing resolves before the COMMIT; and ingestMessage keeps its
// contract (a message delivered many times at once is stored once).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../channels/contract.ts';
import { newId } from '../core/ids.ts';
import { migrateToLatest, openStorage, type Storage } from '../storage/database.ts';
import type { Entrance } from '../storage/schema.ts';
import { CommitBatcher, commitBatcherFor } from './commit-batcher.ts';
import { ingestMessage } from './ingest-message.ts';

let dir: string;
let storage: Storage;
/** A second connection to the same file: it sees only what was committed. */
let observer: SQLite.Database;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portier-batcher-'));
  storage = await openStorage({ databaseUrl: null, dataDir: dir });
  await sql`create table unit_row (id integer primary key, value text not null unique)`.execute(storage.db);
  observer = new SQLite(join(dir, 'portier.db'), { readonly: true });
});
afterEach(async () => {
  observer.close();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

const committedValues = () => (observer.prepare('select value from unit_row order by value').all() as Array<{ value: string }>).map((r) => r.value);
const insert = (value: string) => sql`insert into unit_row (value) values (${value})`;

describe('CommitBatcher', () => {
  it('runs units queued together in one transaction, and a failing unit rolls back alone', async () => {
    const batches: Array<[number, boolean]> = [];
    const batcher = new CommitBatcher(storage.db, { onBatch: (size, committed) => batches.push([size, committed]) });
    const results = await Promise.allSettled([
      batcher.run(async (tx) => {
        await insert('a').execute(tx);
        return 'a';
      }),
      batcher.run(async (tx) => {
        await insert('b').execute(tx);
        throw new Error('b fails after writing');
      }),
      batcher.run(async (tx) => {
        // A constraint error from SQLite itself, after a row of its own.
        await insert('c').execute(tx);
        await insert('a').execute(tx);
      }),
      batcher.run(async (tx) => {
        await insert('d').execute(tx);
        return 'd';
      }),
    ]);
    expect(batches).toEqual([[4, true]]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('b fails after writing');
    expect((results[2] as PromiseRejectedResult).reason.code).toBe('SQLITE_CONSTRAINT_UNIQUE');
    // b and c left nothing behind; a and d are committed.
    expect(committedValues()).toEqual(['a', 'd']);
  });

  it('settles a unit only after its COMMIT, never when its work is done', async () => {
    const batcher = new CommitBatcher(storage.db);
    const seenByObserverDuringWork: string[][] = [];
    let workDone = false;
    let settled = false;
    const done = batcher.run(async (tx) => {
      await insert('x').execute(tx);
      seenByObserverDuringWork.push(committedValues());
      workDone = true;
    }).then(() => {
      settled = true;
      // Another connection sees the row as soon as the caller is told.
      return committedValues();
    });
    // A second unit of the same batch still runs after x's work: x must not have settled yet.
    const second = batcher.run(async (tx) => {
      expect(workDone).toBe(true);
      expect(settled).toBe(false);
      await insert('y').execute(tx);
      seenByObserverDuringWork.push(committedValues());
    });
    expect(await done).toEqual(['x', 'y']);
    await second;
    expect(seenByObserverDuringWork).toEqual([[], []]);
  });

  it('groups what arrives while a commit runs into the next transaction', async () => {
    const batches: number[] = [];
    const batcher = new CommitBatcher(storage.db, { onBatch: (size) => batches.push(size) });
    const first = batcher.run((tx) => insert('first').execute(tx));
    // Queued on the next event-loop turn, while the first transaction is being committed.
    await new Promise((r) => setImmediate(r));
    const later = Array.from({ length: 20 }, (_, i) => batcher.run((tx) => insert(`later-${i}`).execute(tx)));
    await Promise.all([first, ...later]);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(21);
    expect(batches.length).toBeLessThanOrEqual(2);
    expect(committedValues()).toHaveLength(21);
  });

  it('fails every unit of a batch whose transaction cannot commit, and keeps working afterwards', async () => {
    const batcher = new CommitBatcher(storage.db);
    // A unit that commits the transaction under the batcher's feet makes the savepoint release,
    // and so the batch, fail: nothing is reported as stored that the batcher did not commit.
    const results = await Promise.allSettled([
      batcher.run((tx) => insert('p').execute(tx)),
      batcher.run(async (tx) => {
        await sql`commit`.execute(tx);
      }),
    ]);
    expect(results.some((r) => r.status === 'rejected')).toBe(true);
    expect(await batcher.run(async (tx) => (await insert('after').execute(tx), 'ok'))).toBe('ok');
    expect(committedValues()).toContain('after');
  });

  it('is used for SQLite databases only, never inside a transaction', async () => {
    expect(commitBatcherFor(storage.db)).toBeInstanceOf(CommitBatcher);
    expect(commitBatcherFor(storage.db)).toBe(commitBatcherFor(storage.db));
    await storage.db.transaction().execute(async (tx) => {
      expect(commitBatcherFor(tx as never)).toBeNull();
    });
  });
});

describe('ingestMessage with group commit', () => {
  let entrance: Entrance;
  beforeEach(async () => {
    await migrateToLatest(storage.db);
    const now = Date.now();
    const workspaceId = newId(now);
    await storage.db.insertInto('workspace').values({ id: workspaceId, handle: 'batch', name: 'Batch', locale: 'fr', languages: 'fr', time_zone: 'Europe/Zurich', created_at: now, updated_at: now }).execute();
    entrance = {
      id: newId(now), workspace_id: workspaceId, kind: 'webhook', label: 'Hook', public_url: null, show_on_storefront: 0, config_encrypted: null,
      response_target_minutes: 60, review_interval_days: null, last_reviewed_at: null, health: 'ok', health_reason: null, created_at: now, updated_at: now, archived_at: null,
    } as Entrance;
    await storage.db.insertInto('entrance').values(entrance).execute();
  });

  const message = (id: string, email = `${id}@example.org`): InboundMessage => ({
    externalId: id,
    sender: { name: `Sender ${id}`, identities: [{ kind: 'email', value: email, verified: false }] },
    text: `Bonjour, ${id}`,
    sentAt: Date.now(),
  });
  const count = () => (observer.prepare('select count(*) as n from message').get() as { n: number }).n;

  it('stores a message delivered many times within one batch once, and many distinct messages in few commits', async () => {
    const batcher = commitBatcherFor(storage.db)!;
    const before = { ...batcher.stats };
    const results = await Promise.all([
      ...Array.from({ length: 10 }, () => ingestMessage(storage.db, entrance, message('same', 'same@example.org'))),
      ...Array.from({ length: 30 }, (_, i) => ingestMessage(storage.db, entrance, message(`m${i}`))),
    ]);
    const same = results.slice(0, 10);
    expect(same.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(same.map((r) => r.messageId)).size).toBe(1);
    expect(results.slice(10).every((r) => !r.duplicate)).toBe(true);
    expect(count()).toBe(31);
    // Forty deliveries in flight at once: far fewer commits than deliveries.
    expect(batcher.stats.units - before.units).toBe(40);
    expect(batcher.stats.batches - before.batches).toBeLessThanOrEqual(3);
  });

  it('new messages from one new person in one batch make one contact and one conversation', async () => {
    await Promise.all(Array.from({ length: 5 }, (_, i) => ingestMessage(storage.db, entrance, message(`lea-${i}`, 'lea@example.org'))));
    expect((observer.prepare('select count(*) as n from contact').get() as { n: number }).n).toBe(1);
    expect((observer.prepare('select count(distinct conversation_id) as n from message').get() as { n: number }).n).toBe(1);
    expect(count()).toBe(5);
  });

  it('publishes live events only after the commit', async () => {
    const published: number[] = [];
    const live = { publish: async () => void published.push(count()) } as never;
    await Promise.all(Array.from({ length: 3 }, (_, i) => ingestMessage(storage.db, entrance, message(`live-${i}`), { live })));
    // Each event was published when the observer could already see all three messages.
    expect(published).toEqual([3, 3, 3]);
  });
});
