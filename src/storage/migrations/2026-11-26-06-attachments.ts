// Attachments as mail knows them: the Content-ID an HTML body refers to (cid:…), and whether the
// part is meant to be shown inside the message or offered as a file. Frozen in time like every
// migration; the same statements serve SQLite and PostgreSQL.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Without the angle brackets, as written in the part's Content-ID header; null when it has none.
  await db.schema.alterTable('attachment').addColumn('content_id', 'text').execute();
  await db.schema
    .alterTable('attachment')
    .addColumn('disposition', 'text', (c) => c.notNull().defaultTo('attachment').check(sql`disposition in ('attachment', 'inline')`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('attachment').dropColumn('disposition').execute();
  await db.schema.alterTable('attachment').dropColumn('content_id').execute();
}
