// The inbox: message metadata, labels, reply templates and recorded (undoable) contact merges.
// Frozen in time like every migration; the same statements serve SQLite and PostgreSQL.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // What the channel told us beyond the text: preferred door, referral, classification (JSON).
  await db.schema.alterTable('message').addColumn('meta', 'text').execute();
  // The inbox list shows the last message's first words; stored on the conversation so that a page
  // of the list is one index range, not one sub-query per row.
  await db.schema.alterTable('conversation').addColumn('preview', 'text').execute();
  // "All open" and "Done" walk conversations newest first and skip the few of the other status.
  await db.schema.createIndex('conversation_workspace_last').on('conversation').columns(['workspace_id', 'last_message_at']).execute();

  await db.schema
    .createTable('label')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('label_workspace_name', ['workspace_id', 'name'])
    .execute();

  await db.schema
    .createTable('conversation_label')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversation.id').onDelete('cascade'))
    .addColumn('label_id', 'text', (c) => c.notNull().references('label.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('conversation_label_pk', ['conversation_id', 'label_id'])
    .execute();
  await db.schema.createIndex('conversation_label_label').on('conversation_label').column('label_id').execute();

  await db.schema
    .createTable('template')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('shortcut', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('template_workspace_shortcut_locale', ['workspace_id', 'shortcut', 'locale'])
    .execute();

  // A merge moves identities and conversations from one contact to another and remembers exactly
  // which, so that "split" can put everything back.
  await db.schema
    .createTable('contact_merge')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('from_contact_id', 'text', (c) => c.notNull().references('contact.id').onDelete('cascade'))
    .addColumn('into_contact_id', 'text', (c) => c.notNull().references('contact.id').onDelete('cascade'))
    .addColumn('moved', 'text', (c) => c.notNull())
    .addColumn('actor_user_id', 'text', (c) => c.references('user.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('undone_at', 'bigint')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['contact_merge', 'template', 'conversation_label', 'label']) await db.schema.dropTable(t).ifExists().execute();
  await db.schema.dropIndex('conversation_workspace_last').ifExists().execute();
  await db.schema.alterTable('conversation').dropColumn('preview').execute();
  await db.schema.alterTable('message').dropColumn('meta').execute();
}
