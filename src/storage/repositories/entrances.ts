import type { DbOrTx } from '../database.ts';
import { first, statement } from '../statement.ts';
import type { Entrance, EntranceUpdate, NewEntrance } from '../schema.ts';

export function listEntrances(db: DbOrTx, workspaceId: string): Promise<Entrance[]> {
  return db.selectFrom('entrance').selectAll().where('workspace_id', '=', workspaceId).where('archived_at', 'is', null).orderBy('created_at').execute();
}

export function findEntrance(db: DbOrTx, workspaceId: string, id: string): Promise<Entrance | undefined> {
  return db.selectFrom('entrance').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).where('archived_at', 'is', null).executeTakeFirst();
}

export async function insertEntrance(db: DbOrTx, row: NewEntrance): Promise<void> {
  await db.insertInto('entrance').values(row).execute();
}

export async function updateEntrance(db: DbOrTx, workspaceId: string, id: string, patch: EntranceUpdate): Promise<void> {
  await db.updateTable('entrance').set(patch).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

export async function countConversationsOfEntrance(db: DbOrTx, entranceId: string): Promise<number> {
  const r = await db.selectFrom('conversation').select((eb) => eb.fn.countAll<number>().as('n')).where('entrance_id', '=', entranceId).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function deleteEntrance(db: DbOrTx, workspaceId: string, id: string): Promise<void> {
  await db.deleteFrom('entrance').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

const findByIdSql = statement<Entrance>('select * from entrance where id = ? and archived_at is null');

/** For public routes (webhooks) that know only the entrance id; runs per delivery. */
export function findEntranceById(db: DbOrTx, id: string): Promise<Entrance | undefined> {
  return first(findByIdSql(db, [id]));
}
