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
  portier user password --email E --password-file F

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

const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<number>> = { password: resetPassword };

export const userCommand: Command = {
  summary: 'reset a user\'s password',
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    const run = sub ? SUBCOMMANDS[sub] : undefined;
    if (!run) throw new UsageError(`user: ${sub ? `unknown subcommand "${sub}"` : 'missing subcommand'}; use "password". See "portier user --help".`);
    return run(rest);
  },
};
