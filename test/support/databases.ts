// Test databases: every HTTP + database test runs once per dialect. SQLite gets a fresh file in a
// temporary folder; PostgreSQL a freshly created database that is dropped afterwards. Locally a
// missing PostgreSQL skips its half with a message; under CI (CI=true) it is a failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateToLatest, openStorage, type DialectName, type Storage } from '../../src/storage/database.ts';

export const ADMIN_URL = process.env.PORTIER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const IN_CI = process.env.CI === 'true';

let pgAvailable: Promise<boolean> | undefined;

export function postgresAvailable(): Promise<boolean> {
  pgAvailable ??= (async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch (err) {
      if (IN_CI) throw new Error(`PostgreSQL is required under CI but unreachable at ${ADMIN_URL}: ${(err as Error).message}`);
      console.warn(`PostgreSQL unreachable at ${ADMIN_URL} (${(err as Error).message}): PostgreSQL tests are skipped. Set PORTIER_TEST_PG_URL or start PostgreSQL.`);
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return pgAvailable;
}

/** The dialects to run on: both, or SQLite alone when PostgreSQL is missing outside CI. */
export async function availableDialects(): Promise<DialectName[]> {
  return (await postgresAvailable()) ? ['sqlite', 'postgres'] : ['sqlite'];
}

export interface TestDatabase {
  dialect: DialectName;
  /** postgres://… of the created database, or null for SQLite. */
  databaseUrl: string | null;
  dataDir: string;
  drop(): Promise<void>;
}

/** Creates an empty database (no migrations applied) and a data directory. */
export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portier-test-'));
  if (dialect === 'sqlite') {
    return { dialect, databaseUrl: null, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `portier_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    dialect,
    databaseUrl: url.toString(),
    dataDir,
    drop: async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A migrated database opened as Storage; `dispose` closes and drops it. */
export async function createTestStorage(dialect: DialectName): Promise<Storage & { testDb: TestDatabase; dispose(): Promise<void> }> {
  const testDb = await createTestDatabase(dialect);
  const storage = await openStorage({ databaseUrl: testDb.databaseUrl, dataDir: testDb.dataDir, maxConnections: 5 });
  await migrateToLatest(storage.db);
  return {
    ...storage,
    testDb,
    dispose: async () => {
      await storage.close();
      await testDb.drop();
    },
  };
}
