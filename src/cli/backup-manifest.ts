// What a backup folder holds and how to check it, shared by `portier backup` and `portier restore`.
//
//   portier-20261126-143005/
//     manifest.json     this description: version, time, checksums, row counts
//     portier.db        the SQLite database (absent on PostgreSQL: pg_dump makes that part)
//     attachments/…     the attachment files, as in PORTIER_DATA_DIR/attachments
//     secret.key        the generated secret key, when the installation uses one
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { CommandFailed } from './args.ts';
import { projectPath } from '../paths.ts';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'portier-backup';
export const MANIFEST_FORMAT_VERSION = 1;
export const DATABASE_FILE = 'portier.db';
export const ATTACHMENTS_DIR = 'attachments';
export const SECRET_KEY_FILE = 'secret.key';
/** The tables whose row counts tell an administrator at a glance what a backup contains. */
export const COUNTED_TABLES = ['workspace', 'user', 'entrance', 'contact', 'conversation', 'message', 'attachment', 'event'] as const;

export interface ManifestFile {
  /** Relative to the backup folder, with "/" separators on every system. */
  path: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: number;
  portierVersion: string;
  created: string;
  database: { dialect: 'sqlite' | 'postgres'; file: string | null; migrations: string[]; note?: string };
  rows: Record<string, number>;
  files: ManifestFile[];
}

export function portierVersion(): string {
  const pkg = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Every regular file under `dir`, as paths relative to `base`. */
export async function listFiles(dir: string, base: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path, base)));
    else if (entry.isFile()) out.push(relative(base, path).split(sep).join('/'));
  }
  return out.sort();
}

export function readManifest(dir: string): Manifest {
  let raw: string;
  try {
    raw = readFileSync(join(dir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    throw new CommandFailed(`${dir} holds no ${MANIFEST_FILE} (${(err as NodeJS.ErrnoException).code ?? err}): it is not a Portier backup folder, or the backup did not finish.`);
  }
  const m = JSON.parse(raw) as Manifest;
  if (m.format !== MANIFEST_FORMAT || !Array.isArray(m.files)) throw new CommandFailed(`${join(dir, MANIFEST_FILE)} is not a Portier backup manifest.`);
  if (m.formatVersion > MANIFEST_FORMAT_VERSION) throw new CommandFailed(`This backup was made by a newer Portier (${m.portierVersion}, backup format ${m.formatVersion}); upgrade Portier to restore it.`);
  return m;
}

/** Checks every file against the manifest; returns the problems, an empty list when all is well. */
export async function verifyBackup(dir: string, manifest: Manifest): Promise<string[]> {
  const problems: string[] = [];
  for (const f of manifest.files) {
    if (f.path.split('/').includes('..')) {
      problems.push(`${f.path}: a path outside the backup folder`);
      continue;
    }
    try {
      const actual = await sha256File(join(dir, ...f.path.split('/')));
      if (actual !== f.sha256) problems.push(`${f.path}: checksum differs (the file changed or is damaged)`);
    } catch (err) {
      problems.push(`${f.path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (err as Error).message}`);
    }
  }
  return problems;
}

/** 20261126-143005, in local time: the name an administrator recognises in a folder listing. */
export function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** postgres://user:secret@host/db → postgres://user:***@host/db, for printing. */
export function maskDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
