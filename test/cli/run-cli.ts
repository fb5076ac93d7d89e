// Runs the real `portier` CLI in a child process, as an administrator would, against a data folder
// of the test's own. Configuration comes only from what the test passes: variables of the
// surrounding shell (a developer's DATABASE_URL, PORT…) never leak in.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/portier.js', import.meta.url));
export const TEST_SECRET_KEY = 'cli-test-secret-key-'.padEnd(48, 'k');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for assertions that do not care which stream a line went to. */
  output: string;
}

export function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(PORTIER_|DATABASE_URL|PORT$|HOST$)/.test(k)) continue;
    env[k] = v;
  }
  return env;
}

export function runCli(args: string[], env: Record<string, string>, options: { input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // cwd is the temporary folder so that a developer's .env in the repository is not read.
    const child = spawn(process.execPath, [BIN, ...args], { cwd: tmpdir(), env: { ...cleanEnv(), PORTIER_LOG_LEVEL: 'silent', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, output: stdout + stderr }));
    child.stdin.end(options.input ?? '');
  });
}

export interface DataDir {
  dir: string;
  env: Record<string, string>;
  run(args: string[], extraEnv?: Record<string, string>, options?: { input?: string }): Promise<CliResult>;
  dispose(): void;
}

export function tempDataDir(options: { secretKey?: boolean } = {}): DataDir {
  const root = mkdtempSync(join(tmpdir(), 'portier-cli-'));
  const dir = join(root, 'data');
  const env: Record<string, string> = { PORTIER_DATA_DIR: dir, ...(options.secretKey === false ? {} : { PORTIER_SECRET_KEY: TEST_SECRET_KEY }) };
  return {
    dir,
    env,
    run: (args, extraEnv = {}, opts) => runCli(args, { ...env, ...extraEnv }, opts),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}
