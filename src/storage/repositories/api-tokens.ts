import type { DbOrTx } from '../database.ts';
import type { ApiTokenTable } from '../schema.ts';

export async function insertApiToken(db: DbOrTx, row: ApiTokenTable): Promise<void> {
  await db.insertInto('api_token').values(row).execute();
}

export function listApiTokens(db: DbOrTx, workspaceId: string) {
  return db
    .selectFrom('api_token')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('revoked_at', 'is', null)
    .orderBy('created_at', 'desc')
    .execute();
}

export function findApiTokenByHash(db: DbOrTx, tokenHash: string) {
  return db
    .selectFrom('api_token')
    .innerJoin('user', 'user.id', 'api_token.user_id')
    .select(['api_token.id', 'api_token.workspace_id', 'api_token.user_id', 'api_token.scopes', 'api_token.expires_at', 'api_token.revoked_at', 'api_token.last_used_at', 'user.role'])
    .where('api_token.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function markApiTokenUsed(db: DbOrTx, id: string, now: number): Promise<void> {
  await db.updateTable('api_token').set({ last_used_at: now }).where('id', '=', id).execute();
}

/** Revokes a token of this workspace; returns false when there was none to revoke. */
export async function revokeApiToken(db: DbOrTx, workspaceId: string, id: string, now: number): Promise<boolean> {
  const r = await db
    .updateTable('api_token')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('workspace_id', '=', workspaceId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
