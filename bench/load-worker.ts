// The load generator, run as its own process by bench/run.ts so that it never shares an event loop
// (or a CPU time slice it could steal unnoticed) with the server it measures. It keeps a fixed
// number of requests in flight over keep-alive connections, records every latency, and prints one
// JSON line with the result on stdout.
//
// Usage (bench/run.ts does this): node bin/run-ts.js bench/load-worker.ts '<json spec>'
import http from 'node:http';

export interface LoadSpec {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  /** Requests made before this are not recorded: connections open, V8 optimises the hot paths. */
  warmupMs: number;
  durationMs: number;
  /** Stops earlier when this many requests were recorded (bounds memory and time). */
  maxRequests: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Responses outside 2xx, by status code. */
  statusCodes: Record<string, number>;
  non2xx: number;
  /** Connection errors, resets, timeouts. */
  errors: number;
  firstError: string | null;
  bytesPerRequest: number;
  /** CPU time the generator itself used during the measured window, as a share of one core. */
  clientCpu: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const target = new URL(spec.url);
// The harness only ever loads a server it started itself, on this machine.
if (target.hostname !== '127.0.0.1' || target.protocol !== 'http:') {
  process.stderr.write(`load-worker: only http://127.0.0.1 targets are allowed, not ${spec.url}\n`);
  process.exit(2);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections, maxFreeSockets: spec.connections, scheduling: 'fifo' });
const requestOptions: http.RequestOptions = {
  agent,
  host: target.hostname,
  port: Number(target.port),
  path: target.pathname + target.search,
  method: 'GET',
  headers: { accept: 'application/json', ...spec.headers },
};

const latencies = new Float64Array(spec.maxRequests);
let recorded = 0;
let errors = 0;
let firstError: string | null = null;
let bytes = 0;
const statusCodes: Record<string, number> = {};

type Phase = 'warmup' | 'measure' | 'done';
let phase: Phase = 'warmup';
let measureStart = 0n;
let measureEnd = 0n;
let cpuStart = process.cpuUsage();
let cpuUsed = { user: 0, system: 0 };

function requestOnce(): Promise<{ status: number; size: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(requestOptions, (res) => {
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, size }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function finishMeasuring(): void {
  if (phase === 'done') return;
  phase = 'done';
  measureEnd = process.hrtime.bigint();
  cpuUsed = process.cpuUsage(cpuStart);
  process.stdout.write('measured\n');
}

async function loop(): Promise<void> {
  while (phase !== 'done') {
    const startedIn = phase;
    const t0 = process.hrtime.bigint();
    try {
      const { status, size } = await requestOnce();
      const t1 = process.hrtime.bigint();
      // Only requests that started and ended inside the window count, so neither the warm-up nor
      // the requests cut off at the end skew the rate.
      if (startedIn === 'measure' && phase === 'measure') {
        latencies[recorded++] = Number(t1 - t0) / 1e6;
        bytes += size;
        if (status < 200 || status > 299) statusCodes[status] = (statusCodes[status] ?? 0) + 1;
        if (recorded >= spec.maxRequests) finishMeasuring();
      }
    } catch (err) {
      errors += 1;
      firstError ??= (err as Error).message;
      // A server that went away would otherwise make this a busy loop.
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const loops = Array.from({ length: spec.connections }, () => loop());
  setTimeout(() => {
    phase = 'measure';
    measureStart = process.hrtime.bigint();
    cpuStart = process.cpuUsage();
    // Tells the runner the window opened, so it can sample the server's CPU time over the same span.
    process.stdout.write('measuring\n');
    setTimeout(finishMeasuring, spec.durationMs);
  }, spec.warmupMs);
  await Promise.all(loops);
  agent.destroy();

  const seconds = Number(measureEnd - measureStart) / 1e9;
  const sorted = latencies.subarray(0, recorded).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const non2xx = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  const result: LoadResult = {
    requests: recorded,
    seconds: round(seconds),
    requestsPerSecond: round(recorded / seconds, 1),
    latencyMs: {
      p50: round(percentile(sorted, 0.5)),
      p90: round(percentile(sorted, 0.9)),
      p99: round(percentile(sorted, 0.99)),
      max: round(recorded ? sorted[recorded - 1]! : 0),
      mean: round(recorded ? sum / recorded : 0),
    },
    statusCodes,
    non2xx,
    errors,
    firstError,
    bytesPerRequest: recorded ? Math.round(bytes / recorded) : 0,
    clientCpu: round((cpuUsed.user + cpuUsed.system) / 1e6 / seconds, 2),
  };
  process.stdout.write(`result ${JSON.stringify(result)}\n`);
}

await main();
