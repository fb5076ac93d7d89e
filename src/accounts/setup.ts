// Creating a workspace and its first owner: from the one-time setup link (HTTP) or from
// `portier setup` (CLI). Nothing is created silently at start; a handle is never reused.
import { newId } from '../core/ids.ts';
import type { Db } from '../storage/database.ts';
import { AppError } from '../core/errors.ts';
import { hashPassword } from '../security/passwords.ts';
import { hashToken, newSecretToken } from '../security/tokens.ts';
import { recordEvent } from '../storage/repositories/events.ts';
import { findUserByEmail, insertUser, normalizeEmail } from '../storage/repositories/users.ts';
import { findWorkspaceByHandle, insertWorkspace } from '../storage/repositories/workspaces.ts';
import type { User, Workspace } from '../storage/schema.ts';
import { checkEmail, checkHandle, checkPassword, checkTimeZone, LOCALES, type Locale } from './validation.ts';

export const SETUP_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

export interface WorkspaceSetup {
  workspace: { name: string; handle: string; locale: string; languages: string[]; timeZone: string };
  owner: { email: string; password: string; displayName: string };
}

/** Creates a one-time setup token; returns the secret to put in the link. */
export async function createSetupToken(db: Db, now = Date.now()): Promise<{ token: string; expiresAt: number }> {
  const token = newSecretToken('pst');
  const expiresAt = now + SETUP_TOKEN_TTL_MS;
  await db.insertInto('setup_token').values({ id: newId(now), token_hash: hashToken(token), created_at: now, expires_at: expiresAt, used_at: null, workspace_id: null }).execute();
  return { token, expiresAt };
}

export async function findUsableSetupToken(db: Db, token: string, now = Date.now()) {
  const row = await db.selectFrom('setup_token').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
  if (!row || row.used_at !== null || row.expires_at < now) return undefined;
  return row;
}

export function setupLink(publicUrl: string, token: string): string {
  // The token travels in the fragment: browsers never send it to the server or to logs.
  return `${publicUrl}/setup#token=${token}`;
}

function validate(input: WorkspaceSetup): Array<{ field: string; message: string }> {
  const errors: Array<{ field: string; message: string }> = [];
  const push = (field: string, message: string | null) => message && errors.push({ field, message });
  push('workspace.handle', checkHandle(input.workspace.handle));
  push('workspace.timeZone', checkTimeZone(input.workspace.timeZone));
  if (!input.workspace.name.trim()) push('workspace.name', 'must not be empty');
  if (!LOCALES.includes(input.workspace.locale as Locale)) push('workspace.locale', `must be one of ${LOCALES.join(', ')}`);
  const bad = input.workspace.languages.filter((l) => !LOCALES.includes(l as Locale));
  if (bad.length) push('workspace.languages', `contains unsupported languages: ${bad.join(', ')}`);
  push('owner.email', checkEmail(input.owner.email));
  push('owner.password', checkPassword(input.owner.password));
  if (!input.owner.displayName.trim()) push('owner.displayName', 'must not be empty');
  return errors;
}

/**
 * Creates the workspace and its owner in one transaction. When `setupToken` is given it is spent
 * in the same transaction, so a link used twice (even concurrently) creates one workspace.
 */
export async function setupWorkspace(db: Db, input: WorkspaceSetup, opts: { setupToken?: string; now?: number } = {}): Promise<{ workspace: Workspace; user: User }> {
  const now = opts.now ?? Date.now();
  const errors = validate(input);
  if (errors.length) throw new AppError('validation_failed', errors.map((e) => `${e.field} ${e.message}`).join('; '), { errors });

  const passwordHash = await hashPassword(input.owner.password);
  const languages = [...new Set([input.workspace.locale, ...input.workspace.languages])];
  const workspace: Workspace = {
    id: newId(now),
    handle: input.workspace.handle,
    name: input.workspace.name.trim(),
    locale: input.workspace.locale,
    languages: JSON.stringify(languages),
    time_zone: input.workspace.timeZone,
    created_at: now,
    updated_at: now,
  };
  const user: User = {
    id: newId(now),
    workspace_id: workspace.id,
    email: input.owner.email.trim(),
    email_normalized: normalizeEmail(input.owner.email),
    display_name: input.owner.displayName.trim(),
    password_hash: passwordHash,
    role: 'owner',
    locale: null,
    created_at: now,
    last_login_at: null,
  };

  try {
    await db.transaction().execute(async (tx) => {
      if (opts.setupToken !== undefined) {
        const spent = await tx
          .updateTable('setup_token')
          .set({ used_at: now })
          .where('token_hash', '=', hashToken(opts.setupToken))
          .where('used_at', 'is', null)
          .where('expires_at', '>=', now)
          .executeTakeFirst();
        if (Number(spent.numUpdatedRows) !== 1) throw new AppError('setup_token_invalid', 'This setup link was already used or has expired. Run `npx portier setup --link` on the server for a new one.');
      }
      if (await findWorkspaceByHandle(tx, workspace.handle)) throw new AppError('conflict', `The handle "${workspace.handle}" is taken; choose another.`, { errors: [{ field: 'workspace.handle', message: 'is taken' }] });
      if (await findUserByEmail(tx, user.email)) throw new AppError('conflict', `An account with ${user.email} exists already; use another e-mail address.`, { errors: [{ field: 'owner.email', message: 'is taken' }] });
      await insertWorkspace(tx, workspace);
      await insertUser(tx, user);
      if (opts.setupToken !== undefined) {
        await tx.updateTable('setup_token').set({ workspace_id: workspace.id }).where('token_hash', '=', hashToken(opts.setupToken)).execute();
      }
      await recordEvent(tx, { workspaceId: workspace.id, actorUserId: user.id, type: 'workspace.created', subjectType: 'workspace', subjectId: workspace.id, data: { handle: workspace.handle } }, now);
    });
  } catch (err) {
    // Two concurrent setups with the same handle: the unique constraint decides.
    if (!(err instanceof AppError) && /unique|duplicate/i.test(String((err as Error).message))) {
      throw new AppError('conflict', 'That handle or e-mail address was taken a moment ago; choose another.');
    }
    throw err;
  }
  return { workspace, user };
}
