import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDataDir, type DataDir } from './run-cli.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

function count(dir: string, table: string): number {
  const db = new SQLite(join(dir, 'portier.db'), { readonly: true });
  try {
    return (db.prepare(`select count(*) as n from "${table}"`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Another process holding the database open the way a running Portier does (WAL, idle). */
function holdDatabase(path: string): Promise<ChildProcess> {
  const script = `const db = new (require('better-sqlite3'))(${JSON.stringify(path)}); db.pragma('journal_mode = WAL'); db.prepare('select count(*) from workspace').get(); console.log('open'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script], { cwd: REPO });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
}

describe('portier backup and restore (SQLite)', () => {
  let d: DataDir;
  // No PORTIER_SECRET_KEY: the installation generates its key file, which the backup must carry.
  beforeAll(async () => {
    d = tempDataDir({ secretKey: false });
    const demo = await d.run(['demo']);
    expect(demo.code, demo.output).toBe(0);
    mkdirSync(join(d.dir, 'attachments', '3f'), { recursive: true });
    writeFileSync(join(d.dir, 'attachments', '3f', '3fa9c2'), 'programme-formation.pdf contents');
  });
  afterAll(() => d.dispose());

  it('a backup, then changes, then a restore brings back the data as it was, keeping the replaced copies', async () => {
    const backup = await d.run(['backup']);
    expect(backup.code, backup.output).toBe(0);
    const folder = /Backing up to (\S+)/.exec(backup.stdout)![1]!;
    expect(backup.stdout).toContain('Backup complete');
    const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'portier-backup', database: { dialect: 'sqlite', file: 'portier.db' }, rows: { workspace: 1, conversation: 9 } });
    expect(manifest.files.map((f: { path: string }) => f.path).sort()).toEqual(['attachments/3f/3fa9c2', 'portier.db', 'secret.key']);
    const keyBefore = readFileSync(join(d.dir, 'secret.key'), 'utf8');

    // Changes after the backup: a second workspace, a lost attachment, another key.
    const pw = join(d.dir, '..', 'pw');
    writeFileSync(pw, 'another long password');
    expect((await d.run(['setup', '--email', 'late@example.com', '--password-file', pw, '--handle', 'late-comer', '--name', 'Late'])).code).toBe(0);
    expect(count(d.dir, 'workspace')).toBe(2);
    writeFileSync(join(d.dir, 'attachments', '3f', '3fa9c2'), 'overwritten');
    writeFileSync(join(d.dir, 'secret.key'), 'x'.repeat(64) + '\n');

    const restore = await d.run(['restore', folder]);
    expect(restore.code, restore.output).toBe(0);
    expect(restore.stdout).toContain('checksums verified');
    expect(restore.stdout).toContain('Restore complete');
    expect(count(d.dir, 'workspace')).toBe(1);
    expect(count(d.dir, 'conversation')).toBe(9);
    expect(readFileSync(join(d.dir, 'attachments', '3f', '3fa9c2'), 'utf8')).toBe('programme-formation.pdf contents');
    expect(readFileSync(join(d.dir, 'secret.key'), 'utf8')).toBe(keyBefore);
    const kept = readdirSync(d.dir).filter((f) => f.includes('.before-restore-'));
    expect(kept.some((f) => f.startsWith('portier.db.before-restore-'))).toBe(true);
    expect(kept.some((f) => f.startsWith('attachments.before-restore-'))).toBe(true);
    expect(kept.some((f) => f.startsWith('secret.key.before-restore-'))).toBe(true);
    // The replaced database is complete (its WAL folded in): it still has the late workspace.
    const old = new SQLite(join(d.dir, kept.find((f) => /^portier\.db\.before-restore-[\d-]+$/.test(f))!), { readonly: true });
    expect((old.prepare('select count(*) as n from workspace').get() as { n: number }).n).toBe(2);
    old.close();
  });

  it('restore refuses a damaged backup and changes nothing', async () => {
    const backup = await d.run(['backup', '--out', join(d.dir, '..', 'elsewhere')]);
    const folder = /Backing up to (\S+)/.exec(backup.stdout)![1]!;
    expect(folder.startsWith(join(d.dir, '..', 'elsewhere'))).toBe(true);
    writeFileSync(join(folder, 'attachments', '3f', '3fa9c2'), 'tampered');
    const restore = await d.run(['restore', folder]);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toContain('is damaged; nothing was changed');
    expect(restore.stderr).toContain('attachments/3f/3fa9c2: checksum differs');
    const notABackup = await d.run(['restore', d.dir]);
    expect(notABackup.code).toBe(1);
    expect(notABackup.stderr).toContain('not a Portier backup folder');
  });

  it('restore refuses while another process has the database open, unless --force', async () => {
    const backup = await d.run(['backup']);
    const folder = /Backing up to (\S+)/.exec(backup.stdout)![1]!;
    const holder = await holdDatabase(join(d.dir, 'portier.db'));
    try {
      const refused = await d.run(['restore', folder]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('is in use by another process: Portier seems to be running');
      const forced = await d.run(['restore', folder, '--force']);
      expect(forced.code, forced.output).toBe(0);
      expect(forced.stdout).toContain('restoring anyway (--force)');
    } finally {
      holder.kill();
    }
    expect(existsSync(join(d.dir, 'portier.db'))).toBe(true);
    expect(count(d.dir, 'conversation')).toBe(9);
  });
});
