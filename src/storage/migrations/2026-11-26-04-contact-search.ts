// Substring search over contacts (name, and every identity: e-mail, phone, handle) without reading
// every contact. `lower(display_name) like '%…%'` cannot use a B-tree index, and every message
// search also looks for matching contacts: at 100,000 contacts that scan cost 35-350 ms of each
// search (bench/README.md). Trigram indexes answer the same question from the index:
//  - SQLite: FTS5 tables with the trigram tokenizer over contact.display_name and
//    identity.value_normalized (external content, kept in step by triggers, like message_fts).
//  - PostgreSQL: GIN trigram indexes (pg_trgm, a trusted extension shipped with PostgreSQL) on the
//    expressions the query filters on. Where the extension cannot be created, the migration goes on
//    without them and the query still works, by scanning as before.
// Frozen in time like every migration.
import { type Kysely, sql, SqliteAdapter } from 'kysely';

const isSqlite = (db: Kysely<any>) => db.getExecutor().adapter instanceof SqliteAdapter;

const SQLITE_TABLES = [
  { fts: 'contact_name_fts', table: 'contact', column: 'display_name' },
  { fts: 'identity_value_fts', table: 'identity', column: 'value_normalized' },
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  if (isSqlite(db)) {
    for (const { fts, table, column } of SQLITE_TABLES) {
      await sql`create virtual table ${sql.id(fts)} using fts5(${sql.id(column)}, content=${sql.lit(table)}, content_rowid='rowid', tokenize='trigram')`.execute(db);
      await sql.raw(`create trigger ${fts}_insert after insert on "${table}" begin
        insert into ${fts}(rowid, "${column}") values (new.rowid, new."${column}");
      end`).execute(db);
      await sql.raw(`create trigger ${fts}_delete after delete on "${table}" begin
        insert into ${fts}(${fts}, rowid, "${column}") values ('delete', old.rowid, old."${column}");
      end`).execute(db);
      await sql.raw(`create trigger ${fts}_update after update of "${column}" on "${table}" begin
        insert into ${fts}(${fts}, rowid, "${column}") values ('delete', old.rowid, old."${column}");
        insert into ${fts}(rowid, "${column}") values (new.rowid, new."${column}");
      end`).execute(db);
      await sql.raw(`insert into ${fts}(${fts}) values ('rebuild')`).execute(db);
    }
  } else {
    await sql`do $$ begin
      create extension if not exists pg_trgm;
    exception when others then
      raise notice 'pg_trgm is not available (%): contact search scans the contacts', sqlerrm;
    end $$`.execute(db);
    await sql`do $$ begin
      if exists (select 1 from pg_extension where extname = 'pg_trgm') then
        create index contact_name_trgm on contact using gin (lower(display_name) gin_trgm_ops);
        create index identity_value_trgm on identity using gin (value_normalized gin_trgm_ops);
      end if;
    end $$`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isSqlite(db)) {
    for (const { fts } of SQLITE_TABLES) {
      for (const suffix of ['insert', 'delete', 'update']) await sql`drop trigger if exists ${sql.id(`${fts}_${suffix}`)}`.execute(db);
      await sql`drop table if exists ${sql.id(fts)}`.execute(db);
    }
  } else {
    await sql`drop index if exists identity_value_trgm`.execute(db);
    await sql`drop index if exists contact_name_trgm`.execute(db);
  }
}
