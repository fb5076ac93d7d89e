// `npm run bench`: measures a bare Fastify server and the real Portier server (`portier start`, on
// SQLite or PostgreSQL) with the same load generator in the same run, and prints one table.
// Benchmarks are not tests: nothing here passes or fails on speed. See bench/README.md.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LoadSpec } from './load-worker.ts';
import { findFreePort, httpGet, readMemory, runLoad, runNode, runTsArgs, readCpuPressure, runWrk, startNode, waitUntilReady, wrkAvailable, type Measured, type Started } from './processes.ts';
import { createBenchDatabase, seedWorkspace, type Seeded } from './seed.ts';

const USAGE = `Usage: npm run bench -- [options]

Options:
  --duration SECONDS      measured time per case (default 10), after a warm-up
  --connections N         requests in flight at once (default 10)
  --smoke                 about one second per case and a tiny data set: proves the harness works
  --only NAMES            comma-separated cases to run: ${'baseline, healthz, entrances, conversations'}
  --database-url URL      postgres://… of a PostgreSQL server: a database is created there for the
                          run and dropped afterwards (default: SQLite in a temporary folder)
  --conversations N       conversations to seed (default 1000; 50 with --smoke)
  --messages N            messages per conversation (default 3)
  --client node|wrk       the load generator: bench/load-worker.ts (node:http, default) or Debian's
                          wrk (apt-get install wrk), which needs far less CPU per request
  --max-requests N        stop a case after this many requests (default 2000000; node client only)
  --json FILE             also write the results as JSON to FILE`;

interface Case {
  name: string;
  what: string;
  /** Runs against the bare Fastify server rather than Portier. */
  baseline?: boolean;
  path: string;
  authenticated?: boolean;
  /** A check of one response before the load starts, so a 401 is never benchmarked by mistake. */
  check?: (body: string) => string | null;
}

const CASES: Case[] = [
  { name: 'baseline', what: 'bare Fastify, GET / → {"status":"ok"}', baseline: true, path: '/' },
  { name: 'healthz', what: 'Portier GET /healthz (every plugin, no database)', path: '/healthz' },
  {
    name: 'entrances',
    what: 'Portier GET /api/v1/entrances (token lookup + one query)',
    path: '/api/v1/entrances',
    authenticated: true,
    check: (body) => ((JSON.parse(body) as { items: unknown[] }).items.length > 0 ? null : 'no entrances in the answer'),
  },
  {
    name: 'conversations',
    what: 'Portier GET /api/v1/conversations?view=open (page of 50, joins + preview)',
    path: '/api/v1/conversations?view=open',
    authenticated: true,
    check: (body) => ((JSON.parse(body) as { items: unknown[] }).items.length > 0 ? null : 'no conversations in the answer'),
  },
];

interface Row {
  name: string;
  what: string;
  result: Measured;
  /** CPU pressure (PSI some avg10, %) right after the case: how much other work competed. */
  pressure: number | null;
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
      'max-requests': { type: 'string' },
      client: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
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
    conversations: Math.round(number('conversations', values.conversations, smoke ? 50 : 1000, 1)),
    messages: Math.round(number('messages', values.messages, 3, 1)),
    maxRequests: Math.round(number('max-requests', values['max-requests'], 2_000_000, 1)),
    json: values.json ?? null,
  };
}

type Options = ReturnType<typeof parseOptions>;

async function measure(options: Options, server: Started, url: string, c: Case, headers: Record<string, string>): Promise<Row> {
  const first = await httpGet(url, headers);
  const problem = first.status !== 200 ? `answered ${first.status}: ${first.body.slice(0, 300)}` : c.check?.(first.body);
  if (problem) throw new Error(`${c.name}: GET ${url} ${problem}`);
  const spec: LoadSpec = { url, headers, connections: options.connections, warmupMs: options.warmupMs, durationMs: options.durationMs, maxRequests: options.maxRequests };
  process.stderr.write(`  ${c.name.padEnd(14)} ${c.path} …`);
  const result = options.client === 'wrk' ? await runWrk(spec, server.pid) : await runLoad(spec, server.pid);
  const pressure = readCpuPressure();
  process.stderr.write(` ${Math.round(result.requestsPerSecond)} req/s\n`);
  return { name: c.name, what: c.what, result, pressure };
}

async function benchBaseline(options: Options, c: Case): Promise<{ row: Row; idleRssMb: number }> {
  const port = await findFreePort();
  const server = startNode(runTsArgs('bench/baseline-server.ts'), { ...process.env, PORT: String(port) });
  try {
    const url = `http://127.0.0.1:${port}${c.path}`;
    await waitUntilReady(url, server);
    const idleRssMb = readMemory(server.pid).rssMb;
    return { row: await measure(options, server, url, c, {}), idleRssMb };
  } finally {
    await server.stop();
  }
}

async function benchPortier(options: Options, cases: Case[], cleanups: Array<() => Promise<void>>): Promise<{ rows: Row[]; facts: PortierFacts }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portier-bench-'));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  let databaseUrl = '';
  if (options.databaseUrl) {
    const database = await createBenchDatabase(options.databaseUrl);
    cleanups.push(database.drop);
    databaseUrl = database.url;
  }
  const port = await findFreePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    PORTIER_PUBLIC_URL: `http://127.0.0.1:${port}`,
    PORTIER_DATA_DIR: dataDir,
    PORTIER_SECRET_KEY: 'bench-secret-key-not-for-production-0123456789',
    PORTIER_LOG_LEVEL: 'warn',
    // An empty value means "unset" to Portier's configuration, and wins over a developer's .env.
    DATABASE_URL: databaseUrl,
  };
  delete env.DATABASE_URL_FILE;
  delete env.PORTIER_SECRET_KEY_FILE;

  const database = options.databaseUrl ? 'PostgreSQL' : 'SQLite';
  process.stderr.write(`Seeding ${database}: ${options.conversations} conversations × ${options.messages} messages …`);
  const seed = await seedWorkspace(env, { conversations: options.conversations, messagesPerConversation: options.messages });
  process.stderr.write(` done in ${seed.seconds.toFixed(1)} s\n`);

  // `portier start` rebuilds the web app when its sources are newer than the build. Doing that
  // here first keeps a vite build out of the start-up time (it is reported if it happens anyway).
  // A failed build is not the benchmark's concern: Portier serves its API without the web app.
  try {
    runNode(['scripts/build-web.js'], process.env, 'building the web app');
  } catch (err) {
    process.stderr.write(`Note: ${(err as Error).message.split('\n')[0]}; going on without the web app.\n`);
  }

  const server = startNode(['bin/portier.js', 'start'], env);
  cleanups.push(() => server.stop());
  const base = `http://127.0.0.1:${port}`;
  const startToReadyMs = await waitUntilReady(`${base}/readyz`, server);
  await new Promise((r) => setTimeout(r, 500));
  const idleRssMb = readMemory(server.pid).rssMb;
  process.stderr.write(`Portier (${database}) ready in ${Math.round(startToReadyMs)} ms, idle RSS ${idleRssMb.toFixed(1)} MB\n`);

  const rows: Row[] = [];
  for (const c of cases) {
    const headers: Record<string, string> = c.authenticated ? { authorization: `Bearer ${seed.apiToken}` } : {};
    rows.push(await measure(options, server, base + c.path, c, headers));
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
    },
  };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function printReport(options: Options, rows: Row[], facts: PortierFacts | null, baselineRssMb: number | null): void {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const baseline = rows.find((r) => r.name === 'baseline')?.result.requestsPerSecond;
  const lines = [
    '',
    `Portier benchmarks, ${new Date().toISOString().slice(0, 10)}: ${facts?.database ?? 'no database'}, ${options.connections} connections, ` +
      `${options.durationMs / 1000} s per case after ${options.warmupMs / 1000} s warm-up, client ${options.client}; node ${process.version}, ${cpus().length} × ${cpu}`,
    '',
    '| case | requests/s | p50 ms | p99 ms | vs baseline | non-2xx + errors | server CPU | client CPU | CPU pressure |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(({ name, result: r, pressure }) =>
      `| ${name} | ${fmt(r.requestsPerSecond)} | ${fmt(r.latencyMs.p50, 2)} | ${fmt(r.latencyMs.p99, 2)} | ${baseline ? fmt(r.requestsPerSecond / baseline, 2) : '–'} | ` +
      `${r.non2xx + r.errors} | ${fmt(r.serverCpu * 100)} % | ${fmt(r.clientCpu * 100)} % | ${pressure === null ? '–' : `${fmt(pressure)} %`} |`),
    '',
    ...rows.map((r) => `  ${r.name.padEnd(14)} ${r.what}`),
  ];
  if (facts) {
    lines.push(
      '',
      `Portier process: start → ready ${fmt(facts.startToReadyMs)} ms${facts.webBuiltDuringStart ? ' (includes a web app build)' : ''}, ` +
        `idle RSS ${fmt(facts.idleRssMb, 1)} MB, after load ${fmt(facts.rssAfterLoadMb, 1)} MB, peak ${fmt(facts.peakRssMb, 1)} MB` +
        (baselineRssMb !== null ? `; bare Fastify idle RSS ${fmt(baselineRssMb, 1)} MB` : ''),
      `Seed: ${facts.seed.entrances} entrances, ${fmt(facts.seed.conversations)} conversations, ${fmt(facts.seed.messages)} messages (with \`portier setup\`) in ${facts.seed.seconds.toFixed(1)} s`,
    );
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
    console.error(`bench: ${(err as Error).message}\n\n${USAGE}`);
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
    const baselineCase = options.cases.find((c) => c.baseline);
    if (baselineCase) {
      process.stderr.write('Bare Fastify baseline\n');
      const { row, idleRssMb } = await benchBaseline(options, baselineCase);
      rows.push(row);
      baselineRssMb = idleRssMb;
    }
    let facts: PortierFacts | null = null;
    const portierCases = options.cases.filter((c) => !c.baseline);
    if (portierCases.length) {
      const portier = await benchPortier(options, portierCases, cleanups);
      rows.push(...portier.rows);
      facts = portier.facts;
    }
    printReport(options, rows, facts, baselineRssMb);
    if (options.json) {
      // The API token's secret stays out of the file.
      const portier = facts && { ...facts, seed: { ...facts.seed, apiToken: undefined } };
      const report = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, options, portier, rows };
      writeFileSync(options.json, JSON.stringify(report, null, 2) + '\n');
    }
    return 0;
  } catch (err) {
    console.error(`bench: ${(err as Error).message}`);
    return 1;
  } finally {
    await cleanUp();
  }
}

process.exitCode = await main();
