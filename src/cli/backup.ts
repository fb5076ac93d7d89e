// `portier backup`: a consistent copy of everything an installation needs to come back — the
// database, the attachment files and the secret key — taken while the server keeps running.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type Config } from '../config.ts';
import { CommandFailed, parseOptions, type Command } from './args.ts';
import {
  ATTACHMENTS_DIR, COUNTED_TABLES, DATABASE_FILE, listFiles, MANIFEST_FILE, MANIFEST_FORMAT, MANIFEST_FORMAT_VERSION, maskDatabaseUrl,
  portierVersion, SECRET_KEY_FILE, sha256File, timestamp, type Manifest, type ManifestFile,
} from './backup-manifest.ts';
import { formatBytes } from './format.ts';
import { withStorage } from './with-storage.ts';

const HELP = `Usage: portier backup [--out DIR]

Copies the database, the attachment files and the secret key into a new folder
portier-YYYYMMDD-HHMMSS, with a manifest.json holding each file's SHA-256 and the number of rows
of the main tables. The server may keep running: the database copy is a consistent snapshot.

On PostgreSQL (DATABASE_URL set), the database itself is saved with pg_dump: the command prints
the exact line to run; attachments and the secret key are still copied.

The folder contains personal data and the secret key: keep it as safe as the server itself,
and keep a copy on another machine. Restore it with "portier restore <folder>".

Options:
  --out DIR   the folder in which to create the backup folder (default PORTIER_DATA_DIR/backups)`;

/** Prints "label: 42%" on a terminal, rewriting one line; prints nothing when piped to a log. */
function progressPrinter(label: string) {
  const tty = process.stdout.isTTY;
  let last = -1;
  return {
    update(fraction: number) {
      const percent = Math.floor(fraction * 100);
      if (!tty || percent === last) return;
      last = percent;
      process.stdout.write(`\r  ${label}: ${percent}%`);
    },
    done(summary: string) {
      process.stdout.write(`${tty && last >= 0 ? '\r\x1b[K' : ''}  ${summary}\n`);
    },
  };
}

async function backupSqlite(sourcePath: string, target: string): Promise<{ rows: Record<string, number>; migrations: string[] }> {
  const { default: SQLite } = await import('better-sqlite3');
  if (!existsSync(sourcePath)) throw new CommandFailed(`There is no database at ${sourcePath} yet: nothing to back up. Check PORTIER_DATA_DIR.`);
  const source = new SQLite(sourcePath, { fileMustExist: true, timeout: 5000 });
  const progress = progressPrinter('database');
  try {
    // SQLite's online backup copies pages in steps while other connections keep reading and
    // writing; a step that sees another process's write starts over, so the result is always one
    // consistent moment. Steps of about 1% keep the progress line moving without slowing the copy.
    await source.backup(target, {
      progress({ totalPages, remainingPages }) {
        progress.update(totalPages ? (totalPages - remainingPages) / totalPages : 1);
        return Math.max(100, Math.ceil(totalPages / 100));
      },
    });
  } finally {
    source.close();
  }
  // The copy inherits WAL mode; turned back to a rollback journal it is one self-contained file,
  // which is what a backup should be. Counts and the check read the copy, i.e. the snapshot.
  const copy = new SQLite(target);
  try {
    copy.pragma('journal_mode = DELETE');
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new CommandFailed(`The database copy fails SQLite's quick_check (${String(check)}). Run "portier doctor" on the installation.`);
    const tables = new Set((copy.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>).map((r) => r.name));
    const rows: Record<string, number> = {};
    for (const t of COUNTED_TABLES) if (tables.has(t)) rows[t] = (copy.prepare(`select count(*) as n from "${t}"`).get() as { n: number }).n;
    const migrations = tables.has('portier_migration') ? (copy.prepare('select name from portier_migration order by name').all() as Array<{ name: string }>).map((r) => r.name) : [];
    progress.done(`database: ${formatBytes(statSync(target).size)}, ${rows.message ?? 0} messages in ${rows.conversation ?? 0} conversations`);
    return { rows, migrations };
  } finally {
    copy.close();
  }
}

async function countPostgres(config: Config): Promise<{ rows: Record<string, number>; migrations: string[] }> {
  const { sql } = await import('kysely');
  return withStorage(config, async ({ db }) => {
    const rows: Record<string, number> = {};
    for (const t of COUNTED_TABLES) {
      const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(t)}`.execute(db);
      rows[t] = Number(r.rows[0]?.n ?? 0);
    }
    const m = await sql<{ name: string }>`select name from portier_migration order by name`.execute(db);
    return { rows, migrations: m.rows.map((r) => r.name) };
  });
}

async function copyAttachments(from: string, to: string): Promise<number> {
  if (!existsSync(from)) return 0;
  const files = await listFiles(from, from);
  const progress = progressPrinter('attachments');
  let bytes = 0;
  for (const [i, rel] of files.entries()) {
    const dest = join(to, ...rel.split('/'));
    mkdirSync(join(dest, '..'), { recursive: true });
    copyFileSync(join(from, ...rel.split('/')), dest);
    bytes += statSync(dest).size;
    progress.update((i + 1) / files.length);
  }
  progress.done(`attachments: ${files.length} file(s), ${formatBytes(bytes)}`);
  return files.length;
}

export const backupCommand: Command = {
  summary: 'copy the database, attachments and secret key into a backup folder',
  help: HELP,
  async run(argv) {
    const { values } = parseOptions('backup', argv, { out: { type: 'string' } });
    const config = loadConfig();
    const parent = values.out ?? join(config.dataDir, 'backups');
    const name = `portier-${timestamp()}`;
    // Written under a temporary name and renamed at the end: a folder named portier-… is complete.
    const work = join(parent, `.${name}.incomplete`);
    const final = join(parent, name);
    if (existsSync(final)) throw new CommandFailed(`${final} exists already; wait a second and run the backup again.`);
    mkdirSync(parent, { recursive: true });
    // The folder holds personal data and the secret key: only the owner of the process may read it.
    mkdirSync(work, { mode: 0o700 });
    console.log(`Backing up to ${final}`);
    try {
      return await writeBackup(config, work, final);
    } catch (err) {
      rmSync(work, { recursive: true, force: true });
      throw err;
    }
  },
};

async function writeBackup(config: Config, work: string, final: string): Promise<number> {
  const dialect = config.databaseUrl ? 'postgres' : 'sqlite';
  let database: Manifest['database'];
  let counted: { rows: Record<string, number>; migrations: string[] };
  let pgDumpCommand: string | null = null;
  if (dialect === 'sqlite') {
    // The database first, then the files: every attachment the snapshot refers to was written
    // before its row, so it is in the copy; a file added meanwhile is merely extra.
    counted = await backupSqlite(join(config.dataDir, DATABASE_FILE), join(work, DATABASE_FILE));
    database = { dialect, file: DATABASE_FILE, migrations: counted.migrations };
  } else {
    counted = await countPostgres(config);
    pgDumpCommand = `pg_dump --format=custom --file="${join(final, 'portier.pgdump')}" "$DATABASE_URL"`;
    database = { dialect, file: null, migrations: counted.migrations, note: `Saved separately with: ${pgDumpCommand}` };
  }
  await copyAttachments(join(config.dataDir, ATTACHMENTS_DIR), join(work, ATTACHMENTS_DIR));

  const keyFile = join(config.dataDir, SECRET_KEY_FILE);
  // When PORTIER_SECRET_KEY is set, a secret.key file lying around is not the key in use.
  const keyFromFile = existsSync(keyFile) && readFileSync(keyFile, 'utf8').trim() === config.secretKey;
  if (keyFromFile) {
    copyFileSync(keyFile, join(work, SECRET_KEY_FILE));
    chmodSync(join(work, SECRET_KEY_FILE), 0o600);
  }

  const files: ManifestFile[] = [];
  for (const rel of await listFiles(work, work)) {
    const path = join(work, ...rel.split('/'));
    files.push({ path: rel, size: statSync(path).size, sha256: await sha256File(path) });
  }
  const manifest: Manifest = { format: MANIFEST_FORMAT, formatVersion: MANIFEST_FORMAT_VERSION, portierVersion: portierVersion(), created: new Date().toISOString(), database, rows: counted.rows, files };
  writeFileSync(join(work, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  renameSync(work, final);

  const rows = Object.entries(counted.rows).map(([t, n]) => `${n} ${t}`).join(', ');
  console.log(`${pgDumpCommand ? 'Attachments and secret key saved' : 'Backup complete'}: ${files.length} file(s) with checksums in ${join(final, MANIFEST_FILE)}\n  rows: ${rows || 'none (the database is empty)'}`);
  if (!keyFromFile) console.log(`  The secret key comes from PORTIER_SECRET_KEY, so it is not in the backup: keep a copy of it with the backup, or stored channel passwords cannot be read after a restore.`);
  if (pgDumpCommand) {
    console.log(`
The database is PostgreSQL (${maskDatabaseUrl(config.databaseUrl!)}) and is NOT in this folder yet.
Save it with pg_dump, which takes a consistent snapshot while Portier runs. With DATABASE_URL set
in the shell, run:

  ${pgDumpCommand}

Restore it later with: pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" "${join(final, 'portier.pgdump')}"`);
  }
  console.log(`Keep this folder safe (it holds personal data${keyFromFile ? ' and the secret key' : ''}) and copy it to another machine. Restore with: portier restore ${final}`);
  return 0;
}
