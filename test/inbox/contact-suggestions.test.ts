// "Possibly the same person": weak evidence is suggested, never linked; the owner confirms (the
// recorded, undoable merge) or dismisses (remembered for the pair). Real app, both dialects.
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Database } from '../../src/storage/schema.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects } from '../support/databases.ts';
import { createTestApp, setUpWorkspace, type SignedIn, type TestApp } from '../support/app.ts';
import { signedDelivery } from '../support/webhooks.ts';
import { catchUpMatchKeys, scanContactSuggestions, scanContactSuggestionsJob } from '../../src/contacts/scan-contact-suggestions.ts';
import { listContactSuggestions } from '../../src/contacts/contact-suggestions.ts';
import { refreshContactSuggestions, MAX_CONTACTS_PER_KEY } from '../../src/contacts/refresh-contact-suggestions.ts';
import { insertContact } from '../http/fixtures.ts';

const dialects = await availableDialects();

describe.each(dialects)('contact suggestions on %s', (dialect) => {
  let t: TestApp;
  let owner: SignedIn;
  let stranger: SignedIn;
  let phoneId: string;
  let hook: { secret: string; path: string };
  let counter = 0;

  const deliver = async (sender: object, text = 'Hello') => {
    const d = signedDelivery(hook.secret, { id: `m-${++counter}`, sender, text });
    const r = await t.app.inject({ method: 'POST', url: hook.path, headers: d.headers, payload: d.payload });
    expect(r.statusCode).toBe(200);
    const row = await t.ctx.storage.db.selectFrom('message').innerJoin('conversation', 'conversation.id', 'message.conversation_id').select('conversation.contact_id').where('message.external_id', '=', `m-${counter}`).executeTakeFirstOrThrow();
    return row.contact_id;
  };
  const logCall = async (name: string, phone: string) =>
    (await owner.request({ method: 'POST', url: `/api/v1/entrances/${phoneId}/messages`, payload: { sender: { name, phone }, text: 'Called' } })).json().contactId as string;
  const suggestionsOf = async (contactId: string, who: SignedIn = owner) => {
    const r = await who.request({ method: 'GET', url: `/api/v1/contacts/${contactId}/suggestions` });
    expect(r.statusCode).toBe(200);
    return r.json().items as Array<{ id: string; contact: { id: string; displayName: string; firstEntrance: { kind: string; label: string } | null }; reasons: Array<{ kind: string; name: string | null; address: string | null; otherAddress: string | null }> }>;
  };
  const post = (url: string, payload?: object, who: SignedIn = owner) => who.request({ method: 'POST', url, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    owner = await setUpWorkspace(t);
    stranger = await setUpWorkspace(t);
    phoneId = (await owner.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'phone', label: 'Mobile' } })).json().id;
    const created = (await owner.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'webhook', label: 'LinkedIn relay' } })).json();
    hook = { secret: created.connection.signingSecret, path: new URL(created.connection.webhookUrl).pathname };
  });
  afterAll(async () => t?.dispose());

  it('the same name through another door is suggested on both pages, with the reasons, and linked to nothing', async () => {
    const linkedIn = await deliver({ name: 'Anna Meier', handle: 'https://www.linkedin.com/in/anna-meier-4b1a2c3' });
    const mail = await deliver({ name: 'anna MÉIER', email: 'anna.meier@example.ch' });
    expect(mail).not.toBe(linkedIn);

    const fromMail = await suggestionsOf(mail);
    expect(fromMail).toHaveLength(1);
    expect(fromMail[0]!.contact).toMatchObject({ id: linkedIn, displayName: 'Anna Meier', firstEntrance: { kind: 'webhook', label: 'LinkedIn relay' } });
    expect(fromMail[0]!.reasons.map((r) => r.kind).sort()).toEqual(['name_matches_email', 'name_matches_profile', 'same_name', 'similar_addresses']);
    expect(fromMail[0]!.reasons).toContainEqual({ kind: 'same_name', name: 'Anna Meier', address: null, otherAddress: null });
    expect(fromMail[0]!.reasons).toContainEqual({ kind: 'name_matches_email', name: 'Anna Meier', address: 'anna.meier@example.ch', otherAddress: null });

    const fromLinkedIn = await suggestionsOf(linkedIn);
    expect(fromLinkedIn.map((s) => [s.id, s.contact.id])).toEqual([[fromMail[0]!.id, mail]]);
    expect(fromLinkedIn[0]!.reasons).toContainEqual({ kind: 'same_name', name: 'anna MÉIER', address: null, otherAddress: null });
    // Nothing was linked: two contacts, one identity each.
    expect(await t.ctx.storage.db.selectFrom('identity').select('contact_id').where('contact_id', 'in', [mail, linkedIn]).execute()).toHaveLength(2);
  });

  it('a name matches the local part of an address from another door; a lone address as a name does not', async () => {
    const call = await logCall('Jean-Luc Rochat', '+41 21 555 30 30');
    const mail = await deliver({ email: 'jeanluc.rochat@example.fr' }); // no name: the address becomes the name
    const s = await suggestionsOf(call);
    expect(s.map((x) => x.contact.id)).toEqual([mail]);
    expect(s[0]!.reasons).toEqual([{ kind: 'name_matches_email', name: 'Jean-Luc Rochat', address: 'jeanluc.rochat@example.fr', otherAddress: null }]);
  });

  it('the same profile URL under two kinds of identity is the same address', async () => {
    const a = await deliver({ name: 'Bea', handle: 'https://xing.com/profile/Bea_Kunz2' });
    await t.ctx.storage.db.insertInto('identity').values({ id: `x-${a}`, workspace_id: owner.workspaceId, contact_id: await logCall('B. K.', '+41 31 555 40 40'), kind: 'xing', value: 'https://www.xing.com/profile/Bea_Kunz2/', value_normalized: 'xing.com/profile/bea_kunz2', verified: 0, created_at: Date.now() }).execute();
    const s = await suggestionsOf(a);
    expect(s).toHaveLength(1);
    expect(s[0]!.reasons[0]).toEqual({ kind: 'same_address', name: null, address: 'https://www.xing.com/profile/Bea_Kunz2/', otherAddress: null });
  });

  it('dismissing is remembered for the pair, however often it is asked and whatever evidence comes later', async () => {
    const a = await logCall('Marco Bernasconi', '+41 91 555 10 10');
    const b = await logCall('marco bernasconi', '+41 91 555 20 20');
    const [s] = await suggestionsOf(a);
    expect((await post(`/api/v1/contact-suggestions/${s!.id}/dismiss`)).statusCode).toBe(204);
    expect((await post(`/api/v1/contact-suggestions/${s!.id}/dismiss`)).statusCode).toBe(204);
    expect(await suggestionsOf(a)).toEqual([]);
    expect(await suggestionsOf(b)).toEqual([]);
    // More evidence: the same name in an address too. Still "not the same person".
    await t.ctx.storage.db.insertInto('identity').values({ id: `m-${b}`, workspace_id: owner.workspaceId, contact_id: b, kind: 'email', value: 'marco.bernasconi@example.it', value_normalized: 'marco.bernasconi@example.it', verified: 0, created_at: Date.now() }).execute();
    await scanContactSuggestions(t.ctx.storage.db, { graceMs: 0 });
    expect(await suggestionsOf(a)).toEqual([]);
    // Confirming what was dismissed is refused with what to do instead.
    const confirm = await post(`/api/v1/contact-suggestions/${s!.id}/confirm`, { intoContactId: a });
    expect(confirm.statusCode).toBe(409);
    expect(confirm.json().detail).toMatch(/not the same person.*Merge a duplicate/);
    expect(await t.ctx.storage.db.selectFrom('contact').select('merged_into_id').where('id', '=', b).executeTakeFirstOrThrow()).toEqual({ merged_into_id: null });
  });

  it('confirming merges (recorded, once); undoing the merge brings the question back', async () => {
    const a = await logCall('Lea Graf', '+41 44 555 10 10');
    const b = await logCall('Léa Graf', '+41 44 555 20 20');
    const [s] = await suggestionsOf(b);
    expect(s!.contact.id).toBe(a);
    expect((await post(`/api/v1/contact-suggestions/${s!.id}/confirm`, { intoContactId: 'someone-else' })).statusCode).toBe(400);
    expect((await post(`/api/v1/contact-suggestions/${s!.id}/confirm`, {})).statusCode).toBe(400);
    // Two clicks at once merge once.
    const [first, second] = await Promise.all([post(`/api/v1/contact-suggestions/${s!.id}/confirm`, { intoContactId: b }), post(`/api/v1/contact-suggestions/${s!.id}/confirm`, { intoContactId: b })]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([201, 409]);
    const merged = [first, second].find((r) => r.statusCode === 201)!.json();
    expect(merged).toMatchObject({ intoContactId: b, fromContactId: a });
    const into = (await owner.request({ method: 'GET', url: `/api/v1/contacts/${b}` })).json();
    expect(into.identities).toHaveLength(2);
    expect(into.merges.map((m: any) => m.id)).toEqual([merged.mergeId]);
    expect(await suggestionsOf(b)).toEqual([]);
    expect(await suggestionsOf(a)).toEqual([]); // merged away: nothing to suggest on it
    expect((await post(`/api/v1/contact-suggestions/${s!.id}/dismiss`)).statusCode).toBe(409);

    expect((await post(`/api/v1/contacts/merges/${merged.mergeId}/undo`)).statusCode).toBe(204);
    const again = await suggestionsOf(a);
    expect(again.map((x) => [x.id, x.contact.id])).toEqual([[s!.id, b]]);
    expect((await post(`/api/v1/contact-suggestions/${s!.id}/dismiss`)).statusCode).toBe(204);
  });

  it('a suggestion whose contact was merged elsewhere meanwhile cannot be confirmed', async () => {
    const a = await logCall('Nina Keller', '+41 61 555 10 10');
    const b = await logCall('Nina Keller', '+41 61 555 20 20');
    const c = await logCall('N. Keller', '+41 61 555 30 30');
    const [s] = await suggestionsOf(a);
    expect((await post(`/api/v1/contacts/${c}/merge`, { fromContactId: b })).statusCode).toBe(201);
    const r = await post(`/api/v1/contact-suggestions/${s!.id}/confirm`, { intoContactId: a });
    expect(r.statusCode).toBe(409);
    expect(r.json().detail).toMatch(/“Nina Keller” was merged into another contact meanwhile/);
    // The merged contact's identities now live on c, whose name differs: c is not suggested for a…
    expect(await suggestionsOf(a)).toEqual([]);
    // …and the stale pair no longer shows in the workspace list.
    await scanContactSuggestions(t.ctx.storage.db, { graceMs: 0 });
    const list = (await owner.request({ method: 'GET', url: '/api/v1/contact-suggestions?limit=200' })).json().items as Array<{ id: string }>;
    expect(list.map((x) => x.id)).not.toContain(s!.id);
  });

  it('evidence that goes away withdraws the suggestion', async () => {
    const a = await logCall('Sara Huber', '+41 81 555 10 10');
    const b = await logCall('Sara Huber', '+41 81 555 20 20');
    expect((await suggestionsOf(a)).map((s) => s.contact.id)).toEqual([b]);
    expect((await owner.request({ method: 'PATCH', url: `/api/v1/contacts/${b}`, payload: { displayName: 'Sarah Hubert' } })).statusCode).toBe(200);
    await scanContactSuggestions(t.ctx.storage.db, { graceMs: 0 });
    expect(await suggestionsOf(a)).toEqual([]);
  });

  it('a name shared by very many contacts is no evidence', async () => {
    const ids: string[] = [];
    for (let i = 0; i <= MAX_CONTACTS_PER_KEY + 1; i++) ids.push((await insertContact(t.ctx.storage.db, owner.workspaceId, { display_name: 'Maria Rossi' })).id);
    for (const id of ids) await refreshContactSuggestions(t.ctx.storage.db, owner.workspaceId, id);
    expect(await suggestionsOf(ids[0]!)).toEqual([]);
  });

  it('unknown ids and another workspace\'s ids get 404 and change nothing', async () => {
    const a = await logCall('Olivia Brunner', '+41 71 555 10 10');
    await logCall('Olivia Brunner', '+41 71 555 20 20');
    const [s] = await suggestionsOf(a);
    expect((await stranger.request({ method: 'GET', url: `/api/v1/contacts/${a}/suggestions` })).statusCode).toBe(404);
    expect((await post(`/api/v1/contact-suggestions/${s!.id}/confirm`, { intoContactId: a }, stranger)).statusCode).toBe(404);
    expect((await post(`/api/v1/contact-suggestions/${s!.id}/dismiss`, undefined, stranger)).statusCode).toBe(404);
    expect((await stranger.request({ method: 'GET', url: '/api/v1/contact-suggestions' })).json().items).toEqual([]);
    for (const id of ['no-such-id', "x' or '1'='1", 'a'.repeat(64)]) {
      expect((await post(`/api/v1/contact-suggestions/${encodeURIComponent(id)}/dismiss`)).statusCode).toBe(404);
      expect((await owner.request({ method: 'GET', url: `/api/v1/contacts/${encodeURIComponent(id)}/suggestions` })).statusCode).toBe(404);
    }
    expect((await post(`/api/v1/contact-suggestions/${'a'.repeat(65)}/dismiss`)).statusCode).toBe(400);
    expect((await post(`/api/v1/contact-suggestions/${s!.id}/confirm`, { intoContactId: a, extra: 1 })).statusCode).toBe(400);
    expect((await owner.request({ method: 'POST', url: `/api/v1/contact-suggestions/${s!.id}/dismiss`, headers: { 'x-csrf-token': 'wrong' } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/contacts/${a}/suggestions` })).statusCode).toBe(401);
    expect((await suggestionsOf(a)).map((x) => x.id)).toEqual([s!.id]);
  });

  it('the workspace list comes from the scheduled scan, a page at a time, newest first', async () => {
    const a = await insertContact(t.ctx.storage.db, owner.workspaceId, { display_name: 'Paul Zimmermann' });
    const b = await insertContact(t.ctx.storage.db, owner.workspaceId, { display_name: 'Paul Zimmermann' });
    // Changes younger than the grace period wait for the next pass.
    await scanContactSuggestions(t.ctx.storage.db);
    const listed = async () => {
      const items: Array<{ id: string; contacts: Array<{ id: string }> }> = [];
      let cursor: string | null = null;
      do {
        const page: any = (await owner.request({ method: 'GET', url: `/api/v1/contact-suggestions?limit=2${cursor ? `&cursor=${cursor}` : ''}` })).json();
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return items;
    };
    expect((await listed()).some((s) => s.contacts.some((c) => c.id === a.id))).toBe(false);
    // The job itself, as the queue runs it.
    await scanContactSuggestionsJob(t.ctx).handler({}, { jobId: 'j', queueName: 'contact-suggestions-scan', attempt: 1, maxAttempts: 1, signal: new AbortController().signal, logger: t.ctx.logger } as never);
    await scanContactSuggestions(t.ctx.storage.db, { now: Date.now() + 60_000 });
    const items = await listed();
    const pair = items.find((s) => s.contacts.some((c) => c.id === a.id));
    expect(pair?.contacts.map((c) => c.id).sort()).toEqual([a.id, b.id].sort());
    expect(new Set(items.map((s) => s.id)).size).toBe(items.length);
    expect((await owner.request({ method: 'GET', url: '/api/v1/contact-suggestions?cursor=bm9wZQ' })).statusCode).toBe(400);
    expect((await owner.request({ method: 'GET', url: '/api/v1/contact-suggestions?limit=0' })).statusCode).toBe(400);
  });

  // Read from SQLite's EXPLAIN QUERY PLAN, so defined on SQLite only (not counted as skipped on
  // PostgreSQL, whose plans were checked by hand).
  const onSqlite: (name: string, fn: () => Promise<void>) => void = dialect === 'sqlite' ? it : () => {};
  onSqlite('no query of a contact page or of the scan reads a whole workspace', async () => {
    // Every statement these paths run, captured, then explained: none may scan a table or search
    // an index by workspace alone (that reads every contact of the workspace, 100,000 of them).
    const statements: Array<{ sql: string; parameters: readonly unknown[] }> = [];
    const sqlite = new SQLite(t.ctx.storage.sqlitePath!);
    const logged = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }), log: (e) => void statements.push({ sql: e.query.sql, parameters: e.query.parameters }) });
    try {
      const a = await logCall('Ines Moser', '+41 52 555 10 10');
      await logCall('Ines Moser', '+41 52 555 20 20');
      // Enough changed contacts that the catch-up asks for long lists of ids at once (the planner
      // weighs those differently from a single id).
      for (let i = 0; i < 150; i++) await insertContact(t.ctx.storage.db, owner.workspaceId, { display_name: `Probe ${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}x` });
      await catchUpMatchKeys(logged, owner.workspaceId);
      await refreshContactSuggestions(logged, owner.workspaceId, a);
      await listContactSuggestions(logged, owner.workspaceId, a);
      await scanContactSuggestions(logged, { graceMs: 0 });
      expect(statements.length).toBeGreaterThan(10);
      const bad: string[] = [];
      for (const st of statements) {
        if (!/^\s*(select|update|delete)/i.test(st.sql)) continue;
        const plan = sqlite.prepare(`explain query plan ${st.sql}`).all(...(st.parameters as unknown[])) as Array<{ detail: string }>;
        for (const { detail } of plan) {
          const wholeTable = /^SCAN (contact|identity|contact_match_key|contact_suggestion|conversation|message)\b/.test(detail);
          // (The scan's mark is one row per workspace: its key is the workspace.)
          const byWorkspaceOnly = /^SEARCH (?!contact_suggestion_scan )\w+ USING (COVERING )?INDEX \w+ \(workspace_id=\?( AND state=\?)?\)$/.test(detail);
          if (wholeTable || byWorkspaceOnly) bad.push(`${detail} — ${st.sql}`);
        }
      }
      expect(bad).toEqual([]);
    } finally {
      await logged.destroy();
    }
  });

  it('finding look-alikes reads the key index, not the contacts', async () => {
    const query = sql`select contact_id from contact_match_key where workspace_id = ${owner.workspaceId} and key = ${'n:anna meier'} limit 21`;
    if (dialect === 'sqlite') {
      const plan = await sql<{ detail: string }>`explain query plan ${query}`.execute(t.ctx.storage.db);
      expect(plan.rows.map((r) => r.detail).join(' ')).toMatch(/USING (COVERING )?INDEX contact_match_key_workspace_key/);
    } else {
      await t.ctx.storage.db.connection().execute(async (c) => {
        await sql`set enable_seqscan = off`.execute(c);
        const plan = await sql<{ 'QUERY PLAN': string }>`explain ${query}`.execute(c);
        await sql`reset enable_seqscan`.execute(c);
        expect(plan.rows.map((r) => r['QUERY PLAN']).join(' ')).toMatch(/contact_match_key_workspace_key/);
      });
    }
  });
});
