// The load generator, run as its own process by bench/run.ts so that it never shares an event loop
// (or a CPU time slice it could steal unnoticed) with the server it measures. It keeps a fixed
// number of requests in flight over keep-alive connections, records every latency, and prints one
// JSON line with the result on stdout.
//
// Usage (bench/run.ts does this): node bin/run-ts.js bench/load-worker.ts '<json spec>'
import { createHmac } from 'node:crypto';
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
  /** GET by default. */
  method?: 'GET' | 'POST';
  /** A fixed request body (sent as application/json). */
  body?: string;
  /**
   * Distinct deliveries to a webhook entrance instead of a fixed body: each request carries a new
   * message id and is signed on the fly per Standard Webhooks (the signing secret comes from the
   * environment variable BENCH_WEBHOOK_SECRET, never from the command line).
   */
  webhook?: { idPrefix: string; bodyBytes: number };
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
  /** 2xx answers over the whole run, warm-up included (to check against what the server stored). */
  okTotal: number;
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
  method: spec.method ?? 'GET',
  headers: { accept: 'application/json', ...spec.headers },
};

// Standard Webhooks: HMAC-SHA256 with the base64 key after "whsec_", over "id.timestamp.body".
const webhookKey = spec.webhook ? Buffer.from((process.env.BENCH_WEBHOOK_SECRET ?? '').replace(/^whsec_/, ''), 'base64') : null;
if (spec.webhook && !webhookKey?.length) {
  process.stderr.write('load-worker: a webhook load needs BENCH_WEBHOOK_SECRET\n');
  process.exit(2);
}
const FIRST = ['Anna', 'Luca', 'Sophie', 'Marc', 'Elena', 'Jonas', 'Chiara', 'Nicolas'];
let sequence = 0;

/** The body and headers of the next request. */
function nextRequest(): { body: string | null; headers: Record<string, string> } {
  if (spec.webhook && webhookKey) {
    const n = sequence++;
    const id = `${spec.webhook.idPrefix}-${n}`;
    const name = FIRST[n % FIRST.length]!;
    const head = `{"id":"${id}","sender":{"name":"${name} ${n}","email":"${name.toLowerCase()}.${n}@bench.example"},"subject":"Demande de formation ${n}","text":"`;
    const text = `Bonjour, je cherche une formation pour mon équipe (demande ${n}). `.padEnd(Math.max(40, spec.webhook.bodyBytes - head.length - 2), 'Merci pour votre réponse rapide. ');
    const body = `${head}${text}"}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', webhookKey).update(`${id}.${timestamp}.${body}`).digest('base64');
    return { body, headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` } };
  }
  if (spec.body !== undefined) return { body: spec.body, headers: { 'content-type': 'application/json' } };
  return { body: null, headers: {} };
}

const latencies = new Float64Array(spec.maxRequests);
let recorded = 0;
let errors = 0;
let firstError: string | null = null;
let bytes = 0;
const statusCodes: Record<string, number> = {};
let okTotal = 0;

type Phase = 'warmup' | 'measure' | 'done';
let phase: Phase = 'warmup';
let measureStart = 0n;
let measureEnd = 0n;
let cpuStart = process.cpuUsage();
let cpuUsed = { user: 0, system: 0 };

function requestOnce(): Promise<{ status: number; size: number }> {
  return new Promise((resolve, reject) => {
    const next = nextRequest();
    const options = next.body === null ? requestOptions : { ...requestOptions, headers: { ...requestOptions.headers, ...next.headers, 'content-length': String(Buffer.byteLength(next.body)) } };
    const req = http.request(options, (res) => {
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, size }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(next.body ?? undefined);
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
      if (status >= 200 && status <= 299) okTotal += 1;
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
    okTotal,
    clientCpu: round((cpuUsed.user + cpuUsed.system) / 1e6 / seconds, 2),
  };
  process.stdout.write(`result ${JSON.stringify(result)}\n`);
}

await main();
