// The data the benchmarks read: one workspace created the way an administrator does it
// (`portier setup`), then entrances, contacts, conversations and messages written straight into
// the database (through the API this would take hours and measure the wrong thing), a read-only
// API token for the load generator and a webhook entrance whose signing secret the runner knows.
//
// Fast enough for 100,000 conversations and 1,000,000 messages: on SQLite, better-sqlite3 directly
// with prepared statements in large transactions, the full-text triggers and the secondary indexes
// of `message` dropped during the load and recreated afterwards from their own stored SQL (so they
// are exactly the migration's), then one FTS5 'rebuild'; on PostgreSQL, multi-row inserts of
// 5,000 rows through unnest() with the secondary indexes of `message` (the GIN index of the search
// column among them) likewise recreated from their own definitions after the load.
//
// Large seeds are cached between runs (see seedBench): the SQLite file in /tmp/portier-bench-cache,
// on PostgreSQL a template database `portier_bench_cache_…` from which each run's database is copied.
// The cache key holds the names of the migrations, so a new migration means a fresh seed (a cached
// database could not always be migrated: migrations are applied in name order only).
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { createApiToken } from '../src/accounts/api-tokens.ts';
import { scanContactSuggestions } from '../src/contacts/scan-contact-suggestions.ts';
import { newId } from '../src/core/ids.ts';
import { previewOf } from '../src/core/preview.ts';
import { sealEntranceConfig } from '../src/entrances/entrance-config.ts';
import { createSecretBox } from '../src/security/secret-box.ts';
import { migrations } from '../src/storage/migrations/index.ts';
import { openStorage } from '../src/storage/database.ts';
import type { EntranceKind } from '../src/storage/schema.ts';
import { runNode } from './processes.ts';

export interface SeedOptions {
  conversations: number;
  messagesPerConversation: number;
}

export interface Seeded {
  workspaceId: string;
  apiToken: string;
  /** A webhook entrance for the `ingest` case. */
  webhook: { entranceId: string; secret: string };
  entrances: number;
  conversations: number;
  messages: number;
  seconds: number;
  /** True when the data came from the cache of an earlier run (seconds is then the copy). */
  cached: boolean;
}

/** Seeds this large and larger are cached between runs. */
export const CACHE_FROM_MESSAGES = 100_000;
const CACHE_DIR = join(tmpdir(), 'portier-bench-cache');
/** Bump when the generated data changes, so an old cache is not reused. */
const SEED_VERSION = 3;

const HANDLE = 'bench-atelier';
const ENTRANCES: Array<[EntranceKind, string]> = [
  ['email', 'E-mail'],
  ['webform', 'Contact form'],
  ['booking', 'Booking page'],
  ['whatsapp', 'WhatsApp'],
  ['telegram', 'Telegram'],
  ['linkedin', 'LinkedIn'],
  ['instagram', 'Instagram'],
  ['phone', 'Phone'],
];
const FIRST = ['Anna', 'Luca', 'Sophie', 'Marc', 'Elena', 'Jonas', 'Chiara', 'Nicolas', 'Lea', 'Matteo', 'Julie', 'David', 'Nina', 'Paul', 'Sara', 'Tom'];
const LAST = ['Keller', 'Rossi', 'Favre', 'Meier', 'Bianchi', 'Dubois', 'Huber', 'Moretti', 'Girard', 'Weber', 'Brunner', 'Fontana', 'Morel', 'Schmid'];

// ---------------------------------------------------------------------------------------------
// Message texts: French, German and English sentences from a vocabulary with Zipf-like word
// frequencies (the word of rank r is drawn with probability ∝ 1/r). Deterministic (seeded PRNG),
// so the words the search cases look for mean the same in every run and in a cached seed.
// "bonjour" opens most French messages and "formation" is the second word of the French list:
// each matches hundreds of thousands of the million messages, the worst case for a search.

const WORDS = {
  fr: 'de formation la le pour et je vous les des une en un est que nous avec sur merci pas au du équipe cours atelier projet gestion communication semaine prochaine disponible date tarif devis séance session participants salle journée jours mois demande personnes entreprise collaborateurs possible programme contenu objectifs niveau débutants avancés inscription confirmation facture adresse matin après-midi horaires lieu locaux distance ligne présentiel coaching accompagnement management leadership conflits prise parole efficacité organisation temps stress bien-être sécurité qualité vente client service rapport écrit oral langue anglais allemand italien bureautique excel tableur logiciel numérique réseaux sociaux marketing stratégie budget financement opco attestation certificat évaluation questionnaire besoins attentes retour expérience recommandation collègue directrice responsable ressources humaines'.split(' '),
  de: 'und die der für Sie ich mit das ein eine Schulung Kurs Weiterbildung Team Termin Angebot gerne bitte Woche nächste verfügbar Datum Preis Offerte Teilnehmende Raum Tag Tage Monat Anfrage Personen Firma Mitarbeitende möglich Programm Inhalt Ziele Niveau Anfänger Fortgeschrittene Anmeldung Bestätigung Rechnung Adresse Vormittag Nachmittag Zeiten Ort online vor Coaching Begleitung Führung Konflikte Auftritt Zeitmanagement Stress Qualität Verkauf Kunden Bericht Sprache Englisch Französisch Italienisch Software digital Marketing Strategie Budget Zertifikat Bewertung Bedürfnisse Erwartungen Rückmeldung Erfahrung Empfehlung Kollegin Leiterin Personalabteilung Zürich Bern Basel Luzern'.split(' '),
  en: 'the and to you for we of a in training course workshop team date offer thanks please week next available price quote participants room day days month request people company staff possible programme content goals level beginners advanced registration confirmation invoice address morning afternoon schedule venue online onsite coaching leadership conflict speaking time stress quality sales customer report language english french german software digital marketing strategy budget certificate feedback experience recommendation colleague manager formation'.split(' '),
};
const GREETING = { fr: 'Bonjour', de: 'Guten Tag', en: 'Hello' };
const CLOSING = { fr: 'Merci et belle journée.', de: 'Freundliche Grüsse.', en: 'Best regards.' };
type Lang = keyof typeof WORDS;
/** Invented words for the long tail of each vocabulary (place names, surnames, jargon, typos). */
const SYLLABLES = ['ka', 'lo', 'mi', 'ter', 'ron', 'sel', 'vi', 'du', 'pa', 'gen', 'bra', 'chi', 'dor', 'fel', 'gu', 'har', 'is', 'jo', 'kem', 'lur', 'mo', 'nal', 'or', 'pri', 'qua', 'ris', 'sta', 'tu', 'ul', 'ven'];
const TAIL = 3000;

function vocabulary(lang: Lang): string[] {
  const words = [...WORDS[lang]];
  for (let i = 0; words.length < WORDS[lang].length + TAIL; i++) {
    const a = SYLLABLES[i % SYLLABLES.length]!;
    const b = SYLLABLES[Math.floor(i / SYLLABLES.length) % SYLLABLES.length]!;
    const c = SYLLABLES[Math.floor(i / SYLLABLES.length ** 2) % SYLLABLES.length]!;
    words.push(`${lang === 'de' ? 'z' : lang === 'en' ? 'w' : 'v'}${a}${b}${c}`);
  }
  return words;
}

function zipfCdf(n: number): Float64Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let r = 1; r <= n; r++) cdf[r - 1] = sum += 1 / r;
  for (let i = 0; i < n; i++) cdf[i]! /= sum;
  return cdf;
}

/** mulberry32: a small, fast, seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class TextGenerator {
  private readonly vocab = { fr: vocabulary('fr'), de: vocabulary('de'), en: vocabulary('en') };
  private readonly cdf = { fr: zipfCdf(this.vocab.fr.length), de: zipfCdf(this.vocab.de.length), en: zipfCdf(this.vocab.en.length) };
  private readonly random: () => number;
  constructor(seed = 1) {
    this.random = prng(seed);
  }
  private word(lang: Lang): string {
    const cdf = this.cdf[lang];
    const x = this.random();
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return this.vocab[lang][lo]!;
  }
  /** Half French, a quarter German, a quarter English; 12 to 40 words between greeting and closing. */
  message(): string {
    const x = this.random();
    const lang: Lang = x < 0.5 ? 'fr' : x < 0.75 ? 'de' : 'en';
    const n = 12 + Math.floor(this.random() * 29);
    const words: string[] = [];
    for (let i = 0; i < n; i++) words.push(this.word(lang));
    // Sentences of about eight words.
    let text = this.random() < 0.85 ? `${GREETING[lang]}, ` : '';
    for (let i = 0; i < words.length; i++) text += (i % 8 === 7 ? `${words[i]}. ` : `${words[i]} `);
    return `${text.trimEnd().replace(/[^.]$/, '$&.')} ${CLOSING[lang]}`;
  }
}

/** What the search cases look for: the most frequent words, and two words of the long tail. */
export const SEARCH_WORDS = (() => {
  const fr = vocabulary('fr');
  return { frequent: 'bonjour formation', rare: `${fr[WORDS.fr.length + 350]} ${fr[WORDS.fr.length + 40]}` };
})();

// ---------------------------------------------------------------------------------------------

/** Creates a PostgreSQL database for one run next to the one `adminUrl` names; `drop` removes it. */
export async function createBenchDatabase(adminUrl: string, template?: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `portier_bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name}${template ? ` template ${template}` : ''}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => adminQuery(adminUrl, `drop database if exists ${name} with (force)`).then(() => {}) };
}

async function adminQuery(adminUrl: string, text: string, values?: unknown[]): Promise<pg.QueryResult> {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    return await admin.query(text, values);
  } finally {
    await admin.end();
  }
}

export interface BenchDatabase {
  /** The DATABASE_URL for Portier: '' for SQLite (then env.PORTIER_DATA_DIR holds portier.db). */
  databaseUrl: string;
  seeded: Seeded;
  drop(): Promise<void>;
}

/**
 * Creates the run's database, seeded: from the cache when an earlier run seeded the same size with
 * the same migrations, otherwise with `portier setup` and the bulk load below (then cached, if large).
 * `env` carries PORTIER_DATA_DIR and PORTIER_SECRET_KEY.
 */
export async function seedBench(env: NodeJS.ProcessEnv, adminUrl: string | null, options: SeedOptions & { cache: boolean }): Promise<BenchDatabase> {
  const started = performance.now();
  const dialect = adminUrl ? 'postgres' : 'sqlite';
  const total = options.conversations * options.messagesPerConversation;
  const cacheable = options.cache && total >= CACHE_FROM_MESSAGES;
  const key = createHash('sha256').update(JSON.stringify([SEED_VERSION, dialect, options.conversations, options.messagesPerConversation, Object.keys(migrations), env.PORTIER_SECRET_KEY])).digest('hex').slice(0, 16);
  const infoFile = join(CACHE_DIR, `${key}.json`);
  const dataDir = env.PORTIER_DATA_DIR!;

  if (!adminUrl) {
    const cachedDb = join(CACHE_DIR, `${key}.db`);
    if (cacheable && existsSync(cachedDb) && existsSync(infoFile)) {
      copyFileSync(cachedDb, join(dataDir, 'portier.db'));
      return { databaseUrl: '', seeded: { ...readInfo(infoFile), cached: true, seconds: (performance.now() - started) / 1000 }, drop: async () => {} };
    }
    const seeded = await seedFresh({ ...env, DATABASE_URL: '' }, options, started);
    if (cacheable) {
      mkdirSync(CACHE_DIR, { recursive: true, mode: 0o700 });
      const db = new SQLite(join(dataDir, 'portier.db'));
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      copyFileSync(join(dataDir, 'portier.db'), `${cachedDb}.tmp`);
      renameSync(`${cachedDb}.tmp`, cachedDb);
      writeInfo(infoFile, seeded);
    }
    return { databaseUrl: '', seeded, drop: async () => {} };
  }

  const template = `portier_bench_cache_${key}`;
  if (cacheable && existsSync(infoFile) && (await adminQuery(adminUrl, 'select 1 from pg_database where datname = $1', [template])).rowCount) {
    const database = await createBenchDatabase(adminUrl, template);
    return { databaseUrl: database.url, seeded: { ...readInfo(infoFile), cached: true, seconds: (performance.now() - started) / 1000 }, drop: database.drop };
  }
  const database = await createBenchDatabase(adminUrl);
  try {
    const seeded = await seedFresh({ ...env, DATABASE_URL: database.url }, options, started);
    if (cacheable) {
      await adminQuery(adminUrl, `drop database if exists ${template} with (force)`);
      await adminQuery(adminUrl, `create database ${template} template ${database.name}`);
      mkdirSync(CACHE_DIR, { recursive: true, mode: 0o700 });
      writeInfo(infoFile, seeded);
    }
    return { databaseUrl: database.url, seeded, drop: database.drop };
  } catch (err) {
    await database.drop();
    throw err;
  }
}

// The cache file holds the benchmark workspace's API token and webhook secret (for a throw-away
// database on this machine only): readable by the user alone.
function writeInfo(file: string, seeded: Seeded): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(seeded), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
const readInfo = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Seeded;

async function seedFresh(env: NodeJS.ProcessEnv, options: SeedOptions, started: number): Promise<Seeded> {
  const secrets = mkdtempSync(join(tmpdir(), 'portier-bench-secret-'));
  try {
    const passwordFile = join(secrets, 'password');
    writeFileSync(passwordFile, 'bench correct horse battery\n', { mode: 0o600 });
    runNode(
      ['bin/portier.js', 'setup', '--email', 'owner@bench.example', '--password-file', passwordFile, '--handle', HANDLE, '--name', 'Atelier Bench', '--locale', 'fr', '--languages', 'fr,de,it,en'],
      env,
      'portier setup',
    );
  } finally {
    rmSync(secrets, { recursive: true, force: true });
  }

  const storage = await openStorage({ databaseUrl: env.DATABASE_URL || null, dataDir: env.PORTIER_DATA_DIR! });
  let workspaceId: string;
  let ownerId: string;
  let apiToken: string;
  try {
    const db = storage.db;
    workspaceId = (await db.selectFrom('workspace').select('id').where('handle', '=', HANDLE).executeTakeFirstOrThrow()).id;
    ownerId = (await db.selectFrom('user').select('id').where('workspace_id', '=', workspaceId).where('role', '=', 'owner').executeTakeFirstOrThrow()).id;
    apiToken = (await createApiToken(db, { workspaceId, userId: ownerId, name: 'benchmark', scopes: ['read'] })).secret;
  } finally {
    await storage.close();
  }

  const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const sink = env.DATABASE_URL ? await postgresSink(env.DATABASE_URL) : sqliteSink(join(env.PORTIER_DATA_DIR!, 'portier.db'));
  let counts: { entrances: number; conversations: number; messages: number; webhookEntranceId: string };
  try {
    counts = await generate(sink, { workspaceId, ownerId, webhookConfig: sealEntranceConfig(createSecretBox(env.PORTIER_SECRET_KEY!), { signingSecret: webhookSecret })! }, options);
  } finally {
    await sink.close();
  }
  // The look-alike scan's first pass, done here as a long-running installation has done it: the
  // benchmark measures the steady state, not a background backfill competing with every request.
  const scanned = await openStorage({ databaseUrl: env.DATABASE_URL || null, dataDir: env.PORTIER_DATA_DIR! });
  try {
    while ((await scanContactSuggestions(scanned.db, { graceMs: 0, limitPerWorkspace: 10_000 })) > 0);
  } finally {
    await scanned.close();
  }
  return {
    workspaceId,
    apiToken,
    webhook: { entranceId: counts.webhookEntranceId, secret: webhookSecret },
    entrances: counts.entrances,
    conversations: counts.conversations,
    messages: counts.messages,
    seconds: (performance.now() - started) / 1000,
    cached: false,
  };
}

type Row = Record<string, string | number | null>;
interface Sink {
  /** Inserts rows of one table (all with the same columns); called in chunks of a few thousand. */
  insert(table: 'entrance' | 'contact' | 'conversation' | 'message', rows: Row[]): Promise<void>;
  /** After the last insert: secondary indexes and full-text index rebuilt, statistics updated. */
  finish(): Promise<void>;
  close(): Promise<void>;
}

async function generate(sink: Sink, ws: { workspaceId: string; ownerId: string; webhookConfig: string }, options: SeedOptions) {
  const now = Date.now();
  const texts = new TextGenerator(SEED_VERSION);
  const entrance = (kind: EntranceKind, label: string, i: number, config: string | null): Row => ({
    id: newId(now - 90 * 86_400_000 + i),
    workspace_id: ws.workspaceId,
    kind,
    label,
    public_url: null,
    show_on_storefront: kind === 'webhook' ? 0 : 1,
    config_encrypted: config,
    response_target_minutes: 24 * 60,
    review_interval_days: 90,
    last_reviewed_at: null,
    health: 'ok',
    health_reason: null,
    created_at: now - 90 * 86_400_000,
    updated_at: now - 90 * 86_400_000,
    archived_at: null,
  });
  const entrances = ENTRANCES.map(([kind, label], i) => entrance(kind, label, i, null));
  const webhook = entrance('webhook', 'Webhook (benchmark)', ENTRANCES.length, ws.webhookConfig);
  await sink.insert('entrance', [...entrances, webhook]);

  const m = options.messagesPerConversation;
  const CHUNK = 2000;
  let messageCount = 0;
  for (let start = 0; start < options.conversations; start += CHUNK) {
    const contacts: Row[] = [];
    const conversations: Row[] = [];
    const messages: Row[] = [];
    for (let i = start; i < Math.min(options.conversations, start + CHUNK); i++) {
      const door = entrances[i % entrances.length]!;
      // Newest first, seven minutes apart: 1,000 conversations span about five days, 100,000 about
      // sixteen months.
      const last = now - i * 7 * 60_000;
      const first = last - (m - 1) * 3_600_000;
      const contactId = newId(first);
      contacts.push({
        id: contactId,
        workspace_id: ws.workspaceId,
        display_name: `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`,
        stage: 'inquiry',
        first_entrance_id: door.id as string,
        referred_by_contact_id: null,
        referred_by_text: null,
        notes: null,
        next_action: null,
        next_action_at: null,
        merged_into_id: null,
        created_at: first,
        updated_at: last,
      });
      // Four in five are open (half of those wait for an answer), one in five is closed.
      const status = i % 5 === 4 ? 'closed' : i % 5 === 3 ? 'waiting' : 'open';
      const awaiting = status !== 'closed' && i % 2 === 0;
      const conversationId = newId(first);
      let lastText = '';
      for (let j = 0; j < m; j++) {
        // Alternating inbound and outbound, ending inbound when the conversation waits for an answer.
        const inbound = (m - 1 - j) % 2 === 0 ? awaiting || j === 0 : false;
        const sentAt = first + j * 3_600_000;
        lastText = texts.message();
        messages.push({
          id: newId(sentAt),
          workspace_id: ws.workspaceId,
          conversation_id: conversationId,
          entrance_id: door.id as string,
          direction: inbound ? 'inbound' : 'outbound',
          external_id: inbound ? `bench-${i}-${j}` : null,
          identity_id: null,
          author_user_id: inbound ? null : ws.ownerId,
          subject: null,
          text: lastText,
          html: null,
          sent_at: sentAt,
          delivery_state: inbound ? 'received' : 'sent',
          delivery_error: null,
          created_at: sentAt,
          meta: null,
        });
      }
      conversations.push({
        id: conversationId,
        workspace_id: ws.workspaceId,
        contact_id: contactId,
        entrance_id: door.id as string,
        thread_key: `bench-${i}`,
        subject: `Demande ${i + 1}`,
        status,
        // The clock started with the oldest unanswered message: the last one here.
        awaiting_since: awaiting ? last : null,
        last_message_at: last,
        snoozed_until: null,
        created_at: first,
        updated_at: last,
        preview: previewOf(lastText),
      });
    }
    await sink.insert('contact', contacts);
    await sink.insert('conversation', conversations);
    await sink.insert('message', messages);
    messageCount += messages.length;
  }
  await sink.finish();
  return { entrances: entrances.length + 1, conversations: options.conversations, messages: messageCount, webhookEntranceId: webhook.id as string };
}

function sqliteSink(path: string): Sink {
  const db = new SQLite(path);
  // A benchmark seed, rebuilt from scratch if the machine crashes: no fsync per transaction.
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  db.pragma('foreign_keys = OFF');
  // The full-text triggers and the secondary indexes of `message` go for the load and come back from
  // their own stored SQL (so exactly as the migrations made them).
  const saved = db.prepare(`select type, name, sql from sqlite_master where tbl_name = 'message' and type in ('trigger', 'index') and sql is not null`).all() as Array<{ type: string; name: string; sql: string }>;
  for (const o of saved) db.exec(`drop ${o.type} "${o.name}"`);
  const statements = new Map<string, SQLite.Statement>();
  return {
    async insert(table, rows) {
      if (!rows.length) return;
      const columns = Object.keys(rows[0]!);
      let statement = statements.get(table);
      if (!statement) {
        statement = db.prepare(`insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`);
        statements.set(table, statement);
      }
      const s = statement;
      db.transaction(() => {
        for (const row of rows) s.run(row);
      })();
    },
    async finish() {
      for (const o of saved.filter((x) => x.type === 'index')) db.exec(o.sql);
      db.exec(`insert into message_fts(message_fts) values ('rebuild')`);
      for (const o of saved.filter((x) => x.type === 'trigger')) db.exec(o.sql);
      db.exec('analyze');
    },
    async close() {
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

const PG_TYPES: Record<string, string> = {
  show_on_storefront: 'integer', response_target_minutes: 'integer', review_interval_days: 'integer',
  last_reviewed_at: 'bigint', created_at: 'bigint', updated_at: 'bigint', archived_at: 'bigint', next_action_at: 'bigint',
  awaiting_since: 'bigint', last_message_at: 'bigint', snoozed_until: 'bigint', sent_at: 'bigint',
};

async function postgresSink(url: string): Promise<Sink> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('set synchronous_commit = off');
  const saved = (await client.query<{ indexname: string; indexdef: string }>(
    `select i.indexname, i.indexdef from pg_indexes i
     where i.schemaname = current_schema() and i.tablename = 'message'
       and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
  )).rows;
  for (const i of saved) await client.query(`drop index "${i.indexname}"`);
  return {
    async insert(table, rows) {
      if (!rows.length) return;
      const columns = Object.keys(rows[0]!);
      for (let at = 0; at < rows.length; at += 5000) {
        const chunk = rows.slice(at, at + 5000);
        const arrays = columns.map((c) => chunk.map((r) => r[c]));
        await client.query(
          `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) select * from unnest(${columns.map((c, i) => `$${i + 1}::${PG_TYPES[c] ?? 'text'}[]`).join(', ')})`,
          arrays,
        );
      }
    },
    async finish() {
      await client.query('set maintenance_work_mem = \'512MB\'');
      for (const i of saved) await client.query(i.indexdef);
      await client.query('vacuum analyze');
    },
    async close() {
      await client.end();
    },
  };
}
