// A Portier node as its own process that a test may kill (SIGKILL, as a crash or an OOM killer
// would) and start again on the same port and the same data — or run several of, on one
// PostgreSQL database. Also: creating a workspace and an API token through the public HTTP API
// (the printed setup link), and reading a server-sent events stream with fetch.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './server-process.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUN_TS = join(ROOT, 'bin/run-ts.js');
const MAIN = join(ROOT, 'test/support/portier-node-main.ts');
const OUTPUT_LIMIT = 64 * 1024;
export const NODE_SECRET_KEY = 'durability-test-secret-key-'.padEnd(48, 'd');

export interface PortierNodeOptions {
  /** The SQLite data folder (also holds attachments); owned by the caller. */
  dataDir: string;
  /** postgres://… for PostgreSQL; absent for SQLite in dataDir. */
  databaseUrl?: string | null;
  /** A fixed port (kept across restarts); a free one by default. */
  port?: number;
  env?: Record<string, string>;
  /** How long start() waits for /readyz (default 60 s). */
  readyTimeoutMs?: number;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class PortierNode {
  readonly url: string;
  /** The one-time setup link printed by the first start on an empty database, if any. */
  setupLink: string | null = null;
  /** How many times this node was started (1 after the first start). */
  starts = 0;
  private child: ChildProcess | null = null;
  private standby: { child: ChildProcess; loaded: Promise<void>; banner: () => boolean } | null = null;
  private log = '';
  private disposed = false;

  private constructor(readonly port: number, private readonly options: PortierNodeOptions) {
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(options: PortierNodeOptions): Promise<PortierNode> {
    const node = new PortierNode(options.port ?? (await freePort()), options);
    await node.start();
    return node;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last 64 KB the process(es) wrote, for failure messages. */
  output(): string {
    return this.log;
  }

  private append(chunk: string): void {
    this.log += chunk;
    if (this.log.length > OUTPUT_LIMIT) this.log = this.log.slice(-OUTPUT_LIMIT);
  }

  private environment(standby: boolean): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PORTIER_') && k !== 'DATABASE_URL'));
    return Object.assign(env, {
      PORTIER_DATA_DIR: this.options.dataDir,
      PORTIER_SECRET_KEY: NODE_SECRET_KEY,
      PORT: String(this.port),
      HOST: '127.0.0.1',
      PORTIER_LOG_LEVEL: 'warn',
      PORTIER_PUBLIC_URL: '',
      DATABASE_URL: this.options.databaseUrl ?? '',
      PORTIER_TEST_STANDBY: standby ? '1' : '',
      ...this.options.env,
    });
  }

  private spawnChild(standby: boolean): { child: ChildProcess; loaded: Promise<void>; banner: () => boolean } {
    const child = spawn(process.execPath, [RUN_TS, MAIN], { cwd: ROOT, env: this.environment(standby), stdio: [standby ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let banner = false;
    let markLoaded!: () => void;
    const loaded = new Promise<void>((resolve) => (markLoaded = resolve));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.append(chunk);
      if (/standby: loaded/.test(chunk)) markLoaded();
      if (/Portier is running at/.test(chunk)) banner = true;
      this.setupLink ??= /(https?:\/\/\S+\/setup#token=\S+)/.exec(this.log)?.[1] ?? null;
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => this.append(chunk));
    child.once('exit', () => markLoaded());
    return { child, loaded, banner: () => banner };
  }

  /**
   * Loads the next process (every module) without starting it, so that the next start() only does
   * what a start really does. Resolves once it is loaded.
   */
  async prepareStandby(): Promise<void> {
    if (this.standby || this.disposed) return;
    this.standby = this.spawnChild(true);
    await this.standby.loaded;
  }

  /** Starts the process (the standby one if prepared) and resolves once /readyz answers 200 and the banner is printed. */
  async start(): Promise<void> {
    if (this.disposed) throw new Error(`node ${this.url} was disposed`);
    if (this.running) throw new Error(`node ${this.url} is already running`);
    this.starts += 1;
    const startNo = this.starts;
    this.append(`\n--- start #${startNo} ---\n`);
    let spawned = this.standby;
    this.standby = null;
    if (spawned) {
      this.child = spawned.child;
      await spawned.loaded;
      if (this.disposed) return;
      spawned.child.stdin!.end('go\n');
    } else {
      spawned = this.spawnChild(false);
    }
    const { child, banner } = spawned;
    this.child = child;

    const timeoutMs = this.options.readyTimeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`Portier node ${this.url} exited (${child.exitCode ?? child.signalCode}) before it was ready (start #${startNo}):\n${this.log}`);
      }
      const ready = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
      if (ready && banner()) return;
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`Portier node ${this.url} was not ready within ${timeoutMs} ms (start #${startNo}):\n${this.log}`);
      }
      await sleep(20);
    }
  }

  /** A crash: SIGKILL, no chance to finish anything. Resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited(child);
  }

  /** Ends everything this node started, the running process and a standby one: for afterAll. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const standby = this.standby?.child;
    this.standby = null;
    if (standby && standby.exitCode === null && standby.signalCode === null) {
      standby.kill('SIGKILL');
      await exited(standby);
    }
    await this.kill();
  }

  /** A clean stop: SIGTERM, then SIGKILL after 5 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited(child);
    clearTimeout(killer);
  }
}

export interface Owner {
  workspaceId: string;
  /** A personal API token with read and write scopes. */
  token: string;
  cookie: string;
  csrfToken: string;
}

/** Creates the first workspace through the printed one-time setup link, then an API token. */
export async function setUpOwner(node: PortierNode, handle = 'durability'): Promise<Owner> {
  if (!node.setupLink) throw new Error(`node ${node.url} printed no setup link:\n${node.output()}`);
  const setupToken = new URL(node.setupLink).hash.replace(/^#token=/, '');
  const res = await fetch(`${node.url}/api/v1/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token: setupToken,
      workspace: { name: 'Durability Atelier', handle, locale: 'en', languages: ['en'], timeZone: 'Europe/Zurich' },
      owner: { email: `${handle}@example.ch`, password: 'correct horse battery staple', displayName: 'Claire Dubois' },
    }),
  });
  if (res.status !== 201) throw new Error(`setup failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { csrfToken: string; workspace: { id: string } };
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const tokenRes = await fetch(`${node.url}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': body.csrfToken },
    body: JSON.stringify({ name: 'durability test', scopes: ['read', 'write'] }),
  });
  if (tokenRes.status !== 201) throw new Error(`token creation failed: ${tokenRes.status} ${await tokenRes.text()}`);
  const { secret } = (await tokenRes.json()) as { secret: string };
  return { workspaceId: body.workspace.id, token: secret, cookie, csrfToken: body.csrfToken };
}

/** A JSON API call with a bearer token; throws with the body when the status is not the expected one. */
export async function api<T = unknown>(baseUrl: string, token: string, method: string, path: string, body?: unknown, expectStatus = method === 'POST' ? 201 : 200): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== expectStatus) throw new Error(`${method} ${baseUrl}${path} answered ${res.status} (expected ${expectStatus}): ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Creates a webhook entrance; returns its id, the URL to deliver to and the signing secret. */
export async function createWebhookEntrance(node: PortierNode, owner: Owner, label = 'n8n'): Promise<{ id: string; webhookUrl: string; signingSecret: string }> {
  const created = await api<{ id: string; connection: { webhookUrl: string; signingSecret: string } }>(node.url, owner.token, 'POST', '/api/v1/entrances', { kind: 'webhook', label });
  return { id: created.id, ...created.connection };
}

export interface SseEvent {
  event: string;
  data: string;
  /** performance.now() when the event was read. */
  at: number;
}

export interface SseStream {
  events: SseEvent[];
  /** Resolves with the first event (already received or to come) that matches, or rejects after timeoutMs. */
  next(match: (e: SseEvent) => boolean, timeoutMs: number): Promise<SseEvent>;
  close(): void;
}

/** Opens GET /api/v1/events with a bearer token and parses the stream as it arrives. */
export async function openEventStream(baseUrl: string, token: string): Promise<SseStream> {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}/api/v1/events`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: controller.signal });
  if (res.status !== 200 || !res.body) throw new Error(`GET /api/v1/events answered ${res.status}: ${await res.text()}`);
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let connected!: () => void;
  const connectedOnce = new Promise<void>((resolve) => (connected = resolve));
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(': connected')) connected();
          const lines = block.split('\n');
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (event) {
            events.push({ event, data, at: performance.now() });
            for (const w of waiters) w();
          }
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  // The subscription exists once the server wrote its first comment.
  await Promise.race([connectedOnce, sleep(5000).then(() => Promise.reject(new Error('the event stream sent no ": connected" comment within 5 s')))]);
  return {
    events,
    next(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms; received: ${events.map((e) => e.event).join(', ') || 'none'}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close: () => controller.abort(),
  };
}
