import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portier-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const KEY = 'k'.repeat(40);

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env, dir);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs with no configuration at all: SQLite in ./data, port 3000 on loopback', () => {
    const c = loadConfig({}, dir);
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dataDir: join(dir, 'data'),
      databaseUrl: null,
      publicUrl: 'http://127.0.0.1:3000',
      runMigrations: true,
      logLevel: 'info',
      trustProxy: false,
      jobs: { enabled: true, concurrency: 4 },
      secretKeyGenerated: true,
    });
    expect(c.secretKey.length).toBeGreaterThanOrEqual(32);
  });

  it('reads every variable it documents', () => {
    const c = loadConfig(
      {
        PORT: '8080',
        HOST: '0.0.0.0',
        PORTIER_DATA_DIR: join(dir, 'elsewhere'),
        DATABASE_URL: 'postgresql://portier@db/portier',
        PORTIER_PUBLIC_URL: 'https://portier.example.ch/',
        PORTIER_SECRET_KEY: KEY,
        PORTIER_MIGRATE_ON_START: 'no',
        PORTIER_JOBS: 'off',
        PORTIER_JOB_CONCURRENCY: '8',
        PORTIER_LOG_LEVEL: 'debug',
      },
      dir,
    );
    expect(c).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: join(dir, 'elsewhere'),
      databaseUrl: 'postgresql://portier@db/portier',
      publicUrl: 'https://portier.example.ch', // trailing slash dropped
      secretKey: KEY,
      secretKeyGenerated: false,
      runMigrations: false,
      trustProxy: true, // behind https, a proxy is assumed
      logLevel: 'debug',
      jobs: { enabled: false, concurrency: 8 },
    });
  });

  it('an IPv6 host gives a bracketed default public URL', () => {
    expect(loadConfig({ HOST: '::1', PORT: '4000', PORTIER_SECRET_KEY: KEY }, dir).publicUrl).toBe('http://[::1]:4000');
  });

  it('lists every problem at once, each saying what to do', () => {
    const problems = problemsOf({
      PORT: 'abc',
      DATABASE_URL: 'mysql://root@localhost/portier',
      PORTIER_SECRET_KEY: 'short',
      PORTIER_PUBLIC_URL: 'portier.example.ch',
      PORTIER_LOG_LEVEL: 'loud',
      PORTIER_MIGRATE_ON_START: 'perhaps',
      PORTIER_JOB_CONCURRENCY: '0',
    });
    expect(problems).toHaveLength(7);
    expect(problems.join('\n')).toMatch(/PORT=abc must be a whole number from 0 to 65535/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL must start with postgres:\/\/ .*Leave it unset to use the embedded SQLite database/);
    expect(problems.join('\n')).toMatch(/PORTIER_SECRET_KEY must be at least 32 characters long\. Generate one with: openssl rand/);
    expect(problems.join('\n')).toMatch(/PORTIER_PUBLIC_URL=portier\.example\.ch is not an http\(s\) URL/);
    expect(problems.join('\n')).toMatch(/PORTIER_LOG_LEVEL=loud must be one of/);
    expect(problems.join('\n')).toMatch(/PORTIER_MIGRATE_ON_START=perhaps is not a yes\/no value/);
    expect(problems.join('\n')).toMatch(/PORTIER_JOB_CONCURRENCY=0 must be a whole number from 1 to 64/);
  });

  it('the error message itself is the readable list', () => {
    try {
      loadConfig({ PORT: '70000', PORTIER_PUBLIC_URL: 'ftp://example.ch' }, dir);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toBe(
        'Portier cannot start: the configuration has 2 problem(s):\n' +
          '  - PORT=70000 must be a whole number from 0 to 65535.\n' +
          '  - PORTIER_PUBLIC_URL=ftp://example.ch is not an http(s) URL, for example https://portier.example.com.',
      );
    }
  });

  it('does not echo a whole DATABASE_URL (it may hold a password) in its complaint', () => {
    const [problem] = problemsOf({ DATABASE_URL: 'mysql://admin:s3cret-passw0rd@db.internal/portier', PORTIER_SECRET_KEY: KEY });
    expect(problem).not.toContain('s3cret-passw0rd');
  });

  it('rejects ports and numbers that are not whole numbers in range', () => {
    for (const port of ['-1', '65536', '3000.5', '1e3x', '0x']) {
      expect(problemsOf({ PORT: port, PORTIER_SECRET_KEY: KEY }).join(), port).toMatch(/^PORT=/);
    }
    expect(loadConfig({ PORT: '0', PORTIER_SECRET_KEY: KEY }, dir).port).toBe(0);
  });

  it('a blank PORT is a problem, not a random port', () => {
    expect(problemsOf({ PORT: ' ', PORTIER_SECRET_KEY: KEY })).toEqual([expect.stringMatching(/^PORT= /)]);
  });

  it('a wrong DATABASE_URL is described by its scheme only, never its credentials', () => {
    const [problem] = problemsOf({ DATABASE_URL: 'mysql://portier:s3cret-password@db/portier', PORTIER_SECRET_KEY: KEY });
    expect(problem).toContain('mysql:');
    expect(problem).not.toContain('s3cret');
  });

  it('reads NAME_FILE variants, trimming the trailing newline of a secrets file', () => {
    writeFileSync(join(dir, 'db-url'), 'postgres://portier:pw@db/portier\n');
    writeFileSync(join(dir, 'key'), `${KEY}\n`);
    const c = loadConfig({ DATABASE_URL_FILE: join(dir, 'db-url'), PORTIER_SECRET_KEY_FILE: join(dir, 'key') }, dir);
    expect(c.databaseUrl).toBe('postgres://portier:pw@db/portier');
    expect(c.secretKey).toBe(KEY);
    expect(c.secretKeyGenerated).toBe(false);
  });

  it('a NAME_FILE that cannot be read is a clear problem naming the file', () => {
    const missing = join(dir, 'no-such-secret');
    const problems = problemsOf({ PORTIER_SECRET_KEY_FILE: missing, DATABASE_URL_FILE: join(dir, 'nope') });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toBe(`DATABASE_URL_FILE points to ${join(dir, 'nope')}, which cannot be read (ENOENT). Check the path and its permissions.`);
    expect(problems[1]).toContain(`PORTIER_SECRET_KEY_FILE points to ${missing}, which cannot be read (ENOENT)`);
  });

  it('a secret read from a file is validated like a direct one', () => {
    writeFileSync(join(dir, 'key'), 'too short\n');
    expect(problemsOf({ PORTIER_SECRET_KEY_FILE: join(dir, 'key') })).toEqual([expect.stringMatching(/^PORTIER_SECRET_KEY must be at least 32 characters/)]);
  });

  it('NAME and NAME_FILE together are a problem: only one may be set', () => {
    writeFileSync(join(dir, 'key'), KEY);
    expect(problemsOf({ PORTIER_SECRET_KEY: KEY, PORTIER_SECRET_KEY_FILE: join(dir, 'key') })).toEqual(['PORTIER_SECRET_KEY and PORTIER_SECRET_KEY_FILE are both set: keep only one.']);
    // An empty NAME next to NAME_FILE is what docker-compose leaves behind; the file wins.
    expect(loadConfig({ PORTIER_SECRET_KEY: '', PORTIER_SECRET_KEY_FILE: join(dir, 'key') }, dir).secretKey).toBe(KEY);
  });

  it('generates the secret key once, with mode 0600, and reuses it on the next start', () => {
    const env = { PORTIER_DATA_DIR: join(dir, 'data') };
    const first = loadConfig(env, dir);
    expect(first.secretKeyGenerated).toBe(true);
    const file = join(dir, 'data', 'secret.key');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.secretKey);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = loadConfig(env, dir);
    expect(second.secretKey).toBe(first.secretKey);
    expect(second.secretKeyGenerated).toBe(false);
  });

  it('no key is generated while the configuration has problems', () => {
    problemsOf({ PORT: 'abc', PORTIER_DATA_DIR: join(dir, 'data') });
    expect(() => statSync(join(dir, 'data', 'secret.key'))).toThrow();
  });

  it('a data directory that is a file is a clear problem', () => {
    writeFileSync(join(dir, 'file'), 'x');
    expect(problemsOf({ PORTIER_DATA_DIR: join(dir, 'file') })[0]).toMatch(/The data directory .*file is not writable \(E[A-Z]+\)\. Set PORTIER_DATA_DIR/);
  });

  it('a relative data directory is resolved against the working directory', () => {
    expect(loadConfig({ PORTIER_DATA_DIR: 'var/portier', PORTIER_SECRET_KEY: KEY }, dir).dataDir).toBe(join(dir, 'var', 'portier'));
  });
});
