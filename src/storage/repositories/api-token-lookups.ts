// Lookups the administrator's CLI needs beyond what the HTTP API uses: a token by its id alone
// (the CLI has no signed-in workspace to scope it by) and a workspace's tokens with their creators.
import type { DbOrTx } from '../database.ts';

export function findApiToken(db: DbOrTx, id: string) {
  return db.selectFrom('api_token').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listApiTokensWithCreators(db: DbOrTx, workspaceId: string) {
  return db
    .selectFrom('api_token')
    .innerJoin('user', 'user.id', 'api_token.user_id')
    .selectAll('api_token')
    .select('user.email as user_email')
    .where('api_token.workspace_id', '=', workspaceId)
    .where('api_token.revoked_at', 'is', null)
    .orderBy('api_token.created_at', 'desc')
    .execute();
}
