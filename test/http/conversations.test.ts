import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects } from '../support/databases.ts';
import { createTestApp, setUpWorkspace, type TestApp } from '../support/app.ts';
import type { Db } from '../../src/storage/database.ts';
import type { ConversationTable, EntranceTable } from '../../src/storage/schema.ts';
import { insertContact, insertConversation, insertEntrance, insertMessage, problemOf, sessionOf, type Caller } from './fixtures.ts';

const dialects = await availableDialects();

type View = 'waiting' | 'open' | 'snoozed' | 'done';
const MINUTE = 60_000;

/** The inbox rules, restated independently of the SQL: which view shows a conversation, in what order. */
function expectedIds(rows: ConversationTable[], view: View, now: number, entranceId?: string): string[] {
  const awake = (c: ConversationTable) => c.snoozed_until === null || c.snoozed_until <= now;
  const shown = rows.filter((c) => {
    if (entranceId && c.entrance_id !== entranceId) return false;
    if (view === 'waiting') return c.awaiting_since !== null && c.status !== 'closed' && awake(c);
    if (view === 'open') return c.status !== 'closed' && awake(c);
    if (view === 'snoozed') return c.snoozed_until !== null && c.snoozed_until > now;
    return c.status === 'closed';
  });
  const key = (c: ConversationTable) => (view === 'waiting' ? c.awaiting_since! : view === 'snoozed' ? c.snoozed_until! : c.last_message_at);
  const asc = view === 'waiting' || view === 'snoozed';
  const cmp = (x: ConversationTable, y: ConversationTable) => (key(x) - key(y) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)) * (asc ? 1 : -1);
  return shown.sort(cmp).map((c) => c.id);
}

describe.each(dialects)('conversations on %s', (dialect) => {
  let t: TestApp;
  let db: Db;
  let me: Caller;
  let workspaceId: string;
  let userId: string;
  let email: EntranceTable;
  let telegram: EntranceTable;
  const rows: ConversationTable[] = [];
  const now = Date.now();

  beforeAll(async () => {
    t = await createTestApp(dialect);
    db = t.ctx.storage.db;
    const owner = await setUpWorkspace(t);
    workspaceId = owner.workspaceId;
    userId = owner.userId;
    me = await sessionOf(t, owner);
    email = await insertEntrance(db, workspaceId, { kind: 'email', label: 'E-mail' });
    telegram = await insertEntrance(db, workspaceId, { kind: 'telegram', label: 'Telegram' });
    const contact = await insertContact(db, workspaceId, { display_name: 'Anna Muster' });

    // A mix that exercises every rule: ties on the sort value (so the id decides), snoozes in the
    // past and future, closed conversations that still carry an awaiting clock.
    const specs: Array<Partial<ConversationTable>> = [];
    for (let i = 0; i < 23; i++) {
      const at = now - (100 - Math.floor(i / 3)) * MINUTE; // groups of three share awaiting_since
      specs.push({ status: 'waiting', awaiting_since: at, last_message_at: at + (i % 2) * MINUTE });
    }
    for (let i = 0; i < 7; i++) specs.push({ status: 'open', awaiting_since: null, last_message_at: now - (50 - Math.floor(i / 2)) * MINUTE });
    for (let i = 0; i < 5; i++) specs.push({ status: 'waiting', awaiting_since: now - 30 * MINUTE, last_message_at: now - 30 * MINUTE, snoozed_until: now + (i + 1) * 60 * MINUTE });
    specs.push({ status: 'open', awaiting_since: null, last_message_at: now - 5 * MINUTE, snoozed_until: now + 10 * MINUTE });
    specs.push({ status: 'waiting', awaiting_since: now - 200 * MINUTE, last_message_at: now - 200 * MINUTE, snoozed_until: now - MINUTE }); // woke up
    for (let i = 0; i < 9; i++) specs.push({ status: 'closed', awaiting_since: i === 0 ? now - 300 * MINUTE : null, last_message_at: now - (20 - Math.floor(i / 3)) * MINUTE });

    await db.transaction().execute(async (tx) => {
      for (const [i, spec] of specs.entries()) {
        const entranceId = i % 3 === 0 ? telegram.id : email.id;
        const c = await insertConversation(tx, { workspaceId, contactId: contact.id, entranceId }, { subject: `Subject ${i}`, created_at: now - 1000 * MINUTE + i, ...spec });
        await insertMessage(tx, c, { text: `first of ${i}`, sent_at: c.last_message_at - MINUTE });
        await insertMessage(tx, c, { text: `latest   of\n${i}`, sent_at: c.last_message_at });
        rows.push(c);
      }
    });

    // Another workspace's conversations never appear.
    const other = await setUpWorkspace(t);
    const otherEntrance = await insertEntrance(db, other.workspaceId);
    const otherContact = await insertContact(db, other.workspaceId);
    for (const status of ['waiting', 'open', 'closed'] as const) {
      await insertConversation(db, { workspaceId: other.workspaceId, contactId: otherContact.id, entranceId: otherEntrance.id }, { status, snoozed_until: status === 'open' ? now + MINUTE : null });
    }
  });
  afterAll(async () => t?.dispose());

  async function walk(view: View, limit: number, extra = ''): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url = `/api/v1/conversations?view=${view}&limit=${limit}${extra}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await me.request({ method: 'GET', url });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
      const body = res.json() as { items: Array<{ id: string }>; nextCursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(limit);
      if (body.nextCursor) expect(body.items.length).toBe(limit);
      ids.push(...body.items.map((i) => i.id));
      cursor = body.nextCursor;
      pages += 1;
      expect(pages, 'pagination terminates').toBeLessThan(100);
    } while (cursor);
    return { ids, pages };
  }

  it('each view shows the right conversations in the right order', async () => {
    for (const view of ['waiting', 'open', 'snoozed', 'done'] as const) {
      const res = await me.request({ method: 'GET', url: `/api/v1/conversations?view=${view}&limit=200` });
      expect(res.statusCode).toBe(200);
      expect(res.json().items.map((i: { id: string }) => i.id), view).toEqual(expectedIds(rows, view, now));
      expect(res.json().nextCursor).toBeNull();
    }
    // The sizes the fixture was built for, so the rules above are not vacuous.
    expect(expectedIds(rows, 'waiting', now)).toHaveLength(24);
    expect(expectedIds(rows, 'open', now)).toHaveLength(31);
    expect(expectedIds(rows, 'snoozed', now)).toHaveLength(6);
    expect(expectedIds(rows, 'done', now)).toHaveLength(9);
  });

  it('waiting is the default view, oldest awaiting first', async () => {
    const res = await me.request({ method: 'GET', url: '/api/v1/conversations' });
    const items = res.json().items as Array<{ awaitingSince: number; status: string }>;
    expect(items.map((i) => i.awaitingSince)).toEqual([...items.map((i) => i.awaitingSince)].sort((x, y) => x - y));
    expect(items[0]!.awaitingSince).toBe(now - 200 * MINUTE); // the conversation whose snooze ended
    expect(items.every((i) => i.status !== 'closed')).toBe(true);
  });

  it('a summary carries contact, entrance and a one-line preview of the latest message', async () => {
    const res = await me.request({ method: 'GET', url: '/api/v1/conversations?view=done&limit=1' });
    const [item] = res.json().items;
    const row = rows.find((r) => r.id === item.id)!;
    const index = rows.indexOf(row);
    expect(item).toMatchObject({
      id: row.id,
      contact: { id: row.contact_id, displayName: 'Anna Muster' },
      entrance: row.entrance_id === telegram.id ? { id: telegram.id, kind: 'telegram', label: 'Telegram' } : { id: email.id, kind: 'email', label: 'E-mail' },
      subject: `Subject ${index}`,
      status: 'closed',
      awaitingSince: row.awaiting_since,
      lastMessageAt: row.last_message_at,
      preview: `latest of ${index}`,
    });
  });

  it('keyset pagination walks every view without duplicates or gaps, whatever the page size', async () => {
    for (const view of ['waiting', 'open', 'snoozed', 'done'] as const) {
      for (const limit of [1, 2, 3, 4, 7, 50]) {
        const { ids, pages } = await walk(view, limit);
        const expected = expectedIds(rows, view, now);
        expect(ids, `${view} by ${limit}`).toEqual(expected);
        expect(new Set(ids).size).toBe(ids.length);
        expect(pages).toBe(Math.max(1, Math.ceil(expected.length / limit)));
      }
    }
  });

  it('a page size that divides the total exactly ends with nextCursor null, not an empty page', async () => {
    const total = expectedIds(rows, 'done', now).length; // 9
    const { pages } = await walk('done', total / 3);
    expect(pages).toBe(3);
  });

  it('rows added while paging do not make others repeat or vanish', async () => {
    const first = await me.request({ method: 'GET', url: '/api/v1/conversations?view=done&limit=4' });
    const seen = first.json().items.map((i: { id: string }) => i.id);
    // A newer closed conversation arrives: it sorts before the cursor, so it is not on later pages.
    const contact = await insertContact(db, workspaceId);
    const late = await insertConversation(db, { workspaceId, contactId: contact.id, entranceId: email.id }, { status: 'closed', last_message_at: now });
    let cursor: string | null = first.json().nextCursor;
    while (cursor) {
      const res = await me.request({ method: 'GET', url: `/api/v1/conversations?view=done&limit=4&cursor=${cursor}` });
      seen.push(...res.json().items.map((i: { id: string }) => i.id));
      cursor = res.json().nextCursor;
    }
    expect(seen).toEqual(expectedIds(rows, 'done', now));
    await db.deleteFrom('conversation').where('id', '=', late.id).execute();
  });

  it('the entrance filter applies to every view and to every page', async () => {
    for (const view of ['waiting', 'open', 'snoozed', 'done'] as const) {
      const { ids } = await walk(view, 3, `&entranceId=${telegram.id}`);
      expect(ids, view).toEqual(expectedIds(rows, view, now, telegram.id));
    }
    const unknown = await me.request({ method: 'GET', url: '/api/v1/conversations?view=open&entranceId=no-such-entrance' });
    expect(unknown.json()).toEqual({ items: [], nextCursor: null });
  });

  it('a cursor this API did not issue is refused with 400', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    const bad = [
      'garbage',
      '!!!',
      b64('[1, 2]'),
      b64('{"value": 1, "id": "x"}'),
      b64('["1", "x"]'),
      b64('[1e999, "x"]'), // Infinity: not a timestamp
      b64('[1.5, "x"]'),
      b64('[1, "a\\u0000b"]'), // a NUL the database cannot compare
      b64(`[1, "${'x'.repeat(120)}"]`),
      b64('null'),
      '',
    ];
    for (const cursor of bad) {
      const res = await me.request({ method: 'GET', url: `/api/v1/conversations?view=open&cursor=${encodeURIComponent(cursor)}` });
      expect(res.statusCode, `cursor ${JSON.stringify(cursor)}: ${res.body}`).toBe(cursor === '' ? 200 : 400);
      if (cursor !== '') expect(problemOf(res).code).toBe('validation_failed');
    }
    const tooLong = await me.request({ method: 'GET', url: `/api/v1/conversations?cursor=${'a'.repeat(201)}` });
    expect(tooLong.statusCode).toBe(400);
  });

  it('a bad view or limit is refused with 400 naming the parameter', async () => {
    for (const [query, field] of [['view=inbox', 'querystring.view'], ['limit=0', 'querystring.limit'], ['limit=201', 'querystring.limit'], ['limit=ten', 'querystring.limit'], ['limit=2.5', 'querystring.limit'], ['sort=asc', 'querystring.sort']] as const) {
      const res = await me.request({ method: 'GET', url: `/api/v1/conversations?${query}` });
      expect(res.statusCode, query).toBe(400);
      expect(problemOf(res).errors?.[0]?.field, query).toBe(field);
    }
  });

  it('the detail shows the conversation and its messages in the order they were sent, with authors', async () => {
    const contact = await insertContact(db, workspaceId, { display_name: 'Bruno Keller' });
    const c = await insertConversation(db, { workspaceId, contactId: contact.id, entranceId: email.id }, { subject: 'Kurs im März', status: 'open', awaiting_since: null, last_message_at: now });
    // Inserted out of order on purpose; two share a timestamp.
    const m3 = await insertMessage(db, c, { direction: 'outbound', author_user_id: userId, text: 'Ja, gerne.', sent_at: now, delivery_state: 'sent' });
    const m1 = await insertMessage(db, c, { text: 'Guten Tag', sent_at: now - 2 * MINUTE });
    const m2 = await insertMessage(db, c, { direction: 'note', author_user_id: userId, text: 'Call him back', sent_at: now - MINUTE, delivery_state: 'sent' });
    const res = await me.request({ method: 'GET', url: `/api/v1/conversations/${c.id}` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.conversation).toMatchObject({ id: c.id, subject: 'Kurs im März', status: 'open', contact: { id: contact.id, displayName: 'Bruno Keller' }, entrance: { id: email.id, kind: 'email' }, preview: 'Ja, gerne.' });
    expect(body.messages).toMatchObject([
      { id: m1.id, direction: 'inbound', text: 'Guten Tag', sentAt: now - 2 * MINUTE, deliveryState: 'received', authorName: null },
      { id: m2.id, direction: 'note', text: 'Call him back', sentAt: now - MINUTE, deliveryState: 'sent', authorName: 'Claire Dubois' },
      { id: m3.id, direction: 'outbound', text: 'Ja, gerne.', sentAt: now, deliveryState: 'sent', authorName: 'Claire Dubois' },
    ]);
  });

  it('a conversation without messages has an empty preview', async () => {
    const contact = await insertContact(db, workspaceId);
    const c = await insertConversation(db, { workspaceId, contactId: contact.id, entranceId: email.id }, { status: 'closed', last_message_at: now - 999 * MINUTE });
    const res = await me.request({ method: 'GET', url: `/api/v1/conversations/${c.id}` });
    expect(res.json()).toMatchObject({ conversation: { preview: '' }, messages: [] });
    await db.deleteFrom('conversation').where('id', '=', c.id).execute();
  });

  it('an unknown conversation is a 404 problem', async () => {
    const res = await me.request({ method: 'GET', url: '/api/v1/conversations/01890000-0000-7000-8000-000000000000' });
    expect(res.statusCode).toBe(404);
    expect(problemOf(res).code).toBe('not_found');
  });
});
