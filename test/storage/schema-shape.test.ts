// One migration set, two engines: both must end with the same tables, columns, nullability and
// type families, and enforce the same constraints, or code that works on SQLite breaks at scale.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { availableDialects, createTestDatabase, createTestStorage, type TestDatabase } from '../support/databases.ts';
import { migrateToLatest, openStorage, pendingMigrations, type DialectName, type Storage } from '../../src/storage/database.ts';
import { migrations } from '../../src/storage/migrations/index.ts';
import { newId } from '../../src/core/ids.ts';
import type { Database } from '../../src/storage/schema.ts';
import { countRows, insertContact, insertConversation, insertEntrance, insertMessage } from '../http/fixtures.ts';

const dialects = await availableDialects();

type Shape = Record<string, Record<string, { type: string; nullable: boolean }>>;

/** Declared types as each engine reports them, reduced to the three families the migrations use. */
function typeFamily(dataType: string): string {
  const t = dataType.toLowerCase().replace(/\(.*\)$/, '');
  if (['text', 'varchar', 'character varying', 'char', 'bpchar'].includes(t)) return 'text';
  if (['integer', 'int', 'int4', 'int2', 'smallint'].includes(t)) return 'integer';
  if (['bigint', 'int8'].includes(t)) return 'bigint';
  return `unknown:${dataType}`;
}

async function primaryKeyColumns(s: Storage, table: string): Promise<string[]> {
  if (s.dialect === 'sqlite') {
    const rows = await sql<{ name: string; pk: number }>`select name, pk from pragma_table_info(${table})`.execute(s.db);
    return rows.rows.filter((r) => r.pk > 0).map((r) => r.name);
  }
  const rows = await sql<{ column_name: string }>`
    select kcu.column_name from information_schema.table_constraints tc
    join information_schema.key_column_usage kcu on kcu.constraint_name = tc.constraint_name and kcu.table_name = tc.table_name
    where tc.table_name = ${table} and tc.constraint_type = 'PRIMARY KEY' and tc.table_schema = current_schema()`.execute(s.db);
  return rows.rows.map((r) => r.column_name);
}

/**
 * Full-text search is the one place the dialects differ on purpose (see the search migration): an
 * FTS5 virtual table with its shadow tables on SQLite, a generated tsvector column on PostgreSQL.
 * Both are set aside from the comparison, and listed so the test can check they exist.
 */
async function searchStructures(s: Storage): Promise<{ tables: string[]; columns: string[] }> {
  if (s.dialect === 'sqlite') {
    const virtual = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and sql like 'CREATE VIRTUAL TABLE%'`.execute(s.db);
    const names = virtual.rows.map((r) => r.name);
    const all = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(s.db);
    return { tables: all.rows.map((r) => r.name).filter((n) => names.some((v) => n === v || n.startsWith(`${v}_`))), columns: [] };
  }
  const cols = await sql<{ table_name: string; column_name: string }>`select table_name, column_name from information_schema.columns where table_schema = current_schema() and udt_name = 'tsvector'`.execute(s.db);
  return { tables: [], columns: cols.rows.map((r) => `${r.table_name}.${r.column_name}`) };
}

async function shapeOf(s: Storage): Promise<{ shape: Shape; sqliteNullablePrimaryKeys: string[] }> {
  const shape: Shape = {};
  const sqliteNullablePrimaryKeys: string[] = [];
  const search = await searchStructures(s);
  for (const table of await s.db.introspection.getTables({ withInternalKyselyTables: true })) {
    if (table.schema && table.schema !== 'public') continue; // pg-boss keeps its own schema
    if (search.tables.includes(table.name)) continue;
    const pk = await primaryKeyColumns(s, table.name);
    shape[table.name] = {};
    for (const c of table.columns) {
      if (search.columns.includes(`${table.name}.${c.name}`)) continue;
      // SQLite lets a non-integer PRIMARY KEY column hold NULL (a documented legacy quirk) unless it
      // is declared NOT NULL; PostgreSQL never does. The code always sets ids, so the shapes are
      // compared as PostgreSQL enforces them and the quirk is listed on its own.
      let nullable = c.isNullable;
      if (pk.includes(c.name) && nullable) {
        if (s.dialect === 'sqlite') sqliteNullablePrimaryKeys.push(`${table.name}.${c.name}`);
        nullable = false;
      }
      shape[table.name]![c.name] = { type: typeFamily(c.dataType), nullable };
    }
  }
  return { shape, sqliteNullablePrimaryKeys };
}

const opened: Array<{ storage: Storage; testDb: TestDatabase }> = [];
async function freshMigrated(dialect: DialectName): Promise<Storage> {
  const testDb = await createTestDatabase(dialect);
  const storage = await openStorage({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir, maxConnections: 3 });
  opened.push({ storage, testDb });
  await migrateToLatest(storage.db);
  return storage;
}
afterAll(async () => {
  for (const { storage, testDb } of opened) {
    await storage.close();
    await testDb.drop();
  }
});

describe('schema shape across dialects', () => {
  it.runIf(dialects.includes('postgres'))('SQLite and PostgreSQL end with the same tables, columns, nullability and type families', async () => {
    const [lite, pg] = await Promise.all([freshMigrated('sqlite'), freshMigrated('postgres')]);
    const [a, b] = await Promise.all([shapeOf(lite), shapeOf(pg)]);
    // The search structures set aside above do exist, each on its own engine.
    expect((await searchStructures(lite)).tables).toContain('message_fts');
    expect((await searchStructures(pg)).columns).toContain('message.search');
    expect(Object.keys(a.shape).sort()).toEqual(Object.keys(b.shape).sort());
    for (const table of Object.keys(a.shape)) {
      expect(a.shape[table], `table ${table}`).toEqual(b.shape[table]);
      for (const [column, { type }] of Object.entries(a.shape[table]!)) expect(type, `${table}.${column}`).not.toMatch(/^unknown/);
    }
    // Every table the code knows is there.
    const known: Array<keyof Database> = ['workspace', 'user', 'session', 'api_token', 'setup_token', 'login_failure', 'entrance', 'contact', 'identity', 'conversation', 'message', 'attachment', 'event', 'job', 'job_schedule'];
    expect(Object.keys(b.shape)).toEqual(expect.arrayContaining(known));
    // Timestamps are bigint everywhere: epoch milliseconds overflow a 32-bit integer.
    for (const [table, columns] of Object.entries(b.shape)) {
      for (const [column, { type }] of Object.entries(columns)) if (/_at$/.test(column)) expect(type, `${table}.${column}`).toBe('bigint');
    }
  });
});

describe.each(dialects)('migrations and constraints on %s', (dialect) => {
  let s: Storage;
  beforeAll(async () => {
    s = await freshMigrated(dialect);
  });

  it('a row without an id is refused, as on the other dialect', async () => {
    const storage = await createTestStorage(dialect);
    try {
      await expect(sql`insert into workspace (handle, name, locale, languages, time_zone, created_at, updated_at) values ('no-id', 'x', 'en', '[]', 'UTC', 0, 0)`.execute(storage.db)).rejects.toThrow();
    } finally {
      await storage.dispose();
    }
  });

  it('migrating again is a no-op and nothing is pending', async () => {
    expect(await pendingMigrations(s.db)).toEqual([]);
    expect(await migrateToLatest(s.db)).toEqual([]);
    expect(await pendingMigrations(s.db)).toEqual([]);
    const applied = await s.db.selectFrom('portier_migration' as never).select('name' as never).execute();
    expect((applied as Array<{ name: string }>).map((r) => r.name).sort()).toEqual(Object.keys(migrations).sort());
  });

  it('migrating a fresh database reports every migration once, in order, even when two run at once', async () => {
    const testDb = await createTestDatabase(dialect);
    const other = await openStorage({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir, maxConnections: 3 });
    opened.push({ storage: other, testDb });
    const results = await Promise.all([migrateToLatest(other.db), migrateToLatest(other.db)]);
    expect(results.flat()).toEqual(Object.keys(migrations));
    expect(await pendingMigrations(other.db)).toEqual([]);
  });

  async function workspace(): Promise<string> {
    const now = Date.now();
    const id = newId(now);
    await s.db.insertInto('workspace').values({ id, handle: `ws-${id.slice(-12)}`, name: 'W', locale: 'en', languages: '["en"]', time_zone: 'UTC', created_at: now, updated_at: now }).execute();
    await s.db.insertInto('user').values({ id: `u-${id}`, workspace_id: id, email: `${id}@example.com`, email_normalized: `${id}@example.com`, display_name: 'U', password_hash: 'x', role: 'owner', locale: null, created_at: now, last_login_at: null }).execute();
    return id;
  }

  it('a message external id is unique per entrance (and absent ids may repeat)', async () => {
    const ws = await workspace();
    const e1 = await insertEntrance(s.db, ws);
    const e2 = await insertEntrance(s.db, ws);
    const contact = await insertContact(s.db, ws);
    const c1 = await insertConversation(s.db, { workspaceId: ws, contactId: contact.id, entranceId: e1.id });
    const c2 = await insertConversation(s.db, { workspaceId: ws, contactId: contact.id, entranceId: e2.id });
    await insertMessage(s.db, c1, { external_id: 'msg-1' });
    await expect(insertMessage(s.db, c1, { external_id: 'msg-1' })).rejects.toThrow(/unique|duplicate/i);
    await insertMessage(s.db, c2, { external_id: 'msg-1' }); // another entrance: another namespace
    await insertMessage(s.db, c1, { external_id: null });
    await insertMessage(s.db, c1, { external_id: null });
    expect(await s.db.selectFrom('message').select('id').where('conversation_id', '=', c1.id).execute()).toHaveLength(3);
  });

  it('an identity is unique per workspace, kind and normalised value', async () => {
    const ws = await workspace();
    const other = await workspace();
    const contact = await insertContact(s.db, ws);
    const otherContact = await insertContact(s.db, other);
    const identity = (workspaceId: string, contactId: string, kind: string, value: string) =>
      s.db.insertInto('identity').values({ id: newId(), workspace_id: workspaceId, contact_id: contactId, kind, value, value_normalized: value.toLowerCase(), verified: 0, created_at: Date.now() }).execute();
    await identity(ws, contact.id, 'email', 'Anna@Example.ch');
    await expect(identity(ws, contact.id, 'email', 'anna@example.CH')).rejects.toThrow(/unique|duplicate/i);
    await identity(ws, contact.id, 'phone', 'anna@example.ch'); // another kind
    await identity(other, otherContact.id, 'email', 'anna@example.ch'); // another workspace
  });

  it('a conversation thread key is unique per entrance', async () => {
    const ws = await workspace();
    const e = await insertEntrance(s.db, ws);
    const contact = await insertContact(s.db, ws);
    await insertConversation(s.db, { workspaceId: ws, contactId: contact.id, entranceId: e.id }, { thread_key: 'T' });
    await expect(insertConversation(s.db, { workspaceId: ws, contactId: contact.id, entranceId: e.id }, { thread_key: 'T' })).rejects.toThrow(/unique|duplicate/i);
  });

  it('check constraints refuse unknown statuses, directions and roles', async () => {
    const ws = await workspace();
    const e = await insertEntrance(s.db, ws);
    const contact = await insertContact(s.db, ws);
    await expect(insertConversation(s.db, { workspaceId: ws, contactId: contact.id, entranceId: e.id }, { status: 'archived' as never })).rejects.toThrow(/check|constraint/i);
    const c = await insertConversation(s.db, { workspaceId: ws, contactId: contact.id, entranceId: e.id });
    await expect(insertMessage(s.db, c, { direction: 'sideways' as never })).rejects.toThrow(/check|constraint/i);
    await expect(insertContact(s.db, ws, { stage: 'maybe' as never })).rejects.toThrow(/check|constraint/i);
  });

  it('a row pointing at a missing parent is refused', async () => {
    const ws = await workspace();
    await expect(insertEntrance(s.db, 'no-such-workspace')).rejects.toThrow(/foreign key/i);
    const contact = await insertContact(s.db, ws);
    await expect(insertConversation(s.db, { workspaceId: ws, contactId: contact.id, entranceId: 'no-such-entrance' })).rejects.toThrow(/foreign key/i);
  });

  it('an entrance that still has conversations cannot be deleted', async () => {
    const ws = await workspace();
    const e = await insertEntrance(s.db, ws);
    const contact = await insertContact(s.db, ws);
    await insertConversation(s.db, { workspaceId: ws, contactId: contact.id, entranceId: e.id });
    await expect(s.db.deleteFrom('entrance').where('id', '=', e.id).execute()).rejects.toThrow(/foreign key/i);
    expect(await s.db.selectFrom('entrance').select('id').where('id', '=', e.id).execute()).toHaveLength(1);
  });

  it("deleting a contact removes its identities, conversations and messages, and no one else's", async () => {
    const ws = await workspace();
    const e = await insertEntrance(s.db, ws);
    const [erased, kept] = [await insertContact(s.db, ws), await insertContact(s.db, ws)];
    await s.db.insertInto('identity').values({ id: newId(), workspace_id: ws, contact_id: erased.id, kind: 'email', value: 'a@b.ch', value_normalized: 'a@b.ch', verified: 0, created_at: Date.now() }).execute();
    for (const contact of [erased, kept]) {
      const c = await insertConversation(s.db, { workspaceId: ws, contactId: contact.id, entranceId: e.id });
      await insertMessage(s.db, c);
      await insertMessage(s.db, c);
    }
    // A contact referred by the erased one keeps existing, without the reference.
    const referred = await insertContact(s.db, ws, { referred_by_contact_id: erased.id, first_entrance_id: e.id });

    await s.db.deleteFrom('contact').where('id', '=', erased.id).execute();
    const left = (t: 'conversation' | 'identity') => s.db.selectFrom(t).select('contact_id').where('workspace_id', '=', ws).execute();
    expect((await left('conversation')).map((r) => r.contact_id)).toEqual([kept.id]);
    expect(await left('identity')).toEqual([]);
    expect(await s.db.selectFrom('message').select('id').where('workspace_id', '=', ws).execute()).toHaveLength(2);
    expect(await s.db.selectFrom('contact').select('referred_by_contact_id').where('id', '=', referred.id).executeTakeFirstOrThrow()).toEqual({ referred_by_contact_id: null });
  });

  it('deleting a workspace removes everything it owns, entrances with conversations included', async () => {
    const ws = await workspace();
    const bystander = await workspace();
    for (const id of [ws, bystander]) {
      const e = await insertEntrance(s.db, id);
      const contact = await insertContact(s.db, id);
      const c = await insertConversation(s.db, { workspaceId: id, contactId: contact.id, entranceId: e.id });
      await insertMessage(s.db, c, { author_user_id: `u-${id}` });
      await s.db.insertInto('event').values({ id: newId(), workspace_id: id, actor_user_id: `u-${id}`, type: 't', subject_type: null, subject_id: null, data: null, created_at: Date.now() }).execute();
    }
    const tables = (await s.db.introspection.getTables()).filter((t) => t.columns.some((c) => c.name === 'workspace_id')).map((t) => t.name as keyof Database);
    const countIn = async (id: string) => {
      const out: Record<string, number> = {};
      for (const t of tables) {
        const r = await s.db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id' as never, '=', id as never).executeTakeFirstOrThrow();
        out[t] = Number(r.n);
      }
      return out;
    };
    const bystanderBefore = await countIn(bystander);
    await s.db.deleteFrom('workspace').where('id', '=', ws).execute();
    const after = await countIn(ws);
    expect(Object.values(after).every((n) => n === 0), JSON.stringify(after)).toBe(true);
    expect(await countIn(bystander)).toEqual(bystanderBefore);
    expect(await countRows(s.db, 'workspace')).toBeGreaterThan(0);
  });

  it('timestamps beyond 2^31 and up to 2^53 survive the round trip as numbers', async () => {
    const ws = await workspace();
    const big = Number.MAX_SAFE_INTEGER;
    const e = await insertEntrance(s.db, ws, { last_reviewed_at: big, created_at: 4_102_444_800_000 });
    const row = await s.db.selectFrom('entrance').select(['last_reviewed_at', 'created_at']).where('id', '=', e.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ last_reviewed_at: big, created_at: 4_102_444_800_000 });
  });
});
