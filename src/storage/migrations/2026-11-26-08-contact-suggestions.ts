// "Possibly the same person" suggestions, and snoozing until the contact answers. Frozen in time
// like every migration; the same statements serve SQLite and PostgreSQL.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // What a contact may be recognised by beyond its verified identities: its name folded ("anna
  // meier" for "Anna Méier"), the name in an e-mail address or a profile URL, and each identity's
  // value whatever its kind. Equal keys in two contacts are the evidence for a suggestion; one
  // equality index answers "who else has this key" at any number of contacts.
  await db.schema
    .createTable('contact_match_key')
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contact.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('name', 'email', 'profile', 'identity')`))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    // The words the key came from, as the person wrote them, for the reason shown to the owner.
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_match_key_pk', ['contact_id', 'source', 'key'])
    .execute();
  await db.schema.createIndex('contact_match_key_workspace_key').on('contact_match_key').columns(['workspace_id', 'key']).execute();

  // One row per pair of contacts (the smaller id first, as JavaScript orders them), so a pair is suggested once and a
  // "not the same person" is remembered for good. reasons is a JSON list of the matching evidence.
  await db.schema
    .createTable('contact_suggestion')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contact.id').onDelete('cascade'))
    .addColumn('other_contact_id', 'text', (c) => c.notNull().references('contact.id').onDelete('cascade'))
    .addColumn('reasons', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('open', 'dismissed', 'confirmed')`))
    .addColumn('merge_id', 'text', (c) => c.references('contact_merge.id').onDelete('set null'))
    .addColumn('decided_by_user_id', 'text', (c) => c.references('user.id').onDelete('set null'))
    .addColumn('decided_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('contact_suggestion_pair', ['contact_id', 'other_contact_id'])
    .execute();
  await db.schema.createIndex('contact_suggestion_other').on('contact_suggestion').column('other_contact_id').execute();
  // The workspace's list, newest first, in exactly the order of its keyset pagination.
  await db.schema.createIndex('contact_suggestion_workspace_state').on('contact_suggestion').columns(['workspace_id', 'state', 'created_at', 'id']).execute();

  // How far the scheduled scan has looked at changed contacts, per workspace: (updated_at, id) of
  // the last contact it went through.
  await db.schema
    .createTable('contact_suggestion_scan')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey().notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('scanned_until', 'bigint', (c) => c.notNull())
    .addColumn('scanned_id', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  // "Remind me if no answer": snoozed_until is the deadline, and the condition says what happens
  // then. The contact writing first clears snoozed_until (ingest), which cancels it. When the
  // deadline passes unanswered, the conversation waits for the owner again and follow_up_since
  // keeps the time of the message nobody answered, for the reason shown in the inbox.
  await db.schema.alterTable('conversation').addColumn('snooze_condition', 'text', (c) => c.check(sql`snooze_condition in ('no_answer')`)).execute();
  await db.schema.alterTable('conversation').addColumn('follow_up_since', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversation').dropColumn('follow_up_since').execute();
  await db.schema.alterTable('conversation').dropColumn('snooze_condition').execute();
  for (const t of ['contact_suggestion_scan', 'contact_suggestion', 'contact_match_key']) await db.schema.dropTable(t).ifExists().execute();
}
