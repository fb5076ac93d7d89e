import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects } from '../support/databases.ts';
import { createTestApp, setUpWorkspace, type SignedIn, type TestApp } from '../support/app.ts';
import { signedDelivery } from '../support/webhooks.ts';

const dialects = await availableDialects();

describe.each(dialects)('contacts, templates, counts and search on %s', (dialect) => {
  let t: TestApp;
  let owner: SignedIn;
  let phoneId: string;
  let hook: { secret: string; path: string };

  const deliver = async (body: object) => {
    const d = signedDelivery(hook.secret, body);
    const r = await t.app.inject({ method: 'POST', url: hook.path, headers: d.headers, payload: d.payload });
    expect(r.statusCode).toBe(200);
  };
  const logCall = async (name: string, phone: string, text: string) =>
    (await owner.request({ method: 'POST', url: `/api/v1/entrances/${phoneId}/messages`, payload: { sender: { name, phone }, text } })).json() as { contactId: string; conversationId: string };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    owner = await setUpWorkspace(t);
    phoneId = (await owner.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'phone', label: 'Mobile' } })).json().id;
    const created = (await owner.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'webhook', label: 'Form tool' } })).json();
    hook = { secret: created.connection.signingSecret, path: new URL(created.connection.webhookUrl).pathname };
  });
  afterAll(async () => t?.dispose());

  it('one person through two doors with the same address is one contact with identities from both', async () => {
    await deliver({ id: 'c-1', sender: { name: 'Anna Meier', email: 'anna.meier@example.ch' }, text: 'Erste Anfrage' });
    await deliver({ id: 'c-2', sender: { name: 'Anna', email: 'Anna.Meier@example.ch', phone: '079 111 22 33' }, text: 'Zweite Anfrage', threadKey: 'other-thread' });
    const contacts = (await owner.request({ method: 'GET', url: '/api/v1/contacts?q=anna' })).json().items;
    expect(contacts).toHaveLength(1);
    const detail = (await owner.request({ method: 'GET', url: `/api/v1/contacts/${contacts[0].id}` })).json();
    expect(detail.identities.map((i: any) => i.kind).sort()).toEqual(['email', 'phone']);
    expect(detail.conversations).toHaveLength(2);
  });

  it('merge then undo restores both contacts exactly as they were', async () => {
    const a = await logCall('Pierre Rochat', '+41 21 555 10 10', 'Appel pour une formation');
    const b = await logCall('P. Rochat', '+41 79 555 20 20', 'Rappel depuis le portable');
    const before = await Promise.all([a.contactId, b.contactId].map(async (id) => (await owner.request({ method: 'GET', url: `/api/v1/contacts/${id}` })).json()));

    const merged = await owner.request({ method: 'POST', url: `/api/v1/contacts/${a.contactId}/merge`, payload: { fromContactId: b.contactId } });
    expect(merged.statusCode).toBe(201);
    const into = (await owner.request({ method: 'GET', url: `/api/v1/contacts/${a.contactId}` })).json();
    expect(into.identities).toHaveLength(2);
    expect(into.conversations).toHaveLength(2);
    expect((await owner.request({ method: 'GET', url: '/api/v1/contacts?q=rochat' })).json().items.map((c: any) => c.id)).toEqual([a.contactId]);
    // A new call from the merged-away number lands on the merged contact.
    const again = await logCall('P. Rochat', '079 555 20 20', 'Encore moi');
    expect(again.contactId).toBe(a.contactId);

    expect((await owner.request({ method: 'POST', url: `/api/v1/contacts/merges/${merged.json().mergeId}/undo` })).statusCode).toBe(204);
    const after = await Promise.all([a.contactId, b.contactId].map(async (id) => (await owner.request({ method: 'GET', url: `/api/v1/contacts/${id}` })).json()));
    expect(after[0].identities).toEqual(before[0].identities);
    expect(after[1].identities).toEqual(before[1].identities);
    expect(after[1].conversations.map((c: any) => c.id)).toEqual(before[1].conversations.map((c: any) => c.id));
    expect((await owner.request({ method: 'POST', url: `/api/v1/contacts/merges/${merged.json().mergeId}/undo` })).statusCode).toBe(409);
    expect((await owner.request({ method: 'POST', url: `/api/v1/contacts/${a.contactId}/merge`, payload: { fromContactId: a.contactId } })).statusCode).toBe(400);
  });

  it('a contact keeps its stage, notes and next action', async () => {
    const { contactId } = await logCall('Julia Weber', '+41 44 123 45 67', 'Anfrage Teamtraining');
    const r = await owner.request({ method: 'PATCH', url: `/api/v1/contacts/${contactId}`, payload: { stage: 'offer', notes: 'Angebot bis Freitag', nextAction: 'Nachfassen', nextActionAt: Date.UTC(2026, 11, 1, 8) } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ stage: 'offer', notes: 'Angebot bis Freitag', nextAction: 'Nachfassen', firstEntrance: { kind: 'phone' } });
    const filtered = (await owner.request({ method: 'GET', url: '/api/v1/conversations?view=waiting&stage=offer' })).json().items;
    expect(filtered.map((c: any) => c.contact.id)).toEqual([contactId]);
    expect((await owner.request({ method: 'PATCH', url: `/api/v1/contacts/${contactId}`, payload: { stage: 'maybe' } })).statusCode).toBe(400);
  });

  it('templates are unique per shortcut and language', async () => {
    const create = (locale: string) => owner.request({ method: 'POST', url: '/api/v1/templates', payload: { name: 'Merci', shortcut: 'merci', locale, body: 'Bonjour {{firstName}}, merci pour votre message.' } });
    expect((await create('fr')).statusCode).toBe(201);
    expect((await create('de')).statusCode).toBe(201);
    const dup = await create('fr');
    expect(dup.statusCode).toBe(409);
    const items = (await owner.request({ method: 'GET', url: '/api/v1/templates' })).json().items;
    expect(items.map((i: any) => i.locale)).toEqual(['de', 'fr']);
    expect((await owner.request({ method: 'PATCH', url: `/api/v1/templates/${items[0].id}`, payload: { body: 'Guten Tag {{firstName}}' } })).json().body).toBe('Guten Tag {{firstName}}');
    expect((await owner.request({ method: 'DELETE', url: `/api/v1/templates/${items[0].id}` })).statusCode).toBe(204);
  });

  it('counts each inbox view', async () => {
    const counts = (await owner.request({ method: 'GET', url: '/api/v1/inbox/counts' })).json();
    const views = await Promise.all(['waiting', 'open', 'snoozed', 'done'].map(async (v) => (await owner.request({ method: 'GET', url: `/api/v1/conversations?view=${v}&limit=200` })).json().items.length));
    expect([counts.waiting, counts.open, counts.snoozed, counts.done]).toEqual(views);
    expect(counts.waiting).toBeGreaterThan(0);
  });

  it('search ignores accents and case, matches prefixes, highlights, and filters by entrance', async () => {
    await deliver({ id: 's-1', sender: { name: 'Chloé Martin', email: 'chloe@example.fr' }, text: 'Merci pour votre réponse. Je serai à Zürich pour la formation en février.' });
    await deliver({ id: 's-2', sender: { name: 'Tom', email: 'tom@example.com' }, text: 'No match here at all' });
    const search = async (q: string, extra = '') => (await owner.request({ method: 'GET', url: `/api/v1/search?q=${encodeURIComponent(q)}${extra}` })).json();
    const r = await search('reponse zurich');
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0].snippet).toContain('[[réponse]]');
    expect(r.messages[0].snippet).toContain('[[Zürich]]');
    expect(r.messages[0].contact.displayName).toBe('Chloé Martin');
    expect((await search('FORMAT')).messages.map((m: any) => m.contact.displayName)).toContain('Chloé Martin');
    expect((await search('chloe')).contacts.map((c: any) => c.displayName)).toContain('Chloé Martin');
    expect((await search('zurich', `&entranceId=${phoneId}`)).messages).toHaveLength(0);
    // Search syntax in the input is inert, never an error.
    for (const q of ['"unbalanced', 'a* OR NEAR(', "'; drop table message; --", '%_\\', '()']) {
      const res = await owner.request({ method: 'GET', url: `/api/v1/search?q=${encodeURIComponent(q)}` });
      expect(res.statusCode).toBe(200);
    }
    expect((await owner.request({ method: 'GET', url: '/api/v1/search?q=' })).statusCode).toBe(400);
  });

  it('another workspace finds nothing of this one', async () => {
    const other = await setUpWorkspace(t);
    const r = (await other.request({ method: 'GET', url: '/api/v1/search?q=zurich' })).json();
    expect(r).toEqual({ messages: [], contacts: [] });
  });
});
