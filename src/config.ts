// Configuration is read once at start from the environment (and an optional .env file), validated,
// and then passed explicitly to whatever needs it. Behaviour never branches on NODE_ENV.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Absent: an SQLite file in the data directory. */
  databaseUrl: string | null;
  publicUrl: string;
  secretKey: string;
  /** True when the secret key was generated on this start (print a backup warning). */
  secretKeyGenerated: boolean;
  runMigrations: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Behind a TLS-terminating proxy: trust X-Forwarded-* and mark cookies Secure. */
  trustProxy: boolean;
  jobs: { enabled: boolean; concurrency: number };
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Portier cannot start: the configuration has ${problems.length} problem(s):\n` + problems.map((p) => `  - ${p}`).join('\n'));
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Reads `NAME`, or the contents of the file named by `NAME_FILE` (for Docker/systemd secrets). */
function readValue(env: Env, name: string, problems: string[]): string | undefined {
  const direct = env[name];
  const file = env[`${name}_FILE`];
  if (direct !== undefined && direct !== '' && file) {
    problems.push(`${name} and ${name}_FILE are both set: keep only one.`);
    return direct;
  }
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (err) {
      problems.push(`${name}_FILE points to ${file}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? err}). Check the path and its permissions.`);
      return undefined;
    }
  }
  return direct === '' ? undefined : direct;
}

function parseBoolean(name: string, value: string | undefined, fallback: boolean, problems: string[]): boolean {
  if (value === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  problems.push(`${name}=${value} is not a yes/no value: use true or false.`);
  return fallback;
}

function parseInteger(name: string, value: string | undefined, fallback: number, min: number, max: number, problems: string[]): number {
  if (value === undefined) return fallback;
  // Number('') and Number(' ') are 0: a blank value must not silently mean "port 0".
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name}=${value} must be a whole number from ${min} to ${max}.`);
    return fallback;
  }
  return n;
}

/**
 * Builds the configuration. `env` defaults to process.env merged over `.env` in the working
 * directory; tests pass their own. The secret key file is created in the data directory when no
 * key is configured, so a restart keeps sessions and encrypted channel secrets readable.
 */
export function loadConfig(env: Env = loadProcessEnv(), cwd = process.cwd()): Config {
  const problems: string[] = [];

  const port = parseInteger('PORT', env.PORT, 3000, 0, 65535, problems);
  const host = env.HOST || '127.0.0.1';
  const dataDirRaw = env.PORTIER_DATA_DIR || './data';
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw);

  const databaseUrl = readValue(env, 'DATABASE_URL', problems) ?? null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    // Name only the scheme: the rest of a URL may hold a password.
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(databaseUrl)?.[0] ?? 'no scheme';
    problems.push(`DATABASE_URL must start with postgres:// (got ${scheme}). Leave it unset to use the embedded SQLite database.`);
  }

  const publicUrlRaw = env.PORTIER_PUBLIC_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let publicUrl = publicUrlRaw.replace(/\/+$/, '');
  try {
    const u = new URL(publicUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
  } catch {
    problems.push(`PORTIER_PUBLIC_URL=${publicUrlRaw} is not an http(s) URL, for example https://portier.example.com.`);
    publicUrl = `http://127.0.0.1:${port}`;
  }

  const logLevel = (env.PORTIER_LOG_LEVEL || 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`PORTIER_LOG_LEVEL=${logLevel} must be one of ${LOG_LEVELS.join(', ')}.`);

  const runMigrations = parseBoolean('PORTIER_MIGRATE_ON_START', env.PORTIER_MIGRATE_ON_START, true, problems);
  const trustProxy = parseBoolean('PORTIER_TRUST_PROXY', env.PORTIER_TRUST_PROXY, publicUrl.startsWith('https:'), problems);
  const jobsEnabled = parseBoolean('PORTIER_JOBS', env.PORTIER_JOBS, true, problems);
  const concurrency = parseInteger('PORTIER_JOB_CONCURRENCY', env.PORTIER_JOB_CONCURRENCY, 4, 1, 64, problems);

  let secretKey = readValue(env, 'PORTIER_SECRET_KEY', problems);
  let secretKeyGenerated = false;
  if (secretKey !== undefined && secretKey.length < 32) {
    problems.push('PORTIER_SECRET_KEY must be at least 32 characters long. Generate one with: openssl rand -base64 48');
  }

  if (problems.length > 0) throw new ConfigError(problems);

  if (secretKey === undefined) {
    const keyFile = join(dataDir, 'secret.key');
    try {
      if (existsSync(keyFile)) {
        secretKey = readFileSync(keyFile, 'utf8').trim();
      } else {
        mkdirSync(dataDir, { recursive: true });
        secretKey = randomBytes(48).toString('base64url');
        writeFileSync(keyFile, secretKey + '\n', { mode: 0o600, flag: 'wx' });
        secretKeyGenerated = true;
      }
    } catch (err) {
      throw new ConfigError([`The data directory ${dataDir} is not writable (${(err as NodeJS.ErrnoException).code ?? err}). Set PORTIER_DATA_DIR to a folder Portier may write to.`]);
    }
  }

  return {
    port,
    host,
    dataDir,
    databaseUrl,
    publicUrl,
    secretKey,
    secretKeyGenerated,
    runMigrations,
    logLevel,
    trustProxy,
    jobs: { enabled: jobsEnabled, concurrency },
  };
}

/** process.env over the optional .env file: real environment variables win. */
export function loadProcessEnv(cwd = process.cwd()): Env {
  const file = join(cwd, '.env');
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...process.env };
}

/** The configuration variables, for `--help` and the README (one list, kept next to the parser). */
export const CONFIG_REFERENCE: Array<[string, string]> = [
  ['PORT', 'HTTP port (default 3000)'],
  ['HOST', 'address to listen on (default 127.0.0.1; 0.0.0.0 for all interfaces)'],
  ['PORTIER_DATA_DIR', 'folder for the SQLite database, attachments, backups and the generated secret key (default ./data)'],
  ['DATABASE_URL', 'postgres://user:pass@host/db to use PostgreSQL; unset for the embedded SQLite database'],
  ['PORTIER_PUBLIC_URL', 'the address people use to reach Portier, for links in e-mails and webhooks (default http://HOST:PORT)'],
  ['PORTIER_SECRET_KEY', 'at least 32 characters; encrypts channel secrets. Generated into the data directory when unset'],
  ['PORTIER_MIGRATE_ON_START', 'apply database migrations at start (default true)'],
  ['PORTIER_TRUST_PROXY', 'trust X-Forwarded-* headers from a reverse proxy (default true when the public URL is https)'],
  ['PORTIER_JOBS', 'run background jobs in this process (default true)'],
  ['PORTIER_JOB_CONCURRENCY', 'jobs run at once per process (default 4)'],
  ['PORTIER_LOG_LEVEL', 'fatal, error, warn, info (default), debug, trace or silent'],
];
