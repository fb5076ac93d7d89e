// `portier entrance`: entrances are data, so an installation can be set up by script.
import { loadConfig } from '../config.ts';
import { AppError } from '../core/errors.ts';
import { ENTRANCE_KINDS } from '../http/schemas.ts';
import type { EntranceKind } from '../storage/schema.ts';
import type { Db } from '../storage/database.ts';
import { parseOptions, UsageError, type Command } from './args.ts';
import { formatTable } from './format.ts';
import { withStorage } from './with-storage.ts';

/** Settings read as numbers, booleans or comma-separated lists (by their last key); the rest stay text. */
const NUMBER_KEYS = new Set(['port', 'initialWindowDays']);
const BOOLEAN_KEYS = new Set(['appendToSent']);
const LIST_KEYS = new Set(['folders', 'ownAddresses']);

/** `--set imap.host=… --set imap.port=993 --set folders=INBOX,Kunden` as nested settings. */
export function settingsFromPairs(pairs: string[]): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UsageError(`entrance add: --set takes key=value (got "${pair}").`);
    const path = pair.slice(0, eq).split('.');
    const raw = pair.slice(eq + 1);
    if (path.some((k) => !/^[A-Za-z][A-Za-z0-9_]*$/.test(k))) throw new UsageError(`entrance add: "${pair.slice(0, eq)}" is not a setting name (letters and digits, dots between levels).`);
    const last = path[path.length - 1]!;
    let value: unknown = raw;
    if (NUMBER_KEYS.has(last)) {
      value = Number(raw);
      if (!/^\d+$/.test(raw.trim())) throw new UsageError(`entrance add: ${path.join('.')} must be a whole number (got "${raw}").`);
    } else if (BOOLEAN_KEYS.has(last)) {
      if (!/^(true|false|yes|no|1|0)$/i.test(raw.trim())) throw new UsageError(`entrance add: ${path.join('.')} must be true or false (got "${raw}").`);
      value = /^(true|yes|1)$/i.test(raw.trim());
    } else if (LIST_KEYS.has(last)) {
      value = raw.split(',').map((x) => x.trim()).filter(Boolean);
    }
    let node = settings;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (next !== undefined && (typeof next !== 'object' || next === null || Array.isArray(next))) throw new UsageError(`entrance add: ${path.join('.')} conflicts with --set ${key}=…`);
      node = (node[key] ??= {}) as Record<string, unknown>;
    }
    if (typeof node[last] === 'object' && node[last] !== null && !Array.isArray(node[last])) throw new UsageError(`entrance add: --set ${path.join('.')}=… conflicts with the settings under ${path.join('.')}.`);
    node[last] = value;
  }
  return settings;
}

const HELP = `Usage:
  portier entrance list [--workspace HANDLE]
  portier entrance add KIND --label LABEL [--url URL] [--show] [--target-hours N] [--set key=value …] [--workspace HANDLE]
  portier entrance remove ID [--workspace HANDLE]

An entrance is a door of your shop: a channel people reach you through.
KIND is one of: ${ENTRANCE_KINDS.join(', ')}.

  add      prints the new entrance's id; for a webhook entrance also the URL to deliver to and the
           signing secret to paste into the sending system (shown only now)
           --label         its name, e.g. "LinkedIn" or "Website form tool"
           --url           its public profile URL
           --show          show it on the storefront
           --target-hours  answer within this many hours (default 24)
           --set key=value connector settings, e.g. --set replyUrl=https://… for a webhook;
                           dots make nested settings, commas lists, for an e-mail entrance:
                           --set ownAddresses=claire@atelier-dubois.ch --set imap.host=imap.example.ch
                           --set imap.port=993 --set imap.secure=implicit --set imap.user=claire
                           --set imap.password=… --set folders=INBOX --set sentFolder=Sent
  remove   removes an entrance that has no conversations
  --workspace  the workspace's handle; needed only when the installation hosts several`;

async function resolveWorkspace(db: Db, handle: string | undefined): Promise<{ id: string; handle: string }> {
  const all = await db.selectFrom('workspace').select(['id', 'handle']).orderBy('created_at').execute();
  if (handle) {
    const w = all.find((x) => x.handle === handle);
    if (!w) throw new AppError('not_found', `No workspace has the handle "${handle}". Workspaces here: ${all.map((x) => x.handle).join(', ') || 'none'}.`);
    return w;
  }
  if (all.length === 1) return all[0]!;
  if (all.length === 0) throw new AppError('not_found', 'There is no workspace yet. Create one with "portier setup" first.');
  throw new UsageError(`This installation hosts ${all.length} workspaces: say which with --workspace (${all.map((x) => x.handle).join(', ')}).`);
}

async function list(argv: string[]): Promise<number> {
  const { values } = parseOptions('entrance list', argv, { workspace: { type: 'string' } });
  return withStorage(loadConfig(), async ({ db }) => {
    const w = await resolveWorkspace(db, values.workspace);
    const rows = await db.selectFrom('entrance').select(['id', 'kind', 'label', 'health', 'response_target_minutes', 'show_on_storefront']).where('workspace_id', '=', w.id).where('archived_at', 'is', null).orderBy('created_at').execute();
    if (!rows.length) {
      console.log(`@${w.handle} has no entrances yet. Add one with: portier entrance add webform --label "Contact form"`);
      return 0;
    }
    console.log(formatTable(['ID', 'KIND', 'LABEL', 'HEALTH', 'ANSWER WITHIN', 'STOREFRONT'], rows.map((r) => [r.id, r.kind, r.label, r.health, `${Math.round(r.response_target_minutes / 60)} h`, r.show_on_storefront ? 'shown' : '—'])));
    return 0;
  }, { migrate: true });
}

async function add(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions('entrance add', argv, {
    label: { type: 'string' },
    url: { type: 'string' },
    show: { type: 'boolean' },
    'target-hours': { type: 'string' },
    set: { type: 'string', multiple: true },
    workspace: { type: 'string' },
  }, true);
  const kind = positionals[0];
  if (positionals.length !== 1 || !kind) throw new UsageError('entrance add: give exactly one KIND. See "portier entrance --help".');
  if (!ENTRANCE_KINDS.includes(kind as EntranceKind)) throw new UsageError(`entrance add: "${kind}" is not a kind; use one of ${ENTRANCE_KINDS.join(', ')}.`);
  const label = values.label?.trim();
  if (!label || label.length > 80) throw new UsageError('entrance add: --label is required (at most 80 characters).');
  if (values.url && !/^https?:\/\/\S+$/.test(values.url)) throw new UsageError('entrance add: --url must start with http:// or https://.');
  const hours = values['target-hours'] === undefined ? 24 : Number(values['target-hours']);
  if (!Number.isFinite(hours) || hours < 0.1 || hours > 720) throw new UsageError('entrance add: --target-hours must be a number of hours from 0.1 to 720.');
  const settings = settingsFromPairs(values.set ?? []);
  const config = loadConfig();
  return withStorage(config, async (storage) => {
    const w = await resolveWorkspace(storage.db, values.workspace);
    const [{ createEntrance }, { createSecretBox }, { adapterFor }] = await Promise.all([
      import('../entrances/create-entrance.ts'),
      import('../security/secret-box.ts'),
      import('../channels/registry.ts'),
    ]);
    if (Object.keys(settings).length && !adapterFor(kind)) throw new UsageError(`entrance add: a ${kind} entrance has no connector settings; drop --set.`);
    let created;
    try {
      created = await createEntrance({ storage, secrets: createSecretBox(config.secretKey), config }, w.id, null, {
        kind: kind as EntranceKind,
        label,
        publicUrl: values.url ?? null,
        showOnStorefront: Boolean(values.show),
        responseTargetMinutes: Math.round(hours * 60),
        config: settings,
      });
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'validation_failed') throw err;
      const problems = (err.extra.errors ?? []).map((e) => `${e.field.replace(/^body\.config\.?/, '') || 'settings'} ${e.message}`);
      throw new UsageError(`entrance add: the settings are not valid for ${kind}: ${problems.join('; ') || err.message}. Nothing was added.`);
    }
    const { entrance, connection } = created;
    console.log(`Added ${kind} entrance "${entrance.label}" to @${w.handle}.\n  id: ${entrance.id}`);
    if (connection) {
      console.log(`  deliver to:      ${connection.webhookUrl}\n  signing secret:  ${connection.signingSecret}\n\nPaste both into the sending system now: the secret is not shown again. Deliveries are signed per Standard Webhooks (see the README).`);
    }
    return 0;
  }, { migrate: true });
}

async function remove(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions('entrance remove', argv, { workspace: { type: 'string' } }, true);
  if (positionals.length !== 1) throw new UsageError('entrance remove: give exactly one entrance id (see "portier entrance list").');
  const id = positionals[0]!;
  return withStorage(loadConfig(), async ({ db }) => {
    const w = await resolveWorkspace(db, values.workspace);
    const entrance = await db.selectFrom('entrance').select(['id', 'label']).where('workspace_id', '=', w.id).where('id', '=', id).executeTakeFirst();
    if (!entrance) throw new AppError('not_found', `@${w.handle} has no entrance with id ${id}. See "portier entrance list".`);
    const n = Number((await db.selectFrom('conversation').select((eb) => eb.fn.countAll().as('n')).where('entrance_id', '=', id).executeTakeFirstOrThrow()).n);
    if (n > 0) throw new AppError('conflict', `"${entrance.label}" has ${n} conversation(s), which would lose their entrance; it stays. Hide it from the storefront in the web app instead.`);
    await db.deleteFrom('entrance').where('id', '=', id).execute();
    console.log(`Removed entrance "${entrance.label}" from @${w.handle}.`);
    return 0;
  }, { migrate: true });
}

export const entranceCommand: Command = {
  summary: 'list, add or remove entrances (webhook URL and secret printed on add)',
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'list') return list(rest);
    if (sub === 'add') return add(rest);
    if (sub === 'remove') return remove(rest);
    throw new UsageError(`entrance: expected list, add or remove${sub ? ` (got "${sub}")` : ''}. See "portier entrance --help".`);
  },
};
