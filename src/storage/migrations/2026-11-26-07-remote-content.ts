// Remote content in e-mail HTML (images on the sender's server, tracking pixels among them) stays
// blocked until someone in the workspace allows it for that sender. One row per allowed sender
// address (the normalised e-mail identity), with who allowed it and when; revoking deletes the row.
// Frozen in time like every migration; the same statements serve SQLite and PostgreSQL.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('remote_content_permission')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('address_normalized', 'text', (c) => c.notNull())
    .addColumn('allowed_by_user_id', 'text', (c) => c.references('user.id').onDelete('set null'))
    .addColumn('allowed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('remote_content_permission_pk', ['workspace_id', 'address_normalized'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('remote_content_permission').ifExists().execute();
}
