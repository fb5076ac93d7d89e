// Full-text search over messages. The one migration that must differ by dialect, because the two
// engines index text differently; both fold diacritics so that "reponse" finds "réponse":
//  - SQLite: an FTS5 table over message (external content, kept in step by triggers), unicode61
//    tokenizer with remove_diacritics 2.
//  - PostgreSQL: a stored tsvector over the text folded by translate() (immutable, so usable in a
//    generated column, and needing no extension such as unaccent), with a GIN index.
// Frozen in time: the folding table below is copied, not imported, from the application.
import { type Kysely, sql, SqliteAdapter } from 'kysely';

// Lower- and upper-case forms: lower() leaves non-ASCII letters alone under the C locale.
export const ACCENTED = 'àáâãäåāăąçćčďèéêëēėęěìíîïīįłñńňòóôõöøōőùúûüūůűųýÿžźżšśşťţŕřğÀÁÂÃÄÅĀĂĄÇĆČĎÈÉÊËĒĖĘĚÌÍÎÏĪĮŁÑŃŇÒÓÔÕÖØŌŐÙÚÛÜŪŮŰŲÝŸŽŹŻŠŚŞŤŢŔŘĞ';
export const PLAIN = 'aaaaaaaaacccdeeeeeeeeiiiiiilnnnoooooooouuuuuuuuyyzzzsssttrrgaaaaaaaaacccdeeeeeeeeiiiiiilnnnoooooooouuuuuuuuyyzzzsssttrrg';

const isSqlite = (db: Kysely<any>) => db.getExecutor().adapter instanceof SqliteAdapter;

export async function up(db: Kysely<any>): Promise<void> {
  if (isSqlite(db)) {
    await sql`create virtual table message_fts using fts5(subject, text, content='message', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')`.execute(db);
    await sql`create trigger message_fts_insert after insert on message begin
      insert into message_fts(rowid, subject, text) values (new.rowid, new.subject, new.text);
    end`.execute(db);
    await sql`create trigger message_fts_delete after delete on message begin
      insert into message_fts(message_fts, rowid, subject, text) values ('delete', old.rowid, old.subject, old.text);
    end`.execute(db);
    await sql`create trigger message_fts_update after update of subject, text on message begin
      insert into message_fts(message_fts, rowid, subject, text) values ('delete', old.rowid, old.subject, old.text);
      insert into message_fts(rowid, subject, text) values (new.rowid, new.subject, new.text);
    end`.execute(db);
    await sql`insert into message_fts(message_fts) values ('rebuild')`.execute(db);
  } else {
    await sql`alter table message add column search tsvector generated always as (
      to_tsvector('simple', translate(lower(coalesce(subject, '') || ' ' || text), ${sql.lit(ACCENTED)}, ${sql.lit(PLAIN)}))
    ) stored`.execute(db);
    await sql`create index message_search on message using gin (search)`.execute(db);
  }
  // Newest-first browsing of one workspace's messages (search results, reports).
  await db.schema.createIndex('message_workspace_sent').on('message').columns(['workspace_id', 'sent_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('message_workspace_sent').ifExists().execute();
  if (isSqlite(db)) {
    for (const t of ['message_fts_insert', 'message_fts_delete', 'message_fts_update']) await sql`drop trigger if exists ${sql.id(t)}`.execute(db);
    await sql`drop table if exists message_fts`.execute(db);
  } else {
    await sql`drop index if exists message_search`.execute(db);
    await sql`alter table message drop column if exists search`.execute(db);
  }
}
