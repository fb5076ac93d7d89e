// Starts the real server the way a person does — `node bin/portier.js start` as its own process —
// so browser tests cover configuration, migrations at start, the printed setup link and the
// served web app, not only the app built in memory.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/portier.js');
const STOP_GRACE_MS = 5_000;

export interface ServerProcess {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The one-time link printed on first start (`…/setup#token=…`), or null if none was printed. */
  setupLink: string | null;
  /** Everything the process wrote so far, for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; removes the data folder this helper created. */
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  /** postgres://… for a PostgreSQL run; absent for the embedded SQLite database. */
  databaseUrl?: string | null;
  /** A data folder owned by the caller; by default a temporary one, removed by stop(). */
  dataDir?: string;
  env?: Record<string, string>;
  /** How long to wait for /readyz and the start banner (default 60 s: start may rebuild the web app first). */
  timeoutMs?: number;
}

/** Builds web/dist when its sources changed; a walk of file times when nothing did. */
export function buildWebApp(): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/build-web.js')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node scripts/build-web.js failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'portier-server-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;

  // Nothing from the developer's own environment or .env may leak in: empty values override the
  // .env file (the configuration treats '' as unset).
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PORTIER_') && k !== 'DATABASE_URL'));
  Object.assign(env, {
    PORTIER_DATA_DIR: dataDir,
    PORTIER_SECRET_KEY: 'browser-test-secret-key-'.padEnd(48, 'x'),
    PORT: String(port),
    HOST: '127.0.0.1',
    PORTIER_LOG_LEVEL: 'warn',
    PORTIER_PUBLIC_URL: '',
    DATABASE_URL: options.databaseUrl ?? '',
    ...options.env,
  });

  const child = spawn(process.execPath, [BIN, 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let setupLink: string | null = null;
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    setupLink ??= /(https?:\/\/\S+\/setup#token=\S+)/.exec(output)?.[1] ?? null;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited(child);
        clearTimeout(killer);
      }
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  // Ready means /readyz answers 200 and the start banner was printed (it comes after listening).
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`portier start exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`);
    }
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready && /Portier is running at/.test(output)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`portier start was not ready at ${url}/readyz within ${options.timeoutMs ?? 60_000} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    get setupLink() {
      return setupLink;
    },
    output: () => output,
    stop,
  };
}
