// `portier token`: personal API tokens for scripts, created by the administrator on the server (for
// example before the web app's token page exists, or to automate an installation).
import { loadConfig } from '../config.ts';
import { AppError } from '../core/errors.ts';
import { createApiToken, TOKEN_SCOPES, type TokenScope } from '../accounts/api-tokens.ts';
import { revokeApiToken } from '../storage/repositories/api-tokens.ts';
import { findApiToken, listApiTokensWithCreators } from '../storage/repositories/api-token-lookups.ts';
import { recordEvent } from '../storage/repositories/events.ts';
import { findUserByEmail } from '../storage/repositories/users.ts';
import type { DbOrTx } from '../storage/database.ts';
import { parseOptions, UsageError, type Command } from './args.ts';
import { formatTable, formatTime } from './format.ts';
import { withStorage } from './with-storage.ts';

const HELP = `Usage:
  portier token create --email E --name NAME [--scopes read,write] [--expires-days N]
  portier token list --email E
  portier token revoke ID

Personal API tokens let scripts call the API as a user ("Authorization: Bearer <token>").
The secret is printed once, when it is created; only its hash is stored.

  create   creates a token for the user with that e-mail address
           --name          what the token is for, e.g. "backup script" (shown in lists)
           --scopes        read, or read,write (default: read; "write" allows changes)
           --expires-days  days until it stops working (default: never)
  list     lists the active tokens of that user's workspace (never their secrets)
  revoke   revokes the token with that id (from "portier token list"); it stops working at once`;

async function requireUser(db: DbOrTx, email: string) {
  const user = await findUserByEmail(db, email);
  if (!user) throw new AppError('not_found', `No user has the e-mail address ${email}. Check the spelling; "portier setup" creates a workspace and its owner.`);
  return user;
}

function parseScopes(raw: string): TokenScope[] {
  const scopes = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = scopes.filter((s) => !TOKEN_SCOPES.includes(s as TokenScope));
  if (unknown.length || scopes.length === 0) throw new UsageError(`token create: --scopes must be ${TOKEN_SCOPES.join(' and/or ')}, comma-separated (got "${raw}").`);
  return scopes as TokenScope[];
}

async function create(argv: string[]): Promise<number> {
  const { values } = parseOptions('token create', argv, {
    email: { type: 'string' },
    name: { type: 'string' },
    scopes: { type: 'string', default: 'read' },
    'expires-days': { type: 'string' },
  });
  if (!values.email || !values.name?.trim()) throw new UsageError('token create: --email and --name are required. See "portier token --help".');
  if (values.name.trim().length > 80) throw new UsageError('token create: --name must be at most 80 characters.');
  const scopes = parseScopes(values.scopes!);
  let expiresInDays: number | null = null;
  if (values['expires-days'] !== undefined) {
    expiresInDays = Number(values['expires-days']);
    if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 3650) throw new UsageError('token create: --expires-days must be a whole number from 1 to 3650.');
  }
  const config = loadConfig();
  return withStorage(config, async ({ db }) => {
    const user = await requireUser(db, values.email!);
    const { row, secret } = await createApiToken(db, { workspaceId: user.workspace_id, userId: user.id, name: values.name!, scopes, expiresInDays });
    console.log(`Created API token "${row.name}" (id ${row.id}) for ${user.email}, scopes: ${scopes.join(', ')}, ${row.expires_at ? `expires ${formatTime(row.expires_at)}` : 'does not expire'}.

  ${secret}

Copy it now: it is not shown again (only its hash is stored). Use it like this:

  curl -H "Authorization: Bearer ${secret}" ${config.publicUrl}/api/v1/entrances

Revoke it with: portier token revoke ${row.id}`);
    return 0;
  }, { migrate: true });
}

async function list(argv: string[]): Promise<number> {
  const { values } = parseOptions('token list', argv, { email: { type: 'string' } });
  if (!values.email) throw new UsageError('token list: --email is required. See "portier token --help".');
  const config = loadConfig();
  return withStorage(config, async ({ db }) => {
    const user = await requireUser(db, values.email!);
    const tokens = await listApiTokensWithCreators(db, user.workspace_id);
    if (tokens.length === 0) {
      console.log(`The workspace of ${user.email} has no active API tokens. Create one with: portier token create --email ${user.email} --name "my script"`);
      return 0;
    }
    console.log(formatTable(
      ['ID', 'NAME', 'STARTS WITH', 'SCOPES', 'USER', 'CREATED', 'LAST USED', 'EXPIRES'],
      tokens.map((t) => [t.id, t.name, `${t.prefix}…`, (JSON.parse(t.scopes) as string[]).join(','), t.user_email, formatTime(t.created_at), formatTime(t.last_used_at), t.expires_at ? formatTime(t.expires_at) : 'never']),
    ));
    return 0;
  }, { migrate: true });
}

async function revoke(argv: string[]): Promise<number> {
  const { positionals } = parseOptions('token revoke', argv, {}, true);
  if (positionals.length !== 1) throw new UsageError('token revoke: give exactly one token id (see "portier token list"). See "portier token --help".');
  const id = positionals[0]!;
  const config = loadConfig();
  return withStorage(config, async ({ db }) => {
    const token = await findApiToken(db, id);
    if (!token) throw new AppError('not_found', `No API token has the id ${id}. List them with "portier token list --email …".`);
    if (token.revoked_at !== null) {
      console.log(`The token "${token.name}" (${id}) was already revoked on ${formatTime(token.revoked_at)}; nothing to do.`);
      return 0;
    }
    await revokeApiToken(db, token.workspace_id, id, Date.now());
    await recordEvent(db, { workspaceId: token.workspace_id, actorUserId: null, type: 'api_token.revoked', subjectType: 'api_token', subjectId: id, data: { via: 'cli' } });
    console.log(`Revoked the API token "${token.name}" (${id}). Requests using it are refused from now on.`);
    return 0;
  }, { migrate: true });
}

const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<number>> = { create, list, revoke };

export const tokenCommand: Command = {
  summary: 'create, list or revoke personal API tokens',
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    const run = sub ? SUBCOMMANDS[sub] : undefined;
    if (!run) throw new UsageError(`token: ${sub ? `unknown subcommand "${sub}"` : 'missing subcommand'}; use create, list or revoke. See "portier token --help".`);
    return run(rest);
  },
};
