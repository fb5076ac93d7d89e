// `portier restore DIR`: puts a backup made by `portier backup` back in place, keeping what it
// replaces beside it so that a restore can itself be undone by hand.
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config.ts';
import { CommandFailed, parseOptions, UsageError, type Command } from './args.ts';
import { ATTACHMENTS_DIR, DATABASE_FILE, maskDatabaseUrl, readManifest, SECRET_KEY_FILE, timestamp, verifyBackup } from './backup-manifest.ts';

const HELP = `Usage: portier restore DIR [--force]

Restores a backup folder made by "portier backup": checks every file against the checksums in its
manifest.json, then replaces the database, the attachments folder and the secret key in
PORTIER_DATA_DIR. What is replaced is kept beside it with the suffix .before-restore-<time>.

Stop Portier first. Restore refuses while another process has the SQLite database open: every
running Portier process holds a lock on it for as long as it runs, so this check is reliable
whatever the port, host or proxy (unlike asking the server over HTTP).

On PostgreSQL, the database is restored with pg_restore (the command is printed); attachments and
the secret key are restored by this command.

Options:
  --force   restore even though the database is in use. The running process keeps writing to the
            replaced copy until it is restarted: restart it at once.`;

/**
 * True when another process has the SQLite database open. A connection in WAL mode holds a shared
 * lock on the database file for its whole life, even when idle, so asking for an exclusive lock
 * without waiting fails exactly while any Portier process (server or command) is using it.
 * Closing our connection as the last one also folds the -wal file into the database file.
 */
async function sqliteInUse(path: string): Promise<boolean> {
  const { default: SQLite } = await import('better-sqlite3');
  const db = new SQLite(path, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    return false;
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return true;
    throw err;
  } finally {
    db.close();
  }
}

/** Moves `path` (and, for the database, its -wal and -shm companions) aside; returns the new name. */
function keepAside(path: string, suffix: string): string | null {
  if (!existsSync(path)) return null;
  const aside = `${path}.before-restore-${suffix}`;
  renameSync(path, aside);
  for (const companion of ['-wal', '-shm']) if (existsSync(path + companion)) renameSync(path + companion, aside + companion);
  return aside;
}

export const restoreCommand: Command = {
  summary: 'restore a backup folder made by "portier backup"',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseOptions('restore', argv, { force: { type: 'boolean' } }, true);
    if (positionals.length !== 1) throw new UsageError('restore: give exactly one backup folder. See "portier restore --help".');
    const dir = resolve(positionals[0]!);
    const manifest = readManifest(dir);
    const problems = await verifyBackup(dir, manifest);
    if (problems.length) throw new CommandFailed(`The backup in ${dir} is damaged; nothing was changed:\n${problems.map((p) => `  - ${p}`).join('\n')}\nUse another backup.`);
    console.log(`Backup from ${manifest.created} (Portier ${manifest.portierVersion}): ${manifest.files.length} file(s), checksums verified.`);

    const { migrations } = await import('../storage/migrations/index.ts');
    const unknown = manifest.database.migrations.filter((m) => !(m in migrations));
    if (unknown.length) throw new CommandFailed(`This backup was made by a newer Portier (its database has migrations this version does not know: ${unknown.join(', ')}). Upgrade Portier, then restore.`);

    const config = loadConfig();
    const dialect = config.databaseUrl ? 'postgres' : 'sqlite';
    if (manifest.database.dialect !== dialect) {
      throw new CommandFailed(`This backup holds a ${manifest.database.dialect} database, but this installation uses ${dialect}${dialect === 'postgres' ? ' (DATABASE_URL is set)' : ''}. Restore it on an installation of the same kind.`);
    }
    const suffix = timestamp();
    const done: string[] = [];
    const dbPath = join(config.dataDir, DATABASE_FILE);

    if (dialect === 'sqlite') {
      if (existsSync(dbPath) && (await sqliteInUse(dbPath))) {
        if (!values.force) throw new CommandFailed(`The database ${dbPath} is in use by another process: Portier seems to be running. Stop it (e.g. "systemctl stop portier" or Ctrl-C), then run this again; or add --force and restart Portier right after.`);
        console.log('The database is in use; restoring anyway (--force). Restart Portier now.');
      }
      mkdirSync(config.dataDir, { recursive: true });
      const aside = keepAside(dbPath, suffix);
      if (aside) done.push(`kept the previous database as ${aside}`);
      // Copied under a temporary name, then renamed: the database file is never half-written.
      const incoming = `${dbPath}.restoring`;
      copyFileSync(join(dir, DATABASE_FILE), incoming);
      renameSync(incoming, dbPath);
      done.push(`restored the database (${Object.entries(manifest.rows).map(([t, n]) => `${n} ${t}`).join(', ')})`);
    }

    const attachments = join(config.dataDir, ATTACHMENTS_DIR);
    const attachmentsAside = keepAside(attachments, suffix);
    if (attachmentsAside) done.push(`kept the previous attachments as ${attachmentsAside}`);
    const attachmentCount = manifest.files.filter((f) => f.path.startsWith(`${ATTACHMENTS_DIR}/`)).length;
    if (existsSync(join(dir, ATTACHMENTS_DIR))) {
      cpSync(join(dir, ATTACHMENTS_DIR), attachments, { recursive: true });
      done.push(`restored ${attachmentCount} attachment file(s)`);
    }

    if (manifest.files.some((f) => f.path === SECRET_KEY_FILE)) {
      const keyFile = join(config.dataDir, SECRET_KEY_FILE);
      const backupKey = readFileSync(join(dir, SECRET_KEY_FILE), 'utf8');
      const currentKey = existsSync(keyFile) ? readFileSync(keyFile, 'utf8') : null;
      if (currentKey !== backupKey) {
        // A key generated by this very command (fresh data folder) is worthless: no need to keep it.
        const aside = config.secretKeyGenerated ? null : keepAside(keyFile, suffix);
        if (aside) done.push(`kept the previous secret key as ${aside}`);
        writeFileSync(keyFile, backupKey, { mode: 0o600 });
        chmodSync(keyFile, 0o600);
        done.push('restored the secret key');
      }
      if (backupKey.trim() !== config.secretKey && !config.secretKeyGenerated) {
        done.push('NOTE: PORTIER_SECRET_KEY is set and differs from the key in the backup; stored channel passwords can only be read with the key in use when the backup was made');
      }
    }

    console.log(done.length ? done.map((d) => `  - ${d}`).join('\n') : '  - the attachments and the secret key were already those of the backup; nothing changed');
    if (dialect === 'postgres') {
      const dump = join(dir, 'portier.pgdump');
      console.log(`
The database is PostgreSQL (${maskDatabaseUrl(config.databaseUrl!)}): restore it with pg_restore,
with Portier stopped and DATABASE_URL set in the shell:

  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" "${dump}"${existsSync(dump) ? '' : `\n\n(${dump} does not exist: use the file you saved with pg_dump when this backup was made.)`}`);
    }
    console.log(`\nRestore complete. Start Portier again with "portier start"; it applies any newer migrations.${done.some((d) => d.startsWith('kept')) ? ` Delete the .before-restore-${suffix} copies once you have checked the restored data.` : ''}`);
    return 0;
  },
};
