// `portier doctor`: checks an installation and says, for each problem, how to fix it. Read-only
// apart from a probe file in the data folder: it creates no database and no secret key.
import { accessSync, constants, existsSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError, loadConfig, loadProcessEnv, type Config } from '../config.ts';
import type { Storage } from '../storage/database.ts';
import { parseOptions, type Command } from './args.ts';
import { DATABASE_FILE, SECRET_KEY_FILE } from './backup-manifest.ts';
import { formatBytes } from './format.ts';
import { projectPath } from '../paths.ts';

const HELP = `Usage: portier doctor

Checks the installation and prints a checklist: configuration, data folder, free disk space,
database connection, migrations, SQLite journal mode and integrity, clock, Node.js version, web
app build and secret key. Each problem comes with what to do about it.
Exits 1 when a check fails (✗); warnings (!) alone exit 0.`;

const MIN_FREE_BYTES = 1024 ** 3;
const MAX_CLOCK_SKEW_MS = 5000;
const MIN_NODE = [20, 19] as const;
const WEB_INDEX = projectPath('web/dist/index.html');

type Outcome = 'ok' | 'warn' | 'fail' | 'skip';
interface Check {
  outcome: Outcome;
  label: string;
  detail?: string;
  fix?: string;
}

const SYMBOL: Record<Outcome, string> = { ok: '✓', warn: '!', fail: '✗', skip: '–' };

function printCheck(c: Check): void {
  console.log(`${SYMBOL[c.outcome]} ${c.label}${c.detail ? ` — ${c.detail}` : ''}`);
  if (c.fix && c.outcome !== 'ok') console.log(`    fix: ${c.fix.replace(/\n/g, '\n         ')}`);
}

function checkNode(): Check {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return ok
    ? { outcome: 'ok', label: `Node.js ${process.versions.node}` }
    : { outcome: 'fail', label: `Node.js ${process.versions.node} is too old`, fix: `install Node.js ${MIN_NODE.join('.')} or newer (22 or 24 recommended).` };
}

function checkWebBuild(): Check {
  // A warning, not a failure: the API runs without it, and "portier start" builds it when missing.
  return existsSync(WEB_INDEX)
    ? { outcome: 'ok', label: 'web app built' }
    : { outcome: 'warn', label: 'web app not built', detail: `${WEB_INDEX} is missing`, fix: 'run "npm run build:web" (or just "portier start", which builds it).' };
}

function checkDataDir(dir: string): Check[] {
  if (!existsSync(dir)) {
    // Missing is fine if Portier can create it: look at the nearest folder that exists.
    let ancestor = dirname(dir);
    while (!existsSync(ancestor) && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
    let creatable = statSync(ancestor).isDirectory();
    try {
      if (creatable) accessSync(ancestor, constants.W_OK);
    } catch {
      creatable = false;
    }
    return creatable
      ? [{ outcome: 'fail', label: `data folder ${dir} does not exist yet`, fix: 'run "portier migrate" to create it with an empty database, or set PORTIER_DATA_DIR to the existing folder.' }]
      : [{ outcome: 'fail', label: `data folder ${dir} is not writable`, detail: `it cannot be created: ${ancestor} is ${statSync(ancestor).isDirectory() ? 'a folder Portier may not write to' : 'a file, not a folder'}`, fix: 'set PORTIER_DATA_DIR to a folder the user running Portier may write to.' }];
  }
  const probe = join(dir, `.doctor-${process.pid}`);
  let writable: Check;
  try {
    writeFileSync(probe, 'probe');
    rmSync(probe);
    writable = { outcome: 'ok', label: `data folder ${dir} is writable` };
  } catch (err) {
    return [{ outcome: 'fail', label: `data folder ${dir} is not writable`, detail: (err as NodeJS.ErrnoException).code ?? String(err), fix: `give the user running Portier write access (e.g. "chown -R $(whoami) ${dir}"), or set PORTIER_DATA_DIR to a folder it may write to.` }];
  }
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  const space: Check = free < MIN_FREE_BYTES
    ? { outcome: 'warn', label: `only ${formatBytes(free)} free in the data folder`, fix: 'free some disk space or move PORTIER_DATA_DIR to a larger disk: below 1 GiB, backups and attachments may soon fail.' }
    : { outcome: 'ok', label: `${formatBytes(free)} free in the data folder` };
  return [writable, space];
}

function checkSecretKey(env: Record<string, string | undefined>, dir: string): Check {
  if (env.PORTIER_SECRET_KEY || env.PORTIER_SECRET_KEY_FILE) return { outcome: 'ok', label: 'secret key set by PORTIER_SECRET_KEY', detail: 'keep a copy of it apart from the server' };
  const file = join(dir, SECRET_KEY_FILE);
  if (existsSync(file) && readFileSync(file, 'utf8').trim().length >= 32) return { outcome: 'ok', label: `secret key in ${file}`, detail: 'back it up with your data ("portier backup" does)' };
  return { outcome: 'fail', label: 'no secret key', detail: `${file} is missing or too short`, fix: `run "portier start" once (it generates one), or set PORTIER_SECRET_KEY (openssl rand -base64 48).\nIf this installation had a key before, restore that one: without it stored channel passwords cannot be read.` };
}

async function checkDatabase(config: Config): Promise<Check[]> {
  const checks: Check[] = [];
  if (!config.databaseUrl && !existsSync(join(config.dataDir, DATABASE_FILE))) {
    return [{ outcome: 'fail', label: 'no database yet', detail: `${join(config.dataDir, DATABASE_FILE)} does not exist`, fix: 'run "portier migrate" (or "portier start") to create it.' }];
  }
  const { openStorage, pendingMigrations } = await import('../storage/database.ts');
  const { sql } = await import('kysely');
  let storage: Storage;
  try {
    storage = await openStorage({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, maxConnections: 1 });
    await sql`select 1`.execute(storage.db);
    checks.push({ outcome: 'ok', label: `database reachable (${storage.dialect})` });
  } catch (err) {
    return [{ outcome: 'fail', label: 'database not reachable', detail: (err as Error).message, fix: config.databaseUrl ? 'check DATABASE_URL (host, port, user, password, database name) and that PostgreSQL is running.' : 'check that the database file is readable and not damaged.' }];
  }
  try {
    const pending = await pendingMigrations(storage.db);
    checks.push(pending.length
      ? { outcome: 'fail', label: `${pending.length} migration(s) not applied`, detail: pending.join(', '), fix: 'run "portier migrate" (or start Portier with PORTIER_MIGRATE_ON_START=true, the default).' }
      : { outcome: 'ok', label: 'migrations applied' });

    if (storage.dialect === 'sqlite') {
      const mode = (await sql<{ journal_mode: string }>`pragma journal_mode`.execute(storage.db)).rows[0]?.journal_mode;
      checks.push(mode === 'wal'
        ? { outcome: 'ok', label: 'SQLite journal mode WAL' }
        : { outcome: 'fail', label: `SQLite journal mode is ${mode}, not WAL`, fix: 'the file system may not support WAL (network shares do not): put PORTIER_DATA_DIR on a local disk.' });
      const quick = (await sql<{ quick_check: string }>`pragma quick_check`.execute(storage.db)).rows.map((r) => Object.values(r)[0]);
      checks.push(quick.length === 1 && quick[0] === 'ok'
        ? { outcome: 'ok', label: 'SQLite quick integrity check' }
        : { outcome: 'fail', label: 'SQLite integrity check found damage', detail: quick.slice(0, 3).join('; '), fix: 'stop Portier and restore the latest backup ("portier restore <folder>"); keep the damaged file for analysis.' });
      // SQLite runs inside this process: its clock is this machine's clock, nothing to compare.
      checks.push({ outcome: 'ok', label: `clock ${new Date().toISOString()}`, detail: `time zone ${Intl.DateTimeFormat().resolvedOptions().timeZone}` });
    } else {
      const before = Date.now();
      const row = (await sql<{ ms: number }>`select (extract(epoch from clock_timestamp()) * 1000)::float8 as ms`.execute(storage.db)).rows[0];
      const after = Date.now();
      const skew = Math.abs(Number(row?.ms) - (before + after) / 2);
      checks.push(skew <= MAX_CLOCK_SKEW_MS
        ? { outcome: 'ok', label: `clock agrees with the database server (within ${Math.round(skew)} ms)`, detail: `time zone ${Intl.DateTimeFormat().resolvedOptions().timeZone}` }
        : { outcome: 'fail', label: `clock differs from the database server by ${(skew / 1000).toFixed(1)} s`, fix: 'enable time synchronisation (NTP, e.g. "timedatectl set-ntp true") on both machines: waiting times and job schedules depend on it.' });
    }
  } finally {
    await storage.close();
  }
  return checks;
}

export const doctorCommand: Command = {
  summary: 'check the installation and say how to fix what is wrong',
  help: HELP,
  async run(argv) {
    parseOptions('doctor', argv, {});
    const env = loadProcessEnv();
    const checks: Check[] = [];
    const report = (cs: Check[]) => cs.forEach((c) => (checks.push(c), printCheck(c)));

    let config: Config | null = null;
    try {
      // A stand-in key when none is configured, so that checking does not generate one as a
      // side effect; whether a real key exists is a check of its own below.
      const hasKey = env.PORTIER_SECRET_KEY || env.PORTIER_SECRET_KEY_FILE;
      config = loadConfig(hasKey ? env : { ...env, PORTIER_SECRET_KEY: 'doctor-stand-in-key-'.padEnd(40, 'x') });
      report([{ outcome: 'ok', label: 'configuration is valid', detail: `data folder ${config.dataDir}, database ${config.databaseUrl ? 'PostgreSQL' : 'SQLite'}` }]);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      report([{ outcome: 'fail', label: 'configuration has problems', detail: err.problems.length === 1 ? err.problems[0] : undefined, fix: err.problems.length > 1 ? err.problems.join('\n') : 'correct the variable (see "portier start --help" for every setting).' }]);
    }

    report([checkNode(), checkWebBuild()]);
    if (config) {
      const dirChecks = checkDataDir(config.dataDir);
      report(dirChecks);
      report([checkSecretKey(env, config.dataDir)]);
      if (dirChecks.every((c) => c.outcome !== 'fail') || config.databaseUrl) report(await checkDatabase(config));
      else report([{ outcome: 'skip', label: 'database checks skipped until the data folder is usable' }]);
    } else {
      report([{ outcome: 'skip', label: 'data folder, database and secret key checks skipped until the configuration is valid' }]);
    }

    const failed = checks.filter((c) => c.outcome === 'fail').length;
    const warned = checks.filter((c) => c.outcome === 'warn').length;
    console.log(failed ? `\n${failed} problem(s) to fix${warned ? `, ${warned} warning(s)` : ''}.` : `\nAll checks passed${warned ? ` (${warned} warning(s))` : ''}.`);
    return failed ? 1 : 0;
  },
};
