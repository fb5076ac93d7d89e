// The domain tables. Frozen in time: a migration never imports application code, and once landed it
// is never edited; later changes come as new dated files. It uses only column types that mean the
// same in SQLite and PostgreSQL (text, integer, bigint), so the one migration set serves both.
//
// ON DELETE choices: deleting a workspace removes everything it owns (cascade); a contact's
// conversations and messages go with the contact (erasure on request); an entrance that still has
// conversations cannot be deleted (restrict; archive it instead), so no message loses its door.
import { type Kysely, sql } from 'kysely';


export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('workspace')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('handle', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('languages', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('user')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_normalized', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('owner', 'assistant')`))
    .addColumn('locale', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_login_at', 'bigint')
    .execute();
  await db.schema.createIndex('user_workspace').on('user').column('workspace_id').execute();

  await db.schema
    .createTable('session')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('user_agent', 'text')
    .addColumn('ip', 'text')
    .execute();
  await db.schema.createIndex('session_user').on('session').column('user_id').execute();

  await db.schema
    .createTable('api_token')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('user.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('expires_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('api_token_workspace').on('api_token').column('workspace_id').execute();

  await db.schema
    .createTable('setup_token')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('workspace_id', 'text', (c) => c.references('workspace.id').onDelete('set null'))
    .execute();

  await db.schema
    .createTable('login_failure')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_failure_key_at').on('login_failure').columns(['key', 'at']).execute();

  await db.schema
    .createTable('entrance')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('public_url', 'text')
    .addColumn('show_on_storefront', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('config_encrypted', 'text')
    .addColumn('response_target_minutes', 'integer', (c) => c.notNull())
    .addColumn('review_interval_days', 'integer')
    .addColumn('last_reviewed_at', 'bigint')
    .addColumn('health', 'text', (c) => c.notNull().defaultTo('unknown'))
    .addColumn('health_reason', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('archived_at', 'bigint')
    .execute();
  await db.schema.createIndex('entrance_workspace').on('entrance').column('workspace_id').execute();

  await db.schema
    .createTable('contact')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull().defaultTo('inquiry').check(sql`stage in ('inquiry', 'offer', 'booked', 'client', 'lost')`))
    .addColumn('first_entrance_id', 'text', (c) => c.references('entrance.id').onDelete('set null'))
    .addColumn('referred_by_contact_id', 'text', (c) => c.references('contact.id').onDelete('set null'))
    .addColumn('referred_by_text', 'text')
    .addColumn('notes', 'text')
    .addColumn('next_action', 'text')
    .addColumn('next_action_at', 'bigint')
    .addColumn('merged_into_id', 'text', (c) => c.references('contact.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contact_workspace_updated').on('contact').columns(['workspace_id', 'updated_at']).execute();

  await db.schema
    .createTable('identity')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contact.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('value_normalized', 'text', (c) => c.notNull())
    .addColumn('verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('identity_workspace_kind_value', ['workspace_id', 'kind', 'value_normalized'])
    .execute();
  await db.schema.createIndex('identity_contact').on('identity').column('contact_id').execute();

  await db.schema
    .createTable('conversation')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contact.id').onDelete('cascade'))
    .addColumn('entrance_id', 'text', (c) => c.notNull().references('entrance.id').onDelete('restrict'))
    .addColumn('thread_key', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'waiting', 'closed')`))
    .addColumn('awaiting_since', 'bigint')
    .addColumn('last_message_at', 'bigint', (c) => c.notNull())
    .addColumn('snoozed_until', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('conversation_entrance_thread', ['entrance_id', 'thread_key'])
    .execute();
  // The inbox's two orders: "waiting for me" (oldest waiting first) and "all" (newest first).
  await db.schema.createIndex('conversation_awaiting').on('conversation').columns(['workspace_id', 'awaiting_since']).execute();
  await db.schema.createIndex('conversation_recent').on('conversation').columns(['workspace_id', 'status', 'last_message_at']).execute();
  await db.schema.createIndex('conversation_contact').on('conversation').column('contact_id').execute();

  await db.schema
    .createTable('message')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversation.id').onDelete('cascade'))
    .addColumn('entrance_id', 'text', (c) => c.notNull().references('entrance.id').onDelete('restrict'))
    .addColumn('direction', 'text', (c) => c.notNull().check(sql`direction in ('inbound', 'outbound', 'note')`))
    .addColumn('external_id', 'text')
    .addColumn('identity_id', 'text', (c) => c.references('identity.id').onDelete('set null'))
    .addColumn('author_user_id', 'text', (c) => c.references('user.id').onDelete('set null'))
    .addColumn('subject', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('html', 'text')
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addColumn('delivery_state', 'text', (c) => c.notNull())
    .addColumn('delivery_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // Idempotent ingestion: one row per message the channel knows, however often it is delivered.
    .addUniqueConstraint('message_entrance_external', ['entrance_id', 'external_id'])
    .execute();
  await db.schema.createIndex('message_conversation_sent').on('message').columns(['conversation_id', 'sent_at']).execute();

  await db.schema
    .createTable('attachment')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('message_id', 'text', (c) => c.notNull().references('message.id').onDelete('cascade'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attachment_message').on('attachment').column('message_id').execute();
  await db.schema.createIndex('attachment_sha256').on('attachment').column('sha256').execute();

  await db.schema
    .createTable('event')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('workspace_id', 'text', (c) => c.references('workspace.id').onDelete('cascade'))
    .addColumn('actor_user_id', 'text', (c) => c.references('user.id').onDelete('set null'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text')
    .addColumn('subject_id', 'text')
    .addColumn('data', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('event_workspace_created').on('event').columns(['workspace_id', 'created_at']).execute();

  // The embedded job queue (on PostgreSQL, pg-boss keeps its own tables in its own schema).
  await db.schema
    .createTable('job')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('queued', 'running', 'done', 'failed')`))
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('backoff_ms', 'integer', (c) => c.notNull())
    .addColumn('backoff_max_ms', 'integer', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('job_due').on('job').columns(['state', 'run_at']).execute();

  await db.schema
    .createTable('job_schedule')
    .addColumn('name', 'text', (c) => c.primaryKey().notNull())
    .addColumn('cron', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('next_run_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['job_schedule', 'job', 'event', 'attachment', 'message', 'conversation', 'identity', 'contact', 'entrance', 'login_failure', 'setup_token', 'api_token', 'session', 'user', 'workspace']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
