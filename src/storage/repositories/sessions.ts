import type { DbOrTx } from '../database.ts';
import type { SessionTable } from '../schema.ts';

export async function insertSession(db: DbOrTx, row: SessionTable): Promise<void> {
  await db.insertInto('session').values(row).execute();
}

export function findSessionByTokenHash(db: DbOrTx, tokenHash: string) {
  return db
    .selectFrom('session')
    .innerJoin('user', 'user.id', 'session.user_id')
    .select(['session.id', 'session.workspace_id', 'session.user_id', 'session.csrf_token', 'session.expires_at', 'session.last_seen_at', 'user.role'])
    .where('session.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function touchSession(db: DbOrTx, id: string, now: number, expiresAt: number): Promise<void> {
  await db.updateTable('session').set({ last_seen_at: now, expires_at: expiresAt }).where('id', '=', id).execute();
}

export async function deleteSession(db: DbOrTx, id: string): Promise<void> {
  await db.deleteFrom('session').where('id', '=', id).execute();
}

export async function deleteSessionsOfUser(db: DbOrTx, userId: string, exceptId?: string): Promise<void> {
  let q = db.deleteFrom('session').where('user_id', '=', userId);
  if (exceptId) q = q.where('id', '!=', exceptId);
  await q.execute();
}
