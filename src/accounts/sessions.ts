// Owner sessions: a random token in an httpOnly cookie, only its hash in the database, a CSRF token
// per session for cookie-authenticated changes, and a sliding 30-day lifetime.
import { randomBytes } from 'node:crypto';
import { newId } from '../core/ids.ts';
import { AppError } from '../core/errors.ts';
import type { Db } from '../storage/database.ts';
import { hashToken, newSecretToken } from '../security/tokens.ts';
import { dummyPasswordHash, verifyPassword } from '../security/passwords.ts';
import { insertSession } from '../storage/repositories/sessions.ts';
import { findUserByEmail, normalizeEmail, updateUser } from '../storage/repositories/users.ts';
import { recordEvent } from '../storage/repositories/events.ts';
import type { User } from '../storage/schema.ts';

export const SESSION_COOKIE = 'portier_session';
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** Sliding expiry is written at most this often, so reads do not turn into writes. */
export const SESSION_TOUCH_INTERVAL_MS = 5 * 60 * 1000;

// Failed sign-ins allowed per window before refusing: per account (guessing one password) and per
// IP address (trying many accounts). Counted in the database so every node sees the same count.
const LOGIN_WINDOW_MS = 15 * 60 * 1000;
const MAX_FAILURES_PER_ACCOUNT = 10;
const MAX_FAILURES_PER_IP = 30;

export interface NewSession {
  token: string;
  csrfToken: string;
  expiresAt: number;
}

export async function createSession(db: Db, user: Pick<User, 'id' | 'workspace_id'>, meta: { ip?: string; userAgent?: string }, now = Date.now()): Promise<NewSession> {
  const token = newSecretToken('pss');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = now + SESSION_TTL_MS;
  await insertSession(db, {
    id: newId(now),
    workspace_id: user.workspace_id,
    user_id: user.id,
    token_hash: hashToken(token),
    csrf_token: csrfToken,
    created_at: now,
    expires_at: expiresAt,
    last_seen_at: now,
    user_agent: meta.userAgent?.slice(0, 300) ?? null,
    ip: meta.ip ?? null,
  });
  return { token, csrfToken, expiresAt };
}

async function recentFailures(db: Db, key: string, now: number): Promise<{ count: number; oldest: number | null }> {
  const row = await db
    .selectFrom('login_failure')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('at').as('oldest')])
    .where('key', '=', key)
    .where('at', '>', now - LOGIN_WINDOW_MS)
    .executeTakeFirstOrThrow();
  return { count: Number(row.n), oldest: row.oldest === null ? null : Number(row.oldest) };
}

/** Checks e-mail and password, with rate limits; returns the user or throws a problem. */
export async function signIn(db: Db, email: string, password: string, ip: string, now = Date.now()): Promise<User> {
  const keys = [`account:${normalizeEmail(email)}`, `ip:${ip}`];
  const [account, byIp] = await Promise.all(keys.map((k) => recentFailures(db, k, now)));
  for (const [f, max] of [[account!, MAX_FAILURES_PER_ACCOUNT], [byIp!, MAX_FAILURES_PER_IP]] as const) {
    if (f.count >= max) {
      const retryAfter = Math.max(1, Math.ceil(((f.oldest ?? now) + LOGIN_WINDOW_MS - now) / 1000));
      throw new AppError('rate_limited', `Too many failed sign-ins. Wait ${Math.ceil(retryAfter / 60)} minute(s) and try again, or reset the password with \`portier user password\`.`, { headers: { 'retry-after': String(retryAfter) } });
    }
  }

  const user = await findUserByEmail(db, email);
  const ok = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), password);
  if (!user || !ok) {
    await db.insertInto('login_failure').values(keys.map((key) => ({ id: newId(now), key, at: now }))).execute();
    // Old failures are useless; trimming here keeps the table small without a separate job.
    await db.deleteFrom('login_failure').where('at', '<', now - LOGIN_WINDOW_MS).execute();
    if (user) await recordEvent(db, { workspaceId: user.workspace_id, actorUserId: user.id, type: 'user.sign_in_failed', data: { ip } }, now);
    throw new AppError('invalid_credentials', 'The e-mail address or the password is wrong. Check both and try again.');
  }
  await db.deleteFrom('login_failure').where('key', '=', keys[0]!).execute();
  await updateUser(db, user.id, { last_login_at: now });
  await recordEvent(db, { workspaceId: user.workspace_id, actorUserId: user.id, type: 'user.signed_in', data: { ip } }, now);
  return user;
}
