import type { DbOrTx } from '../database.ts';
import type { Workspace, WorkspaceTable } from '../schema.ts';

export function findWorkspace(db: DbOrTx, id: string): Promise<Workspace | undefined> {
  return db.selectFrom('workspace').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findWorkspaceByHandle(db: DbOrTx, handle: string): Promise<Workspace | undefined> {
  return db.selectFrom('workspace').selectAll().where('handle', '=', handle).executeTakeFirst();
}

export async function countWorkspaces(db: DbOrTx): Promise<number> {
  const row = await db.selectFrom('workspace').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export function listWorkspaces(db: DbOrTx): Promise<Workspace[]> {
  return db.selectFrom('workspace').selectAll().orderBy('created_at').execute();
}

export async function insertWorkspace(db: DbOrTx, row: WorkspaceTable): Promise<void> {
  await db.insertInto('workspace').values(row).execute();
}

export async function updateWorkspace(db: DbOrTx, id: string, patch: Partial<Pick<WorkspaceTable, 'name' | 'locale' | 'languages' | 'time_zone'>>): Promise<void> {
  await db.updateTable('workspace').set({ ...patch, updated_at: Date.now() }).where('id', '=', id).execute();
}
