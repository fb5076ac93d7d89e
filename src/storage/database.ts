// Opens the database. This is the one file that knows which SQL engine runs underneath: SQLite
// embedded by default, PostgreSQL when DATABASE_URL is set. Everything else talks to Kysely.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { migrations } from './migrations/index.ts';

export type DialectName = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;
/** Repositories accept either the database or an open transaction. */
export type DbOrTx = Kysely<Database> | Transaction<Database>;

export interface Storage {
  db: Db;
  dialect: DialectName;
  /** The SQLite file, for backups; null on PostgreSQL. */
  sqlitePath: string | null;
  databaseUrl: string | null;
  close(): Promise<void>;
}

export interface StorageOptions {
  databaseUrl: string | null;
  dataDir: string;
  /** Pool size on PostgreSQL. */
  maxConnections?: number;
  /** Told when an idle PostgreSQL connection fails (logged by the server). */
  onIdleError?: (err: Error) => void;
}

export async function openStorage(options: StorageOptions): Promise<Storage> {
  if (options.databaseUrl) {
    // bigint (int8) and numeric come back as strings by default; our bigints are epoch
    // milliseconds and counts, which fit a JavaScript number exactly.
    const types = {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === 20 || oid === 1700 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'),
    };
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.maxConnections ?? 10, types });
    // An idle connection that the server closes (restart, failover, admin) must not crash the
    // process: the pool drops it and opens a new one on the next query.
    pool.on('error', (err) => options.onIdleError?.(err));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', sqlitePath: null, databaseUrl: options.databaseUrl, close: () => db.destroy() };
  }

  mkdirSync(options.dataDir, { recursive: true });
  const path = join(options.dataDir, 'portier.db');
  const sqlite = new SQLite(path);
  // WAL lets readers run beside the writer; synchronous=FULL makes a commit durable before we
  // acknowledge it (an accepted webhook must survive a power cut, not only a process crash).
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, dialect: 'sqlite', sqlitePath: path, databaseUrl: null, close: () => db.destroy() };
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query anew, and preparing costs as much as running a small statement. The
 * same few hundred SQL strings recur, so prepared statements are kept by their SQL (least recently
 * used dropped first). Safe because better-sqlite3 runs a statement to completion inside one call;
 * a statement still busy (an open iterator) is never handed out twice.
 */
function withStatementCache(sqlite: SQLite.Database) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sqlText: string) {
      const hit = cache.get(sqlText);
      if (hit && !hit.busy) {
        cache.delete(sqlText);
        cache.set(sqlText, hit);
        return hit;
      }
      const stmt = sqlite.prepare(sqlText);
      cache.set(sqlText, stmt);
      if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      return stmt;
    },
  };
}

function migrator(db: Db): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'portier_migration',
    migrationLockTableName: 'portier_migration_lock',
  });
}

/** Applies pending migrations; returns their names. Safe to call from several nodes at once. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`Database migration ${failed ?? ''} failed: ${(error as Error).message ?? error}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of migrations that exist in the code but are not applied to the database yet. */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const all = await migrator(db).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
