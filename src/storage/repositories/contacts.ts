import { sql } from 'kysely';
import type { DbOrTx } from '../database.ts';

/**
 * Contacts (not merged away) whose name or one of whose identities contains `term`, most recently
 * active first. lower() + LIKE … ESCAPE behaves alike on SQLite and PostgreSQL; the term's own
 * wildcards are escaped.
 */
export function findContactsMatching(db: DbOrTx, workspaceId: string, term: string | undefined, limit: number) {
  let q = db.selectFrom('contact').select(['id', 'display_name', 'stage', 'updated_at']).where('workspace_id', '=', workspaceId).where('merged_into_id', 'is', null);
  const t = term?.trim().toLowerCase();
  if (t) {
    const pattern = `%${t.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    q = q.where((eb) =>
      eb.or([
        sql<boolean>`lower(contact.display_name) like ${pattern} escape '\\'`,
        eb.exists(eb.selectFrom('identity').select('identity.id').whereRef('identity.contact_id', '=', 'contact.id').where(sql<boolean>`identity.value_normalized like ${pattern} escape '\\'`)),
      ]),
    );
  }
  return q.orderBy('updated_at', 'desc').limit(limit).execute();
}
