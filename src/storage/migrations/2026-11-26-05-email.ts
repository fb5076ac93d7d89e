// The e-mail entrance: where each watched IMAP folder's sync stands, the Message-IDs that tie mail
// to its conversation, and which node syncs which account. Frozen in time like every migration.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // One row per (entrance, folder). The cursor (last_uid) is only valid within its uidvalidity;
  // window_since is set while the bounded initial sync (SINCE that date) is still running, so a
  // restart keeps fetching that window instead of everything above the cursor.
  // highest_modseq is text: CONDSTORE mod-sequences are unsigned 63-bit numbers.
  await db.schema
    .createTable('email_folder_state')
    .addColumn('entrance_id', 'text', (c) => c.notNull().references('entrance.id').onDelete('cascade'))
    .addColumn('folder', 'text', (c) => c.notNull())
    .addColumn('uidvalidity', 'bigint', (c) => c.notNull())
    .addColumn('last_uid', 'bigint', (c) => c.notNull())
    .addColumn('highest_modseq', 'text')
    .addColumn('window_since', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('email_folder_state_pk', ['entrance_id', 'folder'])
    .execute();

  // Thread keys of a conversation (Message-IDs it contains or references, a subject+participant
  // key): a reply names one of them in In-Reply-To/References and so finds its conversation.
  // Unique per entrance, because a conversation belongs to one entrance.
  await db.schema
    .createTable('conversation_key')
    .addColumn('entrance_id', 'text', (c) => c.notNull().references('entrance.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversation.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_key_pk', ['entrance_id', 'key'])
    .execute();
  await db.schema.createIndex('conversation_key_conversation').on('conversation_key').column('conversation_id').execute();

  // With several nodes on PostgreSQL, one node at a time holds an account's IMAP connection: it
  // takes a lease here and renews it while it syncs; another node takes over once it expires.
  await db.schema
    .createTable('email_sync_lease')
    .addColumn('entrance_id', 'text', (c) => c.primaryKey().notNull().references('entrance.id').onDelete('cascade'))
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['email_sync_lease', 'conversation_key', 'email_folder_state']) await db.schema.dropTable(t).ifExists().execute();
}
