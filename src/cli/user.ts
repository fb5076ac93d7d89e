// `portier user`: account rescue on the server, for an owner locked out of the web app.
import { loadConfig } from '../config.ts';
import { AppError } from '../core/errors.ts';
import { checkPassword } from '../accounts/validation.ts';
import { hashPassword } from '../security/passwords.ts';
import { recordEvent } from '../storage/repositories/events.ts';
import { clearLoginFailures } from '../storage/repositories/login-failures.ts';
import { findUserByEmail, normalizeEmail, updateUser } from '../storage/repositories/users.ts';
import { parseOptions, UsageError, type Command } from './args.ts';
import { readSecretFile } from './read-secret-file.ts';
import { withStorage } from './with-storage.ts';

const HELP = `Usage:
  portier user add --email E --password-file F --name NAME [--role assistant|owner] [--workspace HANDLE]
  portier user password --email E --password-file F

  add        lets another person sign in to a workspace: an assistant (the default) works in the
             inbox and on entrances, only owners change the workspace's settings
             --workspace  the workspace's handle; needed only when the installation hosts several

  password   sets a new password for the user with that e-mail address, signs them out
             everywhere (every session ends) and lifts a sign-in lock after too many failures.
             --password-file  a file holding the new password (at least 10 characters);
                              "-" reads it from stdin, e.g.  printf %s 'new pass phrase' | portier user password --email E --password-file -`;

async function resetPassword(argv: string[]): Promise<number> {
  const { values } = parseOptions('user password', argv, { email: { type: 'string' }, 'password-file': { type: 'string' } });
  if (!values.email || !values['password-file']) throw new UsageError('user password: --email and --password-file are required. See "portier user --help".');
  const password = readSecretFile('user password', values['password-file']);
  const problem = checkPassword(password);
  if (problem) throw new UsageError(`user password: the new password ${problem}.`);
  const config = loadConfig();
  return withStorage(config, async ({ db }) => {
    const user = await findUserByEmail(db, values.email!);
    if (!user) throw new AppError('not_found', `No user has the e-mail address ${values.email}. Check the spelling.`);
    const passwordHash = await hashPassword(password);
    const ended = await db.transaction().execute(async (tx) => {
      await updateUser(tx, user.id, { password_hash: passwordHash });
      // Whoever knew the old password may hold a session: all of them end with it.
      const r = await tx.deleteFrom('session').where('user_id', '=', user.id).executeTakeFirst();
      await clearLoginFailures(tx, `account:${normalizeEmail(user.email)}`);
      await recordEvent(tx, { workspaceId: user.workspace_id, actorUserId: null, type: 'user.password_reset', subjectType: 'user', subjectId: user.id, data: { via: 'cli' } });
      return Number(r.numDeletedRows);
    });
    console.log(`Set a new password for ${user.email} and ended ${ended} session(s). Sign in at ${config.publicUrl}/signin`);
    return 0;
  }, { migrate: true });
}

async function add(argv: string[]): Promise<number> {
  const { values } = parseOptions('user add', argv, {
    email: { type: 'string' },
    'password-file': { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', default: 'assistant' },
    workspace: { type: 'string' },
  });
  if (!values.email || !values['password-file'] || !values.name) throw new UsageError('user add: --email, --password-file and --name are required. See "portier user --help".');
  if (values.role !== 'assistant' && values.role !== 'owner') throw new UsageError(`user add: --role must be assistant or owner (got "${values.role}").`);
  const password = readSecretFile('user add', values['password-file']);
  const config = loadConfig();
  return withStorage(config, async ({ db }) => {
    const workspaces = await db.selectFrom('workspace').select(['id', 'handle']).orderBy('created_at').execute();
    const workspace = values.workspace ? workspaces.find((w) => w.handle === values.workspace) : workspaces.length === 1 ? workspaces[0] : undefined;
    if (!workspace) {
      if (values.workspace) throw new AppError('not_found', `No workspace has the handle "${values.workspace}". Workspaces here: ${workspaces.map((w) => w.handle).join(', ') || 'none'}.`);
      throw new UsageError(workspaces.length ? `user add: this installation hosts ${workspaces.length} workspaces; say which with --workspace (${workspaces.map((w) => w.handle).join(', ')}).` : 'user add: there is no workspace yet; create one with "portier setup".');
    }
    const { addUser } = await import('../accounts/add-user.ts');
    const user = await addUser(db, { workspaceId: workspace.id, email: values.email!, password, displayName: values.name!, role: values.role as 'assistant' | 'owner', actorUserId: null });
    console.log(`Added ${user.email} to @${workspace.handle} as ${user.role}. They sign in at ${config.publicUrl}/signin`);
    return 0;
  }, { migrate: true });
}

const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<number>> = { add, password: resetPassword };

export const userCommand: Command = {
  summary: 'add an assistant, or reset a user\'s password',
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    const run = sub ? SUBCOMMANDS[sub] : undefined;
    if (!run) throw new UsageError(`user: ${sub ? `unknown subcommand "${sub}"` : 'missing subcommand'}; use "add" or "password". See "portier user --help".`);
    return run(rest);
  },
};
