import { sql, SqliteAdapter } from 'kysely';
import type { DbOrTx } from '../database.ts';

/** Above this many trigram hits a term is common: scanning contacts newest first finds a page sooner. */
const TRIGRAM_HITS_MAX = 500;

/**
 * On SQLite, the rowids of contacts whose name or an identity contains `term` (at least three
 * characters), read from the trigram indexes of migration 04; null when the term is so common that
 * the ordered scan is faster. The trigram match folds case beyond ASCII, so the LIKE conditions are
 * checked again on these few rows and the answer stays exactly that of the scan.
 */
async function sqliteTrigramHits(db: DbOrTx, term: string): Promise<number[] | null> {
  const phrase = `"${term.replace(/"/g, '""')}"`;
  const names = await sql<{ rowid: number }>`select rowid from contact_name_fts where contact_name_fts match ${phrase} limit ${TRIGRAM_HITS_MAX + 1}`.execute(db);
  if (names.rows.length > TRIGRAM_HITS_MAX) return null;
  const identities = await sql<{ rowid: number }>`
    select c.rowid from identity_value_fts f join identity i on i.rowid = f.rowid join contact c on c.id = i.contact_id
    where identity_value_fts match ${phrase} limit ${TRIGRAM_HITS_MAX + 1}`.execute(db);
  if (identities.rows.length > TRIGRAM_HITS_MAX) return null;
  return [...new Set([...names.rows, ...identities.rows].map((r) => r.rowid))];
}

/**
 * Contacts (not merged away) whose name or one of whose identities contains `term`, most recently
 * active first. lower() + LIKE … ESCAPE behaves alike on SQLite and PostgreSQL; the term's own
 * wildcards are escaped. Every message search asks this too, so it must not read every contact
 * (35-350 ms at 100,000 contacts): the trigram indexes of migration 04 find the few that contain a
 * rare term; a common term ("anna") is found at once by the scan, newest first.
 */
export async function findContactsMatching(db: DbOrTx, workspaceId: string, term: string | undefined, limit: number) {
  let q = db.selectFrom('contact').select(['id', 'display_name', 'stage', 'updated_at']).where('workspace_id', '=', workspaceId).where('merged_into_id', 'is', null);
  const t = term?.trim().toLowerCase();
  if (t) {
    const pattern = `%${t.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    const nameMatches = sql<boolean>`lower(contact.display_name) like ${pattern} escape '\\'`;
    const identityMatches = sql<boolean>`identity.value_normalized like ${pattern} escape '\\'`;
    if (db.getExecutor().adapter instanceof SqliteAdapter) {
      const hits = [...t].length >= 3 ? await sqliteTrigramHits(db, t) : null;
      if (hits && !hits.length) return [];
      if (hits) q = q.where(sql<boolean>`contact.rowid in (${sql.join(hits)})`);
      q = q.where((eb) =>
        eb.or([nameMatches, eb.exists(eb.selectFrom('identity').select('identity.id').whereRef('identity.contact_id', '=', 'contact.id').where(identityMatches))]),
      );
    } else {
      // One set of matching ids, so that PostgreSQL can read each half from its trigram index
      // (an OR with a correlated EXISTS can only be evaluated row by row).
      q = q.where(sql<boolean>`contact.id in (select id from contact where ${nameMatches} union select contact_id from identity where ${identityMatches})`);
    }
  }
  return q.orderBy('updated_at', 'desc').limit(limit).execute();
}
