// Personal API tokens for scripts: shown once, stored as a hash, limited by scopes.
import { newId } from '../core/ids.ts';
import type { Db } from '../storage/database.ts';
import { hashToken, newSecretToken } from '../security/tokens.ts';
import { insertApiToken } from '../storage/repositories/api-tokens.ts';
import { recordEvent } from '../storage/repositories/events.ts';
import type { ApiTokenTable } from '../storage/schema.ts';

export const TOKEN_SCOPES = ['read', 'write'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export async function createApiToken(
  db: Db,
  input: { workspaceId: string; userId: string; name: string; scopes: TokenScope[]; expiresInDays?: number | null },
  now = Date.now(),
): Promise<{ row: ApiTokenTable; secret: string }> {
  const secret = newSecretToken('ptk');
  const row: ApiTokenTable = {
    id: newId(now),
    workspace_id: input.workspaceId,
    user_id: input.userId,
    name: input.name.trim(),
    token_hash: hashToken(secret),
    prefix: secret.slice(0, 10),
    scopes: JSON.stringify([...new Set(input.scopes)]),
    created_at: now,
    last_used_at: null,
    expires_at: input.expiresInDays ? now + input.expiresInDays * 86_400_000 : null,
    revoked_at: null,
  };
  await insertApiToken(db, row);
  await recordEvent(db, { workspaceId: input.workspaceId, actorUserId: input.userId, type: 'api_token.created', subjectType: 'api_token', subjectId: row.id, data: { name: row.name, scopes: input.scopes } }, now);
  return { row, secret };
}
