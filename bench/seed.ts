// The data the benchmarks read: one workspace created the way an administrator does it
// (`portier setup`), then entrances, contacts, conversations and messages written straight into
// the database in large transactions (through the API this would take minutes and measure the
// wrong thing), and a read-only API token for the load generator.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createApiToken } from '../src/accounts/api-tokens.ts';
import { newId } from '../src/core/ids.ts';
import { openStorage, type DbOrTx } from '../src/storage/database.ts';
import type { ContactTable, ConversationTable, EntranceKind, EntranceTable, MessageTable } from '../src/storage/schema.ts';
import { runNode } from './processes.ts';

export interface SeedOptions {
  conversations: number;
  messagesPerConversation: number;
}

export interface Seeded {
  workspaceId: string;
  apiToken: string;
  entrances: number;
  conversations: number;
  messages: number;
  seconds: number;
}

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
const FIRST = ['Anna', 'Luca', 'Sophie', 'Marc', 'Elena', 'Jonas', 'Chiara', 'Nicolas', 'Lea', 'Matteo', 'Julie', 'David'];
const LAST = ['Keller', 'Rossi', 'Favre', 'Meier', 'Bianchi', 'Dubois', 'Huber', 'Moretti', 'Girard', 'Weber'];
const TEXTS = [
  'Bonjour, je cherche une formation en gestion de projet pour mon équipe de huit personnes. Seriez-vous disponible en mars, idéalement deux jours à Lausanne ? Merci de me dire vos tarifs.',
  'Guten Tag, eine Kollegin hat Sie empfohlen. Bieten Sie auch Coaching für Führungskräfte an, online oder in Zürich? Ich würde gerne ein erstes Gespräch vereinbaren.',
  'Buongiorno, ho visto il suo profilo su LinkedIn. Organizziamo un workshop interno sulla comunicazione e cerchiamo una formatrice per una mezza giornata a Lugano.',
  'Hello, thank you for the offer. The dates work for us; could you send the invoice to our accounting address and confirm the room set-up for twelve participants?',
];

/** Creates a PostgreSQL database for one run next to the one `adminUrl` names; `drop` removes it. */
export async function createBenchDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `portier_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

async function insertInChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>, size = 200): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

/** Runs `portier setup` with `env` (which names the database), then fills the workspace. */
export async function seedWorkspace(env: NodeJS.ProcessEnv, options: SeedOptions): Promise<Seeded> {
  const started = performance.now();
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
  try {
    const db = storage.db;
    const workspace = await db.selectFrom('workspace').select('id').where('handle', '=', HANDLE).executeTakeFirstOrThrow();
    const owner = await db.selectFrom('user').select('id').where('workspace_id', '=', workspace.id).where('role', '=', 'owner').executeTakeFirstOrThrow();
    const counts = await db.transaction().execute((tx) => insertInbox(tx, workspace.id, owner.id, options));
    const { secret } = await createApiToken(db, { workspaceId: workspace.id, userId: owner.id, name: 'benchmark', scopes: ['read'] });
    return { workspaceId: workspace.id, apiToken: secret, ...counts, seconds: (performance.now() - started) / 1000 };
  } finally {
    await storage.close();
  }
}

async function insertInbox(db: DbOrTx, workspaceId: string, ownerId: string, options: SeedOptions) {
  const now = Date.now();
  const entrances: EntranceTable[] = ENTRANCES.map(([kind, label], i) => ({
    id: newId(now - 90 * 86_400_000 + i),
    workspace_id: workspaceId,
    kind,
    label,
    public_url: null,
    show_on_storefront: 1,
    config_encrypted: null,
    response_target_minutes: 24 * 60,
    review_interval_days: 90,
    last_reviewed_at: null,
    health: 'ok',
    health_reason: null,
    created_at: now - 90 * 86_400_000,
    updated_at: now - 90 * 86_400_000,
    archived_at: null,
  }));
  await db.insertInto('entrance').values(entrances).execute();

  const contacts: ContactTable[] = [];
  const conversations: ConversationTable[] = [];
  const messages: MessageTable[] = [];
  for (let i = 0; i < options.conversations; i++) {
    const entrance = entrances[i % entrances.length]!;
    // Newest first, a few minutes apart: 1,000 conversations span about five days.
    const last = now - i * 7 * 60_000;
    const first = last - (options.messagesPerConversation - 1) * 3_600_000;
    const contactId = newId(first);
    contacts.push({
      id: contactId,
      workspace_id: workspaceId,
      display_name: `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`,
      stage: 'inquiry',
      first_entrance_id: entrance.id,
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
    conversations.push({
      id: conversationId,
      workspace_id: workspaceId,
      contact_id: contactId,
      entrance_id: entrance.id,
      thread_key: `bench-${i}`,
      subject: `Demande ${i + 1}`,
      status,
      awaiting_since: awaiting ? last : null,
      last_message_at: last,
      snoozed_until: null,
      created_at: first,
      updated_at: last,
      preview: `Bonjour, message ${options.messagesPerConversation} de la demande ${i + 1}`,
    });
    for (let j = 0; j < options.messagesPerConversation; j++) {
      // Alternating inbound and outbound, ending inbound when the conversation waits for an answer.
      const inbound = (options.messagesPerConversation - 1 - j) % 2 === 0 ? awaiting || j === 0 : false;
      const sentAt = first + j * 3_600_000;
      messages.push({
        id: newId(sentAt),
        workspace_id: workspaceId,
        conversation_id: conversationId,
        entrance_id: entrance.id,
        direction: inbound ? 'inbound' : 'outbound',
        external_id: inbound ? `bench-${i}-${j}` : null,
        identity_id: null,
        author_user_id: inbound ? null : ownerId,
        subject: null,
        text: TEXTS[(i + j) % TEXTS.length]!,
        html: null,
        sent_at: sentAt,
        delivery_state: inbound ? 'received' : 'sent',
        delivery_error: null,
        created_at: sentAt,
        meta: null,
      });
    }
  }
  await insertInChunks(contacts, (chunk) => db.insertInto('contact').values(chunk).execute());
  await insertInChunks(conversations, (chunk) => db.insertInto('conversation').values(chunk).execute());
  await insertInChunks(messages, (chunk) => db.insertInto('message').values(chunk).execute());
  return { entrances: entrances.length, conversations: conversations.length, messages: messages.length };
}
