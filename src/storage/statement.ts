// Hot-path queries written once as SQL and run as they are: no query builder, no compiling per
// call. Kysely builds and compiles a query object on every execution, which costs more than
// running a small indexed statement; on SQLite the compiled text also finds its prepared statement
// in the cache of database.ts. Use it where a path runs per message; everywhere else, Kysely.
import { CompiledQuery, PostgresAdapter, type QueryResult } from 'kysely';
import type { DbOrTx } from './database.ts';

export type Statement<R> = (db: DbOrTx, params: readonly unknown[]) => Promise<QueryResult<R>>;

/**
 * A statement with `?` placeholders, valid on SQLite and PostgreSQL alike (PostgreSQL gets `$1…`).
 * The text must hold no `?` other than placeholders.
 */
export function statement<R = never>(text: string): Statement<R> {
  let n = 0;
  const postgres = text.replace(/\?/g, () => `$${++n}`);
  return (db, params) => db.executeQuery<R>(CompiledQuery.raw(db.getExecutor().adapter instanceof PostgresAdapter ? postgres : text, params as unknown[]));
}

/** The first row, or undefined. */
export async function first<R>(result: Promise<QueryResult<R>>): Promise<R | undefined> {
  return (await result).rows[0];
}

/** Rows inserted, updated or deleted. */
export async function affected(result: Promise<QueryResult<unknown>>): Promise<number> {
  return Number((await result).numAffectedRows ?? 0);
}

/** All rows. */
export async function rows<R>(result: Promise<QueryResult<R>>): Promise<R[]> {
  return (await result).rows as R[];
}
