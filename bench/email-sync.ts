// `npm run bench:email`: the e-mail entrance against the private test Dovecot, in one run —
//  (a) a bare imapflow script (bench/email-baseline-fetch.ts) fetching what the initial sync
//      fetches, the yardstick;
//  (b) Portier's initial sync of the same mailbox, by the real server (`portier start`, SQLite or
//      PostgreSQL), timed by the sync's own cursor row;
//  (c) delivery latency with IDLE: one message APPENDed at a time, timed to the stored row and to
//      the `message.created` event on /api/v1/events.
// Benchmarks are not tests: nothing here passes or fails on speed. See bench/README.md.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { DEFAULT_BATCH_SIZE } from '../src/channels/email/imap-fetch.ts';
import { DEFAULT_INITIAL_WINDOW_DAYS, type EmailConfig } from '../src/channels/email/imap-connection.ts';
import type { Config } from '../src/config.ts';
import { createEntrance } from '../src/entrances/create-entrance.ts';
import { sealEntranceConfig } from '../src/entrances/entrance-config.ts';
import { createSecretBox } from '../src/security/secret-box.ts';
import { openStorage, type Storage } from '../src/storage/database.ts';
import { openEventStream, type SseEvent } from '../test/support/portier-node.ts';
import type { FetchResult, FetchSpec } from './email-baseline-fetch.ts';
import { appendAll, emptyFolder, generateMails, imapAnswers, imapClient, newBenchUser, TEST_IMAP_PASSWORD, type ImapTarget } from './email-mailbox.ts';
import { findFreePort, readCpuPressure, readCpuSeconds, readMemory, runNode, runTsArgs, startNode, waitUntilReady, type Started } from './processes.ts';
import { seedBench } from './seed.ts';

const usage = () => `Usage: npm run bench:email -- [options]

Needs the private test Dovecot (scripts/dovecot-test-server.sh start: 127.0.0.1:10143, any user,
password portier-test). Each run APPENDs to a new user's INBOX and empties it afterwards.

Options:
  --messages N            messages in the mailbox for the initial sync (default 5000; 60 with --smoke)
  --deliveries N          messages APPENDed one at a time for the IDLE latency (default 100; 5 with --smoke)
  --gap-ms N              pause between two deliveries, so each is measured alone (default 200)
  --smoke                 tiny sizes: proves the harness works
  --database-url URL      postgres://… of a PostgreSQL server: a database is created there for the
                          run and dropped afterwards (default: SQLite in a temporary folder)
  --conversations N       conversations already in the workspace, seeded by bench/seed.ts (default
                          1000 × 3 messages; 20 with --smoke)
  --imap-port N           the test Dovecot's port (default $PORTIER_TEST_IMAP_PORT or 10143)
  --profile-server DIR    run Portier with node --cpu-prof, writing its CPU profile into DIR on exit
  --json FILE             also write the results as JSON to FILE
  -h, --help              this text`;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string' },
      deliveries: { type: 'string' },
      'gap-ms': { type: 'string' },
      smoke: { type: 'boolean' },
      'database-url': { type: 'string' },
      conversations: { type: 'string' },
      'imap-port': { type: 'string' },
      'profile-server': { type: 'string' },
      json: { type: 'string' },
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
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} ${value}: expected a whole number of at least ${min}.`);
    return n;
  };
  const smoke = values.smoke ?? false;
  const databaseUrl = values['database-url'] ?? null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new Error('--database-url must start with postgres://');
  return {
    smoke,
    messages: number('messages', values.messages, smoke ? 60 : 5000, 1),
    deliveries: number('deliveries', values.deliveries, smoke ? 5 : 100, 1),
    gapMs: number('gap-ms', values['gap-ms'], 200, 0),
    databaseUrl,
    conversations: number('conversations', values.conversations, smoke ? 20 : 1000, 1),
    imapPort: number('imap-port', values['imap-port'], Number(process.env.PORTIER_TEST_IMAP_PORT ?? 10143), 1),
    profileServer: values['profile-server'] ?? null,
    json: values.json ?? null,
  };
}

type Options = ReturnType<typeof parseOptions>;

interface Row {
  name: string;
  what: string;
  messages: number;
  seconds: number | null;
  perSecond: number | null;
  p50: number | null;
  p99: number | null;
  max: number | null;
  versus: string | null;
  /** CPU of the measured process over the window, share of one core. */
  cpu: number | null;
  pressure: number | null;
}

const fmt = (n: number | null, digits = 0) => (n === null || !Number.isFinite(n) ? '–' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function runBaselineFetch(spec: FetchSpec): Promise<FetchResult> {
  const child = startNode(runTsArgs('bench/email-baseline-fetch.ts', JSON.stringify(spec)), process.env);
  return new Promise((resolve, reject) => {
    child.child.once('exit', (code) => {
      const line = child.output().split('\n').find((l) => l.startsWith('result '));
      if (code === 0 && line) resolve(JSON.parse(line.slice('result '.length)) as FetchResult);
      else reject(new Error(`the bare imapflow fetch failed (exit ${code}):\n${child.output()}`));
    });
  });
}

interface SyncFacts {
  startToReadyMs: number;
  /** True when t0 is the cursor row's own first timestamp (not the moment the poll first saw it). */
  exactStart: boolean;
  stored: number;
  distinct: number;
  deliveredStored: number;
  idleRssMb: number | null;
  peakRssMb: number | null;
  appendSeconds: number;
  averageBytes: number;
  /** Per delivery, the live event's time minus the bare client's EXISTS: what Portier adds to Dovecot's notice. */
  portierPartMs: { p50: number; p99: number };
  seed: { conversations: number; messages: number; seconds: number };
}

async function emailEntrance(storage: Storage, secretKey: string, workspaceId: string, config: EmailConfig): Promise<string> {
  const secrets = createSecretBox(secretKey);
  const ctx = { storage, secrets, config: { publicUrl: 'http://127.0.0.1' } as Config };
  const { entrance } = await createEntrance(ctx, workspaceId, null, { kind: 'email', label: 'E-mail (benchmark)' });
  await storage.db.updateTable('entrance').set({ config_encrypted: sealEntranceConfig(secrets, config) }).where('id', '=', entrance.id).execute();
  return entrance.id;
}

interface FolderRow {
  last_uid: number;
  window_since: number | null;
  updated_at: number;
}

async function folderRow(storage: Storage, entranceId: string): Promise<FolderRow | undefined> {
  const r = await sql<FolderRow>`select last_uid, window_since, updated_at from email_folder_state where entrance_id = ${entranceId} and folder = 'INBOX'`.execute(storage.db);
  const row = r.rows[0];
  return row && { last_uid: Number(row.last_uid), window_since: row.window_since === null ? null : Number(row.window_since), updated_at: Number(row.updated_at) };
}

async function countStored(storage: Storage, entranceId: string): Promise<{ n: number; distinct: number }> {
  const row = await storage.db
    .selectFrom('message')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.count<number>('external_id').distinct().as('distinct')])
    .where('entrance_id', '=', entranceId)
    .executeTakeFirstOrThrow();
  return { n: Number(row.n), distinct: Number(row.distinct) };
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseOptions();
  } catch (err) {
    console.error(`bench:email: ${(err as Error).message}\n\n${usage()}`);
    return 2;
  }
  const cleanups: Array<() => Promise<void>> = [];
  const cleanUp = async () => {
    while (cleanups.length) await cleanups.pop()!().catch((err: Error) => console.error(`bench:email: cleaning up: ${err.message}`));
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanUp().finally(() => process.exit(143)));

  try {
    const host = '127.0.0.1';
    if (!(await imapAnswers(host, options.imapPort))) {
      throw new Error(`no IMAP server answers on ${host}:${options.imapPort}: start the test Dovecot with scripts/dovecot-test-server.sh start (as root).`);
    }
    const target: ImapTarget = { host, port: options.imapPort, user: newBenchUser(), password: TEST_IMAP_PASSWORD };
    const rows: Row[] = [];

    // The mailbox.
    const mails = generateMails(options.messages, { prefix: target.user });
    const averageBytes = mails.reduce((n, m) => n + Buffer.byteLength(m.raw), 0) / mails.length;
    process.stderr.write(`APPEND ${fmt(options.messages)} messages (${fmt(averageBytes)} bytes on average) to ${target.user} …`);
    const appendStart = performance.now();
    cleanups.push(() => emptyFolder(target, 'INBOX'));
    await appendAll(target, 'INBOX', mails.map((m) => m.raw));
    const appendSeconds = (performance.now() - appendStart) / 1000;
    process.stderr.write(` ${(appendSeconds).toFixed(1)} s\n`);

    // (a) The yardstick, twice: the first read also makes Dovecot build its index cache.
    const spec: FetchSpec = { ...target, folder: 'INBOX', batchSize: DEFAULT_BATCH_SIZE, sinceMs: Date.now() - DEFAULT_INITIAL_WINDOW_DAYS * 86_400_000 };
    for (const [name, what] of [
      ['baseline-fetch-cold', 'bare imapflow, first read of the folder (Dovecot builds its cache)'],
      ['baseline-fetch', `bare imapflow: SEARCH, then per ${DEFAULT_BATCH_SIZE} UIDs FETCH envelope + FETCH source, nothing stored`],
    ] as const) {
      process.stderr.write(`  ${name.padEnd(20)} …`);
      const r = await runBaselineFetch(spec);
      if (r.messages !== options.messages) throw new Error(`${name}: fetched ${r.messages} messages, expected ${options.messages}`);
      rows.push({ name, what, messages: r.messages, seconds: r.seconds, perSecond: r.messages / r.seconds, p50: null, p99: null, max: null, versus: 'baseline-fetch', cpu: r.cpu, pressure: readCpuPressure() });
      process.stderr.write(` ${fmt(r.messages / r.seconds)} messages/s (${fmt(r.bytes / r.seconds / 1e6, 1)} MB/s)\n`);
    }

    // (b) Portier: a workspace seeded like `npm run bench`, plus the e-mail entrance of this mailbox.
    const dataDir = mkdtempSync(join(tmpdir(), 'portier-bench-email-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const port = await findFreePort();
    const secretKey = 'bench-secret-key-not-for-production-0123456789';
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PORTIER_PUBLIC_URL: `http://127.0.0.1:${port}`,
      PORTIER_DATA_DIR: dataDir,
      PORTIER_SECRET_KEY: secretKey,
      PORTIER_LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL_FILE;
    delete env.PORTIER_SECRET_KEY_FILE;
    const database = options.databaseUrl ? 'PostgreSQL' : 'SQLite';
    process.stderr.write(`Seeding ${database}: ${fmt(options.conversations)} conversations × 3 messages …`);
    const prepared = await seedBench(env, options.databaseUrl, { conversations: options.conversations, messagesPerConversation: 3, cache: false });
    cleanups.push(prepared.drop);
    env.DATABASE_URL = prepared.databaseUrl;
    process.stderr.write(` ${prepared.seeded.seconds.toFixed(1)} s\n`);

    const storage = await openStorage({ databaseUrl: prepared.databaseUrl || null, dataDir, maxConnections: 2 });
    cleanups.push(() => storage.close());
    const ownAddress = 'owner@bench.example';
    const entranceId = await emailEntrance(storage, secretKey, prepared.seeded.workspaceId, {
      imap: { host, port: options.imapPort, secure: 'none', user: target.user, password: TEST_IMAP_PASSWORD },
      ownAddresses: [ownAddress],
    });

    try {
      runNode(['scripts/build-web.js'], process.env, 'building the web app');
    } catch (err) {
      process.stderr.write(`Note: ${(err as Error).message.split('\n')[0]}; going on without the web app.\n`);
    }

    // The server syncs the account as soon as it starts. The sync writes its cursor row right after
    // EXAMINE (last_uid 0, the window open) and for the last time when the window closes: those two
    // timestamps bracket the initial sync, by Portier's own clock, as the yardstick's timer does.
    const startedAt = performance.now();
    const server: Started = startNode([...(options.profileServer ? ['--cpu-prof', `--cpu-prof-dir=${options.profileServer}`] : []), 'bin/portier.js', 'start'], env);
    cleanups.push(() => server.stop());
    const readyPromise = waitUntilReady(`http://127.0.0.1:${port}/readyz`, server);
    readyPromise.catch(() => {});
    let first: FolderRow | undefined;
    let exactStart = true;
    let t0 = 0;
    for (;;) {
      if (server.child.exitCode !== null) throw new Error(`Portier exited before the sync started:\n${server.output()}`);
      first = await folderRow(storage, entranceId);
      if (first) break;
      if (performance.now() - startedAt > 120_000) throw new Error(`the sync did not start within 120 s:\n${server.output()}`);
      await sleep(5);
    }
    const cpuAtStart = readCpuSeconds(server.pid);
    if (first.last_uid === 0 && first.window_since !== null) t0 = first.updated_at;
    else {
      exactStart = false;
      t0 = Date.now();
    }
    process.stderr.write(`  portier-sync         …`);
    let last = first;
    let lastProgress = Date.now();
    let lastUid = -1;
    while (last.window_since !== null) {
      await sleep(100);
      last = (await folderRow(storage, entranceId))!;
      if (last.last_uid !== lastUid) [lastUid, lastProgress] = [last.last_uid, Date.now()];
      if (server.child.exitCode !== null) throw new Error(`Portier exited during the sync:\n${server.output()}`);
      if (Date.now() - lastProgress > 120_000) throw new Error(`the sync made no progress for 120 s (cursor at UID ${last.last_uid}):\n${server.output()}`);
    }
    const syncSeconds = (last.updated_at - t0) / 1000;
    const syncCpu = (readCpuSeconds(server.pid) - cpuAtStart) / ((Date.now() - t0) / 1000);
    const syncPressure = readCpuPressure();
    const startToReadyMs = await readyPromise;
    const after = await countStored(storage, entranceId);
    rows.push({ name: 'portier-sync', what: `Portier's initial sync (${database}): the same fetches, then parse, classify, thread and store each message, cursor after each batch`, messages: after.n, seconds: syncSeconds, perSecond: after.n / syncSeconds, p50: null, p99: null, max: null, versus: 'baseline-fetch', cpu: syncCpu, pressure: syncPressure });
    process.stderr.write(` ${fmt(after.n / syncSeconds)} messages/s\n`);
    const memory = readMemory(server.pid);

    // (c) IDLE: one message at a time, from the end of its APPEND to the stored row (polled every
    // 2 ms from here) and to the live event on the web app's event stream.
    await sleep(1000); // the loop goes back to IDLE after the pass
    const stream = await openEventStream(`http://127.0.0.1:${port}`, prepared.seeded.apiToken);
    cleanups.push(async () => stream.close());
    const appender = imapClient(target);
    await appender.connect();
    cleanups.push(() => appender.logout().then(() => {}, () => appender.close()));
    // The yardstick: a bare imapflow client idling on the same folder hears of each APPEND too.
    // Dovecot waits 500 ms before it tells IDLE sessions of a change (NOTIFY_DELAY_MSECS in its
    // mailbox-watch.c, to batch changes), which is the floor for any client of this server.
    const watcher = imapClient(target);
    await watcher.connect();
    cleanups.push(() => watcher.logout().then(() => {}, () => watcher.close()));
    await watcher.mailboxOpen('INBOX', { readOnly: true });
    const existsAt: number[] = [];
    watcher.on('exists', () => existsAt.push(performance.now()));
    watcher.idle().catch(() => {});
    const toExists: number[] = [];
    const toStored: number[] = [];
    const toEvent: number[] = [];
    const consumed = new Set<SseEvent>();
    const live = generateMails(options.deliveries, { prefix: `${target.user}-live`, seed: 11 });
    process.stderr.write(`  idle-delivery        …`);
    const cpuBeforeLive = readCpuSeconds(server.pid);
    const liveStart = performance.now();
    for (const mail of live) {
      const heard = existsAt.length;
      await appender.append('INBOX', mail.raw);
      const appended = performance.now();
      const event = stream.next((e) => e.event === 'message.created' && !consumed.has(e), 30_000);
      event.catch(() => {});
      let storedAt: number | null = null;
      while (storedAt === null) {
        const r = await storage.db.selectFrom('message').select('id').where('entrance_id', '=', entranceId).where('external_id', '=', mail.messageId).executeTakeFirst();
        if (r) storedAt = performance.now();
        else if (performance.now() - appended > 30_000) throw new Error(`message ${mail.messageId} was not stored within 30 s of its APPEND:\n${server.output()}`);
        else await sleep(2);
      }
      const e = await event;
      consumed.add(e);
      while (existsAt.length <= heard) {
        if (performance.now() - appended > 30_000) throw new Error('the bare IDLE client heard nothing of the APPEND within 30 s');
        await sleep(2);
      }
      toExists.push(existsAt[heard]! - appended);
      toStored.push(storedAt - appended);
      toEvent.push(e.at - appended);
      await sleep(options.gapMs);
    }
    const liveCpu = (readCpuSeconds(server.pid) - cpuBeforeLive) / ((performance.now() - liveStart) / 1000);
    const livePressure = readCpuPressure();
    process.stderr.write(` p50 ${fmt(percentile([...toEvent].sort((a, b) => a - b), 50), 1)} ms to the event\n`);
    for (const [name, what, values] of [
      ['baseline-idle', 'bare imapflow idling on the same folder: APPEND done → its EXISTS', toExists],
      ['idle-stored', 'APPEND done → the message row visible to another connection (polled every 2 ms)', toStored],
      ['idle-event', 'APPEND done → `message.created` read from GET /api/v1/events', toEvent],
    ] as const) {
      const sorted = [...values].sort((a, b) => a - b);
      rows.push({ name, what, messages: values.length, seconds: null, perSecond: null, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1]!, versus: name === 'baseline-idle' ? null : 'baseline-idle', cpu: name === 'baseline-idle' ? null : liveCpu, pressure: livePressure });
    }
    const added = toEvent.map((t, i) => t - toExists[i]!).sort((a, b) => a - b);
    const final = await countStored(storage, entranceId);
    // An open event stream would hold the server's graceful close (and the CPU profile) for 10 s.
    stream.close();
    await server.stop(30_000);

    const facts: SyncFacts = {
      startToReadyMs,
      exactStart,
      stored: after.n,
      distinct: after.distinct,
      deliveredStored: final.n - after.n,
      idleRssMb: memory.rssMb,
      peakRssMb: memory.peakMb,
      appendSeconds,
      averageBytes,
      portierPartMs: { p50: percentile(added, 50), p99: percentile(added, 99) },
      seed: { conversations: prepared.seeded.conversations, messages: prepared.seeded.messages, seconds: prepared.seeded.seconds },
    };
    const ok = facts.stored === options.messages && facts.distinct === options.messages && facts.deliveredStored === options.deliveries && final.distinct === final.n;
    printReport(options, database, rows, facts, ok);
    if (options.json) {
      writeFileSync(options.json, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, options, facts, rows }, null, 2) + '\n');
    }
    return ok ? 0 : 1;
  } catch (err) {
    console.error(`bench:email: ${(err as Error).message}`);
    return 1;
  } finally {
    await cleanUp();
  }
}

function printReport(options: Options, database: string, rows: Row[], facts: SyncFacts, ok: boolean): void {
  const rate = (name: string | null) => (name ? rows.find((r) => r.name === name)?.perSecond ?? null : null);
  const lines = [
    '',
    `Portier e-mail benchmarks, ${new Date().toISOString().slice(0, 10)}: ${database}, ${fmt(options.messages)} messages of ${fmt(facts.averageBytes)} bytes on average, ` +
      `batches of ${DEFAULT_BATCH_SIZE}, ${options.deliveries} IDLE deliveries; node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
    '',
    '| case | messages | seconds | messages/s | p50 ms | p99 ms | max ms | vs | ratio | process CPU | CPU pressure | CPU ms/message |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => {
      const base = rate(r.versus);
      const ratio = base && r.perSecond ? r.perSecond / base : null;
      const cpuPerMessage = r.cpu !== null && r.perSecond ? (r.cpu * 1000) / r.perSecond : null;
      return `| ${r.name} | ${fmt(r.messages)} | ${fmt(r.seconds, 2)} | ${fmt(r.perSecond)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.max, 1)} | ${r.versus ?? '–'} | ${fmt(ratio, 3)} | ` +
        `${r.cpu === null ? '–' : `${fmt(r.cpu * 100)} %`} | ${r.pressure === null ? '–' : `${fmt(r.pressure)} %`} | ${fmt(cpuPerMessage, 2)} |`;
    }),
    '',
    ...rows.map((r) => `  ${r.name.padEnd(20)} ${r.what}`),
    '',
    `APPEND of the mailbox: ${fmt(options.messages)} messages in ${facts.appendSeconds.toFixed(1)} s. Portier process: start → ready ${fmt(facts.startToReadyMs)} ms, ` +
      `RSS after the sync ${fmt(facts.idleRssMb, 1)} MB, peak ${fmt(facts.peakRssMb, 1)} MB. Seed: ${fmt(facts.seed.conversations)} conversations, ${fmt(facts.seed.messages)} messages in ${facts.seed.seconds.toFixed(1)} s.`,
    `IDLE: Portier's own part of each delivery (the event minus the bare client's EXISTS for the same APPEND): p50 ${fmt(facts.portierPartMs.p50, 1)} ms, p99 ${fmt(facts.portierPartMs.p99, 1)} ms.`,
    ...(facts.exactStart ? [] : ['Note: the sync had stored its first batch before the cursor row was first seen; the sync time is counted from that moment.']),
    ok
      ? `Sync check: ${fmt(options.messages)} APPENDed, ${fmt(facts.stored)} stored, each once; ${options.deliveries} delivered through IDLE, ${facts.deliveredStored} stored: equal.`
      : `Sync check FAILED: ${fmt(options.messages)} APPENDed, ${fmt(facts.stored)} stored (${fmt(facts.distinct)} distinct); ${options.deliveries} delivered through IDLE, ${facts.deliveredStored} stored.`,
  ];
  const busy = rows.filter((r) => (r.pressure ?? 0) > 50);
  if (busy.length) lines.push(`Warning: other work competed for the CPUs during ${busy.map((r) => r.name).join(', ')} (CPU pressure above 50 %): those figures are not comparable. Run again on a quiet machine.`);
  console.log(lines.join('\n'));
}

process.exitCode = await main();
