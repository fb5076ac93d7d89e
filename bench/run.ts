// `npm run bench`: measures a bare Fastify server and the real Portier server (`portier start`, on
// SQLite or PostgreSQL) with the same load generator in the same run, and prints one table.
// Benchmarks are not tests: nothing here passes or fails on speed. See bench/README.md.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { openStorage } from '../src/storage/database.ts';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LoadSpec } from './load-worker.ts';
import { findFreePort, httpGet, httpRequest, readMemory, runLoad, runNode, runTsArgs, readCpuPressure, runWrk, startNode, waitUntilReady, wrkAvailable, type Measured, type Started } from './processes.ts';
import { SEARCH_WORDS, seedBench, type Seeded } from './seed.ts';

const usage = () => `Usage: npm run bench -- [options]

Options:
  --duration SECONDS      measured time per case (default 10), after a warm-up
  --connections N         requests in flight at once (default 10)
  --smoke                 about one second per case and a tiny data set: proves the harness works
  --only NAMES            comma-separated cases to run (default: all): ${CASE_NAMES}
  --database-url URL      postgres://… of a PostgreSQL server: a database is created there for the
                          run and dropped afterwards (default: SQLite in a temporary folder)
  --conversations N       conversations to seed (default 1000; 50 with --smoke)
  --messages N            messages per conversation (default 3)
  --large                 the same as --conversations 100000 --messages 10 (1,000,000 messages);
                          seeds of 100,000 messages and more are cached between runs (SQLite file in
                          /tmp/portier-bench-cache, PostgreSQL template database portier_bench_cache_…)
  --no-seed-cache         seed afresh, neither reading nor writing the cache
  --ingest-connections N  deliveries in flight at once in the ingest case (default 32)
  --body-bytes N          size of the JSON body of baseline-post and ingest (default 1024)
  --client node|wrk       the load generator: bench/load-worker.ts (node:http, default) or Debian's
                          wrk (apt-get install wrk), which needs far less CPU per request
  --max-requests N        stop a case after this many requests (default 2000000; node client only)
  --profile-server DIR    run Portier with node --cpu-prof, writing its CPU profile into DIR on exit
  --json FILE             also write the results as JSON to FILE`;

interface Case {
  name: string;
  what: string;
  /** Runs against the bare Fastify server rather than Portier. */
  baseline?: boolean;
  path: string | ((seed: Seeded) => string);
  authenticated?: boolean;
  method?: 'POST';
  /** A fixed ~1 KB JSON body, or distinct signed webhook deliveries made by the load worker. */
  body?: 'json' | 'webhook';
  /** Requests in flight, when the case fixes it (one client for the latency of big-data reads). */
  connections?: number | 'ingest';
  /** Only the node client can sign each request. */
  nodeClientOnly?: boolean;
  /** The row this case is read against in the "vs" column. */
  versus: string;
  /** A check of one response before the load starts, so a 401 is never benchmarked by mistake. */
  check?: (body: string) => string | null;
}

const hasItems = (what: string) => (body: string) => ((JSON.parse(body) as { items: unknown[] }).items.length > 0 ? null : `no ${what} in the answer`);
const hasMessages = (body: string) => ((JSON.parse(body) as { messages: unknown[] }).messages.length > 0 ? null : 'no messages found');

const CASES: Case[] = [
  { name: 'baseline', what: 'bare Fastify, GET / → {"status":"ok"}', baseline: true, path: '/', versus: 'baseline' },
  { name: 'baseline-post', what: 'bare Fastify, POST /json: a ~1 KB JSON body parsed and validated', baseline: true, path: '/json', method: 'POST', body: 'json', connections: 'ingest', versus: 'baseline-post' },
  { name: 'healthz', what: 'Portier GET /healthz (every plugin, no database)', path: '/healthz', versus: 'baseline' },
  {
    name: 'entrances',
    what: 'Portier GET /api/v1/entrances (token lookup + one query)',
    path: '/api/v1/entrances',
    authenticated: true,
    versus: 'baseline',
    check: hasItems('entrances'),
  },
  {
    name: 'conversations',
    what: 'Portier GET /api/v1/conversations?view=open (page of 50, joins + preview)',
    path: '/api/v1/conversations?view=open',
    authenticated: true,
    versus: 'baseline',
    check: hasItems('conversations'),
  },
  {
    name: 'inbox-waiting',
    what: 'Portier GET /api/v1/conversations?view=waiting, first page of 50, one client',
    path: '/api/v1/conversations?view=waiting',
    authenticated: true,
    connections: 1,
    versus: 'baseline',
    check: hasItems('conversations'),
  },
  {
    name: 'search-rare',
    what: `Portier GET /api/v1/search?q=${SEARCH_WORDS.rare} (two long-tail words), one client`,
    path: `/api/v1/search?q=${encodeURIComponent(SEARCH_WORDS.rare)}`,
    authenticated: true,
    connections: 1,
    versus: 'baseline',
  },
  {
    name: 'search-frequent',
    what: `Portier GET /api/v1/search?q=${SEARCH_WORDS.frequent} (the corpus's most frequent words), one client`,
    path: `/api/v1/search?q=${encodeURIComponent(SEARCH_WORDS.frequent)}`,
    authenticated: true,
    connections: 1,
    versus: 'baseline',
    check: hasMessages,
  },
  {
    name: 'ingest',
    what: 'Portier POST /hooks/<entrance>: distinct ~1 KB deliveries signed per Standard Webhooks, each acknowledged after its commit (node client)',
    path: (seed) => `/hooks/${seed.webhook.entranceId}`,
    method: 'POST',
    body: 'webhook',
    connections: 'ingest',
    nodeClientOnly: true,
    versus: 'baseline-post',
  },
];
const CASE_NAMES = CASES.map((c) => c.name).join(', ');

/** A ~1 KB JSON body shaped like a webhook delivery, for the bare POST. */
function jsonBody(bytes: number): string {
  const head = '{"id":"baseline-1","sender":{"name":"Anna Meier","email":"anna.meier@bench.example"},"subject":"Demande de formation","text":"';
  return `${head}${'Bonjour, je cherche une formation pour mon équipe. '.padEnd(Math.max(40, bytes - head.length - 2), 'Merci pour votre réponse rapide. ')}"}`;
}

interface Row {
  name: string;
  what: string;
  result: Measured;
  /** CPU pressure (PSI some avg10, %) right after the case: how much other work competed. */
  pressure: number | null;
  connections: number;
  client: 'node' | 'wrk';
  /** The row whose requests/s this one is divided by in the "vs" column. */
  versus: string;
}

/** Above this CPU pressure the figures say more about the neighbours than about Portier. */
const BUSY_PRESSURE = 50;

interface PortierFacts {
  database: string;
  seed: Seeded;
  startToReadyMs: number;
  webBuiltDuringStart: boolean;
  idleRssMb: number;
  rssAfterLoadMb: number;
  peakRssMb: number;
  /** The ingest case: 2xx answers (warm-up included) against messages found stored afterwards. */
  ingestCheck: { acknowledged: number; stored: number; errors: number } | null;
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      connections: { type: 'string' },
      smoke: { type: 'boolean' },
      only: { type: 'string' },
      'database-url': { type: 'string' },
      conversations: { type: 'string' },
      messages: { type: 'string' },
      large: { type: 'boolean' },
      'no-seed-cache': { type: 'boolean' },
      'ingest-connections': { type: 'string' },
      'body-bytes': { type: 'string' },
      'max-requests': { type: 'string' },
      client: { type: 'string' },
      json: { type: 'string' },
      'profile-server': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage());
    process.exit(0);
  }
  const number = (name: string, value: string | undefined, fallback: number, min: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} ${value}: expected a number of at least ${min}.`);
    return n;
  };
  const smoke = values.smoke ?? false;
  const durationS = number('duration', values.duration, smoke ? 1 : 10, 0.1);
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only?.filter((n) => !CASES.some((c) => c.name === n)) ?? [];
  if (unknown.length) throw new Error(`--only: unknown case(s) ${unknown.join(', ')}; choose from ${CASES.map((c) => c.name).join(', ')}.`);
  const databaseUrl = values['database-url'] ?? null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('--database-url must start with postgres://');
  const client = values.client ?? 'node';
  if (client !== 'node' && client !== 'wrk') throw new Error(`--client ${client}: choose node or wrk.`);
  if (client === 'wrk' && !wrkAvailable()) throw new Error('--client wrk: wrk is not installed (on Debian: apt-get install -y wrk).');
  // Long enough for connections to open and V8 to optimise the hot paths; not recorded.
  let warmupS = smoke ? 0.3 : Math.min(2, durationS * 0.2);
  let measuredS = durationS;
  // wrk counts time in whole seconds.
  if (client === 'wrk') [warmupS, measuredS] = [Math.max(1, Math.round(warmupS)), Math.max(1, Math.round(durationS))];
  return {
    smoke,
    client: client as 'node' | 'wrk',
    durationMs: measuredS * 1000,
    warmupMs: warmupS * 1000,
    connections: Math.round(number('connections', values.connections, 10, 1)),
    cases: CASES.filter((c) => !only || only.includes(c.name)),
    databaseUrl,
    conversations: Math.round(number('conversations', values.conversations, values.large ? 100_000 : smoke ? 50 : 1000, 1)),
    messages: Math.round(number('messages', values.messages, values.large ? 10 : 3, 1)),
    seedCache: !values['no-seed-cache'],
    ingestConnections: Math.round(number('ingest-connections', values['ingest-connections'], 32, 1)),
    bodyBytes: Math.round(number('body-bytes', values['body-bytes'], 1024, 200)),
    maxRequests: Math.round(number('max-requests', values['max-requests'], 2_000_000, 1)),
    json: values.json ?? null,
    profileServer: values['profile-server'] ?? null,
  };
}

type Options = ReturnType<typeof parseOptions>;

const WEBHOOK_ENV = 'BENCH_WEBHOOK_SECRET';

async function measure(options: Options, server: Started, url: string, c: Case, headers: Record<string, string>, seed: Seeded | null): Promise<Row> {
  const connections = c.connections === 'ingest' ? options.ingestConnections : (c.connections ?? options.connections);
  const spec: LoadSpec = { url, headers, connections, warmupMs: options.warmupMs, durationMs: options.durationMs, maxRequests: options.maxRequests };
  let first: { status: number; body: string };
  if (c.body === 'json') {
    spec.method = 'POST';
    spec.body = jsonBody(options.bodyBytes);
    first = await httpRequest(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: spec.body });
  } else if (c.body === 'webhook') {
    spec.method = 'POST';
    spec.webhook = { idPrefix: `bench-${Date.now().toString(36)}`, bodyBytes: options.bodyBytes };
    const id = `${spec.webhook.idPrefix}-check`;
    const at = new Date();
    const body = JSON.stringify({ id, sender: { name: 'Check', email: 'check@bench.example' }, text: 'Bonjour, une vérification.' });
    first = await httpRequest(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(seed!.webhook.secret).sign(id, at, body) }, body });
  } else {
    first = await httpGet(url, headers);
  }
  const problem = first.status !== 200 ? `answered ${first.status}: ${first.body.slice(0, 300)}` : c.check?.(first.body);
  if (problem) throw new Error(`${c.name}: ${spec.method ?? 'GET'} ${url} ${problem}`);
  process.stderr.write(`  ${c.name.padEnd(16)} ${new URL(url).pathname} …`);
  const useWrk = options.client === 'wrk' && !c.nodeClientOnly;
  const result = useWrk ? await runWrk(spec, server.pid) : await runLoad(spec, server.pid, c.body === 'webhook' ? { ...process.env, [WEBHOOK_ENV]: seed!.webhook.secret } : process.env);
  const pressure = readCpuPressure();
  process.stderr.write(` ${Math.round(result.requestsPerSecond)} req/s\n`);
  return { name: c.name, what: c.what, result, pressure, connections, client: useWrk ? 'wrk' : 'node', versus: c.versus };
}

async function benchBaseline(options: Options, cases: Case[]): Promise<{ rows: Row[]; idleRssMb: number }> {
  const port = await findFreePort();
  const server = startNode(runTsArgs('bench/baseline-server.ts'), { ...process.env, PORT: String(port) });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitUntilReady(`${base}/`, server);
    const idleRssMb = readMemory(server.pid).rssMb;
    const rows: Row[] = [];
    for (const c of cases) {
      rows.push(await measure(options, server, base + pathOf(c, null), c, {}, null));
      // With wrk for the other cases, the bare POST is also measured with the node client, which
      // the ingest case has to use: its ratio then compares like with like.
      if (c.body === 'json' && options.client === 'wrk' && options.cases.some((x) => x.name === 'ingest')) {
        rows.push(await measure(options, server, base + pathOf(c, null), { ...c, name: `${c.name}-node`, nodeClientOnly: true, what: `${c.what} (node client)`, versus: `${c.name}-node` }, {}, null));
      }
    }
    return { rows, idleRssMb };
  } finally {
    await server.stop();
  }
}

const pathOf = (c: Case, seed: Seeded | null) => (typeof c.path === 'function' ? c.path(seed!) : c.path);

async function countMessages(databaseUrl: string, dataDir: string, entranceId: string): Promise<number> {
  const storage = await openStorage({ databaseUrl: databaseUrl || null, dataDir, maxConnections: 1 });
  try {
    const row = await storage.db.selectFrom('message').select((eb) => eb.fn.countAll().as('n')).where('entrance_id', '=', entranceId).executeTakeFirstOrThrow();
    return Number(row.n);
  } finally {
    await storage.close();
  }
}

async function benchPortier(options: Options, cases: Case[], cleanups: Array<() => Promise<void>>): Promise<{ rows: Row[]; facts: PortierFacts }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portier-bench-'));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const port = await findFreePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    PORTIER_PUBLIC_URL: `http://127.0.0.1:${port}`,
    PORTIER_DATA_DIR: dataDir,
    PORTIER_SECRET_KEY: 'bench-secret-key-not-for-production-0123456789',
    PORTIER_LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL_FILE;
  delete env.PORTIER_SECRET_KEY_FILE;

  const database = options.databaseUrl ? 'PostgreSQL' : 'SQLite';
  process.stderr.write(`Seeding ${database}: ${fmt(options.conversations)} conversations × ${options.messages} messages …`);
  const prepared = await seedBench(env, options.databaseUrl, { conversations: options.conversations, messagesPerConversation: options.messages, cache: options.seedCache && !options.smoke });
  cleanups.push(prepared.drop);
  const seed = prepared.seeded;
  // An empty value means "unset" to Portier's configuration, and wins over a developer's .env.
  env.DATABASE_URL = prepared.databaseUrl;
  process.stderr.write(` ${seed.cached ? 'copied from the cache' : 'done'} in ${seed.seconds.toFixed(1)} s\n`);

  // `portier start` rebuilds the web app when its sources are newer than the build. Doing that
  // here first keeps a vite build out of the start-up time (it is reported if it happens anyway).
  // A failed build is not the benchmark's concern: Portier serves its API without the web app.
  try {
    runNode(['scripts/build-web.js'], process.env, 'building the web app');
  } catch (err) {
    process.stderr.write(`Note: ${(err as Error).message.split('\n')[0]}; going on without the web app.\n`);
  }

  const server = startNode([...(options.profileServer ? ['--cpu-prof', `--cpu-prof-dir=${options.profileServer}`] : []), 'bin/portier.js', 'start'], env);
  cleanups.push(() => server.stop());
  const base = `http://127.0.0.1:${port}`;
  const startToReadyMs = await waitUntilReady(`${base}/readyz`, server);
  await new Promise((r) => setTimeout(r, 500));
  const idleRssMb = readMemory(server.pid).rssMb;
  process.stderr.write(`Portier (${database}) ready in ${Math.round(startToReadyMs)} ms, idle RSS ${idleRssMb.toFixed(1)} MB\n`);

  const rows: Row[] = [];
  let ingestCheck: PortierFacts['ingestCheck'] = null;
  for (const c of cases) {
    const headers: Record<string, string> = c.authenticated ? { authorization: `Bearer ${seed.apiToken}` } : {};
    if (c.body === 'webhook') {
      const before = await countMessages(env.DATABASE_URL, dataDir, seed.webhook.entranceId);
      const row = await measure(options, server, base + pathOf(c, seed), c, headers, seed);
      // The check delivery made by measure() is one more stored message.
      const stored = (await countMessages(env.DATABASE_URL, dataDir, seed.webhook.entranceId)) - before - 1;
      ingestCheck = { acknowledged: row.result.okTotal, stored, errors: row.result.errors };
      rows.push(row);
    } else {
      rows.push(await measure(options, server, base + pathOf(c, seed), c, headers, seed));
    }
  }
  const after = readMemory(server.pid);
  return {
    rows,
    facts: {
      database,
      seed,
      startToReadyMs,
      webBuiltDuringStart: server.output().includes('Building the web app'),
      idleRssMb,
      rssAfterLoadMb: after.rssMb,
      peakRssMb: after.peakMb,
      ingestCheck,
    },
  };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function printReport(options: Options, rows: Row[], facts: PortierFacts | null, baselineRssMb: number | null): void {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const rate = (name: string) => rows.find((r) => r.name === name)?.result.requestsPerSecond;
  const lines = [
    '',
    `Portier benchmarks, ${new Date().toISOString().slice(0, 10)}: ${facts?.database ?? 'no database'}, ` +
      `${options.durationMs / 1000} s per case after ${options.warmupMs / 1000} s warm-up; node ${process.version}, ${cpus().length} × ${cpu}`,
    '',
    '| case | conns | client | requests/s | p50 ms | p99 ms | vs | ratio | non-2xx + errors | server CPU | client CPU | CPU pressure | server CPU ms/req |',
    '| --- | ---: | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(({ name, result: r, pressure, connections, client, versus }) => {
      const base = rate(versus);
      return `| ${name} | ${connections} | ${client} | ${fmt(r.requestsPerSecond)} | ${fmt(r.latencyMs.p50, 2)} | ${fmt(r.latencyMs.p99, 2)} | ${versus} | ${base ? fmt(r.requestsPerSecond / base, 2) : '–'} | ` +
        `${r.non2xx + r.errors} | ${fmt(r.serverCpu * 100)} % | ${fmt(r.clientCpu * 100)} % | ${pressure === null ? '–' : `${fmt(pressure)} %`} | ` +
        `${r.requestsPerSecond > 0 ? fmt((r.serverCpu * 1000) / r.requestsPerSecond, 2) : '–'} |`;
    }),
    '',
    ...rows.map((r) => `  ${r.name.padEnd(16)} ${r.what}`),
  ];
  if (facts) {
    lines.push(
      '',
      `Portier process: start → ready ${fmt(facts.startToReadyMs)} ms${facts.webBuiltDuringStart ? ' (includes a web app build)' : ''}, ` +
        `idle RSS ${fmt(facts.idleRssMb, 1)} MB, after load ${fmt(facts.rssAfterLoadMb, 1)} MB, peak ${fmt(facts.peakRssMb, 1)} MB` +
        (baselineRssMb !== null ? `; bare Fastify idle RSS ${fmt(baselineRssMb, 1)} MB` : ''),
      `Seed: ${facts.seed.entrances} entrances, ${fmt(facts.seed.conversations)} conversations, ${fmt(facts.seed.messages)} messages (with \`portier setup\`) ` +
        (facts.seed.cached ? `copied from the cache in ${facts.seed.seconds.toFixed(1)} s` : `in ${facts.seed.seconds.toFixed(1)} s`),
    );
    const check = facts.ingestCheck;
    if (check) {
      lines.push(check.acknowledged === check.stored && check.errors === 0
        ? `Ingest check: ${fmt(check.acknowledged)} deliveries acknowledged with 2xx (warm-up included), ${fmt(check.stored)} messages stored: equal.`
        : `Ingest check FAILED: ${fmt(check.acknowledged)} deliveries acknowledged with 2xx, ${fmt(check.stored)} messages stored, ${check.errors} connection errors.`);
    }
  }
  const busy = rows.filter((r) => (r.pressure ?? 0) > BUSY_PRESSURE);
  if (busy.length) {
    lines.push(`Warning: other work competed for the CPUs during ${busy.map((r) => r.name).join(', ')} (CPU pressure above ${BUSY_PRESSURE} %): those figures are not comparable. Run again on a quiet machine.`);
  }
  const failing = rows.filter((r) => r.result.non2xx + r.result.errors > 0);
  for (const r of failing) lines.push(`Warning: ${r.name} had ${r.result.non2xx} non-2xx answers ${JSON.stringify(r.result.statusCodes)} and ${r.result.errors} errors (${r.result.firstError ?? 'none'}).`);
  console.log(lines.join('\n'));
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseOptions();
  } catch (err) {
    console.error(`bench: ${(err as Error).message}\n\n${usage()}`);
    return 2;
  }
  const cleanups: Array<() => Promise<void>> = [];
  const cleanUp = async () => {
    while (cleanups.length) await cleanups.pop()!().catch((err: Error) => console.error(`bench: cleaning up: ${err.message}`));
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanUp().finally(() => process.exit(143)));

  try {
    const rows: Row[] = [];
    let baselineRssMb: number | null = null;
    const baselineCases = options.cases.filter((c) => c.baseline);
    if (baselineCases.length) {
      process.stderr.write('Bare Fastify baseline\n');
      const baseline = await benchBaseline(options, baselineCases);
      rows.push(...baseline.rows);
      baselineRssMb = baseline.idleRssMb;
    }
    let facts: PortierFacts | null = null;
    const portierCases = options.cases.filter((c) => !c.baseline);
    if (portierCases.length) {
      const portier = await benchPortier(options, portierCases, cleanups);
      rows.push(...portier.rows);
      facts = portier.facts;
    }
    printReport(options, rows, facts, baselineRssMb);
    const check = facts?.ingestCheck;
    const ingestFailed = check ? check.acknowledged !== check.stored || check.errors > 0 : false;
    if (options.json) {
      // The API token's secret stays out of the file.
      const portier = facts && { ...facts, seed: { ...facts.seed, apiToken: undefined, webhook: { entranceId: facts.seed.webhook.entranceId } } };
      const report = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, options, portier, rows };
      writeFileSync(options.json, JSON.stringify(report, null, 2) + '\n');
    }
    return ingestFailed ? 1 : 0;
  } catch (err) {
    console.error(`bench: ${(err as Error).message}`);
    return 1;
  } finally {
    await cleanUp();
  }
}

process.exitCode = await main();
