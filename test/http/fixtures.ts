// Rows the HTTP API cannot create yet (contacts, conversations, messages), inserted directly with
// Kysely as the ingest pipeline would, plus cheap sign-ins that skip the argon2 hash.
import { previewOf } from '../../src/core/preview.ts';
import type { LightMyRequestResponse } from 'fastify';
import { newId } from '../../src/core/ids.ts';
import { createSession, SESSION_COOKIE } from '../../src/accounts/sessions.ts';
import { createApiToken } from '../../src/accounts/api-tokens.ts';
import type { Db } from '../../src/storage/database.ts';
import type { ContactTable, ConversationTable, Database, EntranceTable, MessageTable } from '../../src/storage/schema.ts';
import type { TestApp } from '../support/app.ts';

export async function insertEntrance(db: Db, workspaceId: string, over: Partial<EntranceTable> = {}): Promise<EntranceTable> {
  const now = over.created_at ?? Date.now();
  const row: EntranceTable = {
    id: newId(now),
    workspace_id: workspaceId,
    kind: 'email',
    label: 'E-mail',
    public_url: null,
    show_on_storefront: 0,
    config_encrypted: null,
    response_target_minutes: 1440,
    review_interval_days: null,
    last_reviewed_at: null,
    health: 'unknown',
    health_reason: null,
    created_at: now,
    updated_at: now,
    archived_at: null,
    ...over,
  };
  await db.insertInto('entrance').values(row).execute();
  return row;
}

export async function insertContact(db: Db, workspaceId: string, over: Partial<ContactTable> = {}): Promise<ContactTable> {
  const now = over.created_at ?? Date.now();
  const row: ContactTable = {
    id: newId(now),
    workspace_id: workspaceId,
    display_name: 'Anna Muster',
    stage: 'inquiry',
    first_entrance_id: null,
    referred_by_contact_id: null,
    referred_by_text: null,
    notes: null,
    next_action: null,
    next_action_at: null,
    merged_into_id: null,
    created_at: now,
    updated_at: now,
    ...over,
  };
  await db.insertInto('contact').values(row).execute();
  return row;
}

export async function insertConversation(
  db: Db,
  ids: { workspaceId: string; contactId: string; entranceId: string },
  over: Partial<ConversationTable> = {},
): Promise<ConversationTable> {
  const now = over.created_at ?? Date.now();
  const id = over.id ?? newId(now);
  const row: ConversationTable = {
    id,
    workspace_id: ids.workspaceId,
    contact_id: ids.contactId,
    entrance_id: ids.entranceId,
    thread_key: `thread-${id}`,
    subject: null,
    status: 'waiting',
    awaiting_since: now,
    last_message_at: now,
    snoozed_until: null,
    created_at: now,
    updated_at: now,
    preview: null,
    snooze_condition: null,
    follow_up_since: null,
    ...over,
  };
  await db.insertInto('conversation').values(row).execute();
  return row;
}

export async function insertMessage(
  db: Db,
  c: Pick<ConversationTable, 'id' | 'workspace_id' | 'entrance_id'>,
  over: Partial<MessageTable> = {},
): Promise<MessageTable> {
  const now = over.sent_at ?? Date.now();
  const row: MessageTable = {
    id: newId(now),
    workspace_id: c.workspace_id,
    conversation_id: c.id,
    entrance_id: c.entrance_id,
    direction: 'inbound',
    external_id: null,
    identity_id: null,
    author_user_id: null,
    subject: null,
    text: 'Bonjour, avez-vous encore de la place en mars ?',
    html: null,
    sent_at: now,
    delivery_state: 'received',
    delivery_error: null,
    created_at: now,
    meta: null,
    ...over,
  };
  await db.insertInto('message').values(row).execute();
  // As ingestion does: the conversation shows its latest message in the inbox list.
  await db.updateTable('conversation').set({ preview: previewOf(row.text) }).where('id', '=', c.id).where('last_message_at', '<=', row.sent_at).execute();
  return row;
}

export async function countRows(db: Db, table: keyof Database): Promise<number> {
  const r = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Row counts of the given tables, to prove that a refused request stored nothing. */
export async function countAll(db: Db, tables: Array<keyof Database>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = await countRows(db, t);
  return out;
}

export interface Caller {
  headers: Record<string, string>;
  request(opts: RequestOptions): Promise<LightMyRequestResponse>;
}

export interface RequestOptions {
  method: string;
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
  /** Sign-in, setup and password routes are rate-limited per address: vary it to test them at length. */
  remoteAddress?: string;
}

function caller(t: TestApp, headers: Record<string, string>): Caller {
  return {
    headers,
    request: (opts) =>
      t.app.inject({
        method: opts.method as 'GET',
        url: opts.url,
        ...(opts.payload === undefined ? {} : { payload: opts.payload as object }),
        headers: { ...headers, ...opts.headers },
        ...(opts.remoteAddress ? { remoteAddress: opts.remoteAddress } : {}),
      }),
  };
}

/** A fresh session for an existing user, as if they had signed in (without the password hash cost). */
export async function sessionOf(t: TestApp, user: { userId: string; workspaceId: string }): Promise<Caller> {
  const s = await createSession(t.ctx.storage.db, { id: user.userId, workspace_id: user.workspaceId }, {});
  return caller(t, { cookie: `${SESSION_COOKIE}=${s.token}`, 'x-csrf-token': s.csrfToken });
}

/** A fresh API token for an existing user. */
export async function tokenOf(t: TestApp, user: { userId: string; workspaceId: string }, scopes: Array<'read' | 'write'> = ['read', 'write']): Promise<Caller & { tokenId: string }> {
  const { row, secret } = await createApiToken(t.ctx.storage.db, { workspaceId: user.workspaceId, userId: user.userId, name: 'test', scopes });
  return { ...caller(t, { authorization: `Bearer ${secret}` }), tokenId: row.id };
}

/** Every problem response has the same shape and media type. */
export function problemOf(res: Pick<LightMyRequestResponse, 'headers' | 'statusCode' | 'body' | 'json'>): { type: string; title: string; status: number; code: string; detail?: string; errors?: Array<{ field: string; message: string }> } {
  if (!String(res.headers['content-type']).startsWith('application/problem+json')) {
    throw new Error(`expected application/problem+json, got ${res.headers['content-type']} (${res.statusCode} ${res.body.slice(0, 200)})`);
  }
  const body = res.json();
  for (const field of ['type', 'title', 'status', 'code']) {
    if (!(field in body)) throw new Error(`problem without "${field}": ${res.body}`);
  }
  if (body.status !== res.statusCode) throw new Error(`problem status ${body.status} differs from HTTP status ${res.statusCode}`);
  return body;
}
