import type { DbOrTx } from '../database.ts';

/** Forgets an account's failed sign-ins, so a fresh password works at once. */
export async function clearLoginFailures(db: DbOrTx, accountKey: string): Promise<void> {
  await db.deleteFrom('login_failure').where('key', '=', accountKey).execute();
}
