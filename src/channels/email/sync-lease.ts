// Which node syncs which mailbox. With several Portier nodes sharing PostgreSQL, two IMAP loops on
// one account would each fetch every message (harmless, ingest is idempotent) and double the load
// on the owner's server (harmful: providers cap connections per account). So a node takes a lease
// row before it connects and renews it while the loop runs; a node that dies stops renewing, and
// another takes the account over once the lease has expired. One statement per take or renewal,
// the same in SQLite and PostgreSQL (INSERT … ON CONFLICT DO UPDATE … WHERE).
import type { Db } from '../../storage/database.ts';
import { emailDb } from './sync-store.ts';

/** Takes or renews the lease; true when `holder` holds it until now + ttlMs. */
export async function takeSyncLease(db: Db, entranceId: string, holder: string, ttlMs: number, now = Date.now()): Promise<boolean> {
  const expiresAt = now + ttlMs;
  await emailDb(db)
    .insertInto('email_sync_lease')
    .values({ entrance_id: entranceId, holder, expires_at: expiresAt })
    .onConflict((oc) =>
      oc
        .column('entrance_id')
        .doUpdateSet({ holder, expires_at: expiresAt })
        .where((eb) => eb.or([eb('email_sync_lease.holder', '=', holder), eb('email_sync_lease.expires_at', '<', now)])),
    )
    .execute();
  const row = await emailDb(db).selectFrom('email_sync_lease').select(['holder', 'expires_at']).where('entrance_id', '=', entranceId).executeTakeFirst();
  return row?.holder === holder && Number(row.expires_at) === expiresAt;
}

export async function releaseSyncLease(db: Db, entranceId: string, holder: string): Promise<void> {
  await emailDb(db).deleteFrom('email_sync_lease').where('entrance_id', '=', entranceId).where('holder', '=', holder).execute();
}
