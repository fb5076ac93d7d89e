// Adding someone to a workspace: an assistant who helps with the inbox, or a second owner.
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Db } from '../storage/database.ts';
import { hashPassword } from '../security/passwords.ts';
import { recordEvent } from '../storage/repositories/events.ts';
import { findUserByEmail, insertUser, normalizeEmail } from '../storage/repositories/users.ts';
import type { Role, User } from '../storage/schema.ts';
import { checkEmail, checkPassword } from './validation.ts';

export async function addUser(db: Db, input: { workspaceId: string; email: string; password: string; displayName: string; role: Role; actorUserId: string | null }): Promise<User> {
  const errors = [
    ['email', checkEmail(input.email)],
    ['password', checkPassword(input.password)],
    ['displayName', input.displayName.trim() ? null : 'must not be empty'],
  ].filter((e): e is [string, string] => e[1] !== null).map(([field, message]) => ({ field, message }));
  if (errors.length) throw new AppError('validation_failed', errors.map((e) => `${e.field} ${e.message}`).join('; '), { errors });
  if (await findUserByEmail(db, input.email)) throw new AppError('conflict', `An account with ${input.email.trim()} exists already.`, { errors: [{ field: 'email', message: 'is taken' }] });
  const now = Date.now();
  const user: User = {
    id: newId(now),
    workspace_id: input.workspaceId,
    email: input.email.trim(),
    email_normalized: normalizeEmail(input.email),
    display_name: input.displayName.trim(),
    password_hash: await hashPassword(input.password),
    role: input.role,
    locale: null,
    created_at: now,
    last_login_at: null,
  };
  try {
    await insertUser(db, user);
  } catch (err) {
    if (/unique|duplicate/i.test(String((err as Error).message))) throw new AppError('conflict', `An account with ${user.email} exists already.`);
    throw err;
  }
  await recordEvent(db, { workspaceId: input.workspaceId, actorUserId: input.actorUserId, type: 'user.added', subjectType: 'user', subjectId: user.id, data: { role: user.role } }, now);
  return user;
}
