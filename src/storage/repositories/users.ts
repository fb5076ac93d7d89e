import type { DbOrTx } from '../database.ts';
import type { User, UserTable } from '../schema.ts';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function findUser(db: DbOrTx, id: string): Promise<User | undefined> {
  return db.selectFrom('user').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findUserByEmail(db: DbOrTx, email: string): Promise<User | undefined> {
  return db.selectFrom('user').selectAll().where('email_normalized', '=', normalizeEmail(email)).executeTakeFirst();
}

export async function insertUser(db: DbOrTx, row: UserTable): Promise<void> {
  await db.insertInto('user').values(row).execute();
}

export async function updateUser(db: DbOrTx, id: string, patch: Partial<Pick<UserTable, 'display_name' | 'locale' | 'password_hash' | 'last_login_at'>>): Promise<void> {
  // An UPDATE with no SET list is a syntax error on both engines (PATCH /account with `{}`).
  if (Object.keys(patch).length === 0) return;
  await db.updateTable('user').set(patch).where('id', '=', id).execute();
}
