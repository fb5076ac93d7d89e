// Child processes for the benchmarks: the servers under test and the load generator, each in its
// own process, plus what Linux tells about them (/proc: resident memory, CPU time).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { LoadResult, LoadSpec } from './load-worker.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUN_TS = fileURLToPath(new URL('../bin/run-ts.js', import.meta.url));
const LOAD_WORKER = fileURLToPath(new URL('./load-worker.ts', import.meta.url));
const OUTPUT_LIMIT = 64 * 1024;

const running = new Set<ChildProcess>();
// Whatever happens to the runner, no server it started outlives it.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface Started {
  child: ChildProcess;
  pid: number;
  /** stdout and stderr so far (the last 64 KiB), for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `node ARGS…` directly (not through npm or a shell), so the pid is the node process itself
 * and /proc/<pid> describes the server, not a wrapper.
 */
export function startNode(args: string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    running.delete(child);
    resolve();
  }));
  if (child.pid === undefined) throw new Error(`could not start node ${args.join(' ')}`);
  return {
    child,
    pid: child.pid,
    output: () => output,
    stop: async (graceMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs `node ARGS…` to completion; throws with its output when it fails. */
export function runNode(args: string[], env: NodeJS.ProcessEnv, what: string): string {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

export function runTsArgs(file: string, ...args: string[]): string[] {
  return [RUN_TS, file, ...args];
}

/** A port nobody listens on right now (the OS picks it; it is released before the server binds it). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function httpGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`GET ${url} timed out`)));
  });
}

/** One request with a body (the checks before a POST case). */
export function httpRequest(url: string, options: { method: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method, headers: options.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`${options.method} ${url} timed out`)));
    req.end(options.body);
  });
}

/** Polls `url` until it answers 200; fails early when the process exits. Returns the milliseconds waited. */
export async function waitUntilReady(url: string, server: Started, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`the server exited (${server.child.exitCode ?? server.child.signalCode}) before ${url} answered:\n${server.output()}`);
    }
    try {
      if ((await httpGet(url)).status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > timeoutMs) throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Memory {
  /** Resident set size now, in MB (MiB). */
  rssMb: number;
  /** Peak resident set size since the process started (VmHWM), in MB. */
  peakMb: number;
}

export function readMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

let clockTicks: number | undefined;
/** CPU seconds (user + system) the process has used so far. */
export function readCpuSeconds(pid: number): number {
  clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is the first, utime the 12th and stime the 13th (proc(5)).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

export interface Measured extends LoadResult {
  /** CPU the server used during the measured window, as a share of one core. */
  serverCpu: number;
}

/** Runs the load generator in its own process against `spec.url`, sampling the server's CPU time. */
export function runLoad(spec: LoadSpec, serverPid: number, env: NodeJS.ProcessEnv = process.env): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const worker = spawn(process.execPath, runTsArgs(LOAD_WORKER, JSON.stringify(spec)), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(worker);
    let cpuAtStart = 0;
    let windowStart = 0;
    let serverCpu = 0;
    let result: Measured | undefined;
    let stdout = '';
    let stderr = '';
    worker.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    worker.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      let nl: number;
      while ((nl = stdout.indexOf('\n')) >= 0) {
        const line = stdout.slice(0, nl);
        stdout = stdout.slice(nl + 1);
        if (line === 'measuring') {
          cpuAtStart = readCpuSeconds(serverPid);
          windowStart = performance.now();
        } else if (line === 'measured') {
          const cpu = readCpuSeconds(serverPid) - cpuAtStart;
          serverCpu = Math.round((cpu / ((performance.now() - windowStart) / 1000)) * 100) / 100;
        } else if (line.startsWith('result ')) {
          result = { ...(JSON.parse(line.slice('result '.length)) as LoadResult), serverCpu };
        }
      }
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      running.delete(worker);
      if (result && code === 0) resolve(result);
      else reject(new Error(`the load generator failed (exit ${code}):\n${stderr}`));
    });
  });
}

/** True when Debian's `wrk` (a C load generator, far lighter than a node client) is installed. */
export function wrkAvailable(): boolean {
  return spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined;
}

function wrkArgs(spec: LoadSpec, seconds: number, latency: boolean, script: string | null): string[] {
  const headers = Object.entries({ accept: 'application/json', ...spec.headers }).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  // One thread: the other core is the server's. wrk takes whole seconds only.
  return ['-t1', `-c${spec.connections}`, `-d${Math.max(1, Math.round(seconds))}s`, ...(latency ? ['--latency'] : []), ...(script ? ['-s', script] : []), ...headers, spec.url];
}

/** A wrk Lua script that POSTs one fixed JSON body; null for a GET. The caller removes the folder. */
function wrkScript(spec: LoadSpec): { file: string; dir: string } | null {
  if (spec.webhook) throw new Error('wrk cannot sign each webhook delivery: use the node client for that case');
  if ((spec.method ?? 'GET') === 'GET') return null;
  const dir = mkdtempSync(join(tmpdir(), 'portier-bench-wrk-'));
  const file = join(dir, 'post.lua');
  const body = spec.body ?? '';
  if (body.includes(']==]')) throw new Error('the body cannot be quoted for Lua');
  writeFileSync(file, `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[${body}]==]\n`);
  return { file, dir };
}

function runWrkOnce(args: string[], serverPid: number): Promise<{ stdout: string; serverCpu: number; clientCpu: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const cpuAtStart = readCpuSeconds(serverPid);
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let clientCpu = 0;
    let serverCpuEnd = cpuAtStart;
    // wrk's own CPU time cannot be read after it exits; sample it (and the server's) while it runs.
    const sampler = setInterval(() => {
      try {
        clientCpu = readCpuSeconds(child.pid!);
        serverCpuEnd = readCpuSeconds(serverPid);
      } catch {
        // wrk just exited
      }
    }, 100);
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => {
      clearInterval(sampler);
      running.delete(child);
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`wrk failed (exit ${code}):\n${stdout}`));
      resolve({ stdout, seconds, serverCpu: (serverCpuEnd - cpuAtStart) / seconds, clientCpu: clientCpu / seconds });
    });
  });
}

function wrkMs(text: string, label: string): number {
  const m = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(text);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

/** The same measurement as runLoad, made by wrk: a warm-up run, then the measured run. */
export async function runWrk(spec: LoadSpec, serverPid: number): Promise<Measured> {
  const script = wrkScript(spec);
  let run: Awaited<ReturnType<typeof runWrkOnce>>;
  try {
    if (spec.warmupMs > 0) await runWrkOnce(wrkArgs(spec, spec.warmupMs / 1000, false, script?.file ?? null), serverPid);
    run = await runWrkOnce(wrkArgs(spec, spec.durationMs / 1000, true, script?.file ?? null), serverPid);
  } finally {
    if (script) rmSync(script.dir, { recursive: true, force: true });
  }
  const out = run.stdout;
  const number = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
  const requests = number(/(\d+) requests in/);
  const seconds = (() => {
    const m = /requests in ([\d.]+)(ms|s|m)/.exec(out);
    return m ? Number(m[1]) * (m[2] === 'ms' ? 0.001 : m[2] === 'm' ? 60 : 1) : run.seconds;
  })();
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const non2xx = number(/Non-2xx or 3xx responses: (\d+)/);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    requests,
    seconds,
    requestsPerSecond: Math.round(number(/Requests\/sec:\s+([\d.]+)/) * 10) / 10,
    latencyMs: { p50: wrkMs(out, '50%'), p90: wrkMs(out, '90%'), p99: wrkMs(out, '99%'), max: NaN, mean: NaN },
    statusCodes: non2xx ? { 'non-2xx/3xx': non2xx } : {},
    non2xx,
    errors,
    firstError: socket && errors ? socket[0] : null,
    bytesPerRequest: NaN,
    okTotal: NaN,
    clientCpu: round(run.clientCpu),
    serverCpu: Math.round(run.serverCpu * 100) / 100,
  };
}

/**
 * The share of the last 10 seconds in which runnable tasks waited for a CPU (Linux pressure stall
 * information, "some avg10"), or null where the kernel does not expose it. A high figure means
 * other work competed with the benchmark, and its numbers are not comparable.
 */
export function readCpuPressure(): number | null {
  try {
    const m = /^some avg10=([\d.]+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
