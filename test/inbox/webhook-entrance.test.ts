import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects } from '../support/databases.ts';
import { createTestApp, setUpWorkspace, type SignedIn, type TestApp } from '../support/app.ts';
import { signedDelivery } from '../support/webhooks.ts';

const dialects = await availableDialects();

describe.each(dialects)('generic webhook entrance on %s', (dialect) => {
  let t: TestApp;
  let owner: SignedIn;
  let hookPath: string;
  let secret: string;

  const countMessages = async () => Number((await t.ctx.storage.db.selectFrom('message').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const deliver = (body: unknown, opts?: Parameters<typeof signedDelivery>[2]) => {
    const d = signedDelivery(secret, body, opts);
    return t.app.inject({ method: 'POST', url: hookPath, headers: d.headers, payload: d.payload });
  };
  const message = (id: string, over: object = {}) => ({ id, sender: { name: 'Anna Meier', email: 'anna.meier@example.ch' }, text: `Guten Tag, ${id}`, ...over });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    owner = await setUpWorkspace(t);
    const res = await owner.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'webhook', label: 'n8n' } });
    expect(res.statusCode).toBe(201);
    const { connection } = res.json();
    expect(connection.webhookUrl).toMatch(/\/hooks\//);
    hookPath = new URL(connection.webhookUrl).pathname;
    secret = connection.signingSecret;
    // The secret is shown once and stored encrypted, never in clear.
    const stored = await t.ctx.storage.db.selectFrom('entrance').select('config_encrypted').where('kind', '=', 'webhook').executeTakeFirstOrThrow();
    expect(stored.config_encrypted).not.toContain(secret.slice(6));
    expect(JSON.stringify((await owner.request({ method: 'GET', url: '/api/v1/entrances' })).json())).not.toContain(secret);
  });
  afterAll(async () => t?.dispose());

  it('stores a signed delivery and shows it in Waiting for me', async () => {
    const res = await deliver(message('first'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ stored: 1, duplicates: 0 });
    const inbox = (await owner.request({ method: 'GET', url: '/api/v1/conversations?view=waiting' })).json();
    expect(inbox.items).toHaveLength(1);
    expect(inbox.items[0]).toMatchObject({ contact: { displayName: 'Anna Meier' }, entrance: { kind: 'webhook' }, preview: 'Guten Tag, first' });
  });

  it('a webhook delivered twice stores one message', async () => {
    const before = await countMessages();
    expect((await deliver(message('twice'))).json()).toEqual({ stored: 1, duplicates: 0 });
    expect((await deliver(message('twice'))).json()).toEqual({ stored: 0, duplicates: 1 });
    expect(await countMessages()).toBe(before + 1);
  });

  it('the same webhook delivered 50 times concurrently stores one message', async () => {
    const before = await countMessages();
    const results = await Promise.all(Array.from({ length: 50 }, () => deliver(message('fifty', { sender: { name: 'Marco Rossi', phone: '+41 79 555 12 34' } }))));
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    expect(results.reduce((n, r) => n + r.json().stored, 0)).toBe(1);
    expect(await countMessages()).toBe(before + 1);
    const contacts = await t.ctx.storage.db.selectFrom('identity').select('contact_id').where('value_normalized', '=', '+41795551234').execute();
    expect(contacts).toHaveLength(1);
  });

  it('new messages from the same person join their conversation', async () => {
    await deliver(message('thread-1', { sender: { email: 'Lea@Example.org', name: 'Lea' } }));
    await deliver(message('thread-2', { sender: { email: 'lea@example.org' } }));
    const rows = await t.ctx.storage.db.selectFrom('message').innerJoin('conversation', 'conversation.id', 'message.conversation_id').select('conversation.id').where('message.external_id', 'in', ['thread-1', 'thread-2']).execute();
    expect(new Set(rows.map((r) => r.id)).size).toBe(1);
  });

  it('refuses unsigned, badly signed and replayed deliveries with 401 and stores nothing', async () => {
    const before = await countMessages();
    const body = JSON.stringify(message('refused'));
    const unsigned = await t.app.inject({ method: 'POST', url: hookPath, headers: { 'content-type': 'application/json' }, payload: body });
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.json().code).toBe('invalid_signature');

    const good = signedDelivery(secret, message('refused'));
    const tampered = await t.app.inject({ method: 'POST', url: hookPath, headers: good.headers, payload: good.payload.replace('refused', 'tampered') });
    expect(tampered.statusCode).toBe(401);

    const wrongKey = signedDelivery(`whsec_${Buffer.from('another secret of enough length').toString('base64')}`, message('refused'));
    expect((await t.app.inject({ method: 'POST', url: hookPath, headers: wrongKey.headers, payload: wrongKey.payload })).statusCode).toBe(401);

    const replayed = await deliver(message('refused'), { at: new Date(Date.now() - 60 * 60 * 1000) });
    expect(replayed.statusCode).toBe(401);
    expect(await countMessages()).toBe(before);
  });

  it('refuses payloads that do not match the documented format, naming what is wrong', async () => {
    const before = await countMessages();
    const missing = await deliver({ id: 'x', text: 'no sender' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().detail).toMatch(/sender/);
    const wrongType = await deliver({ id: 5, sender: { name: 'A' }, text: 'x' });
    expect(wrongType.statusCode).toBe(400);
    const unknown = await deliver({ ...message('u'), extra: true });
    expect(unknown.statusCode).toBe(400);
    const huge = await deliver(message('huge', { text: 'x'.repeat(1_100_000) }));
    expect(huge.statusCode).toBe(413);
    expect(await countMessages()).toBe(before);
  });

  it('answers 404 for an address that is no webhook entrance', async () => {
    const d = signedDelivery(secret, message('nowhere'));
    expect((await t.app.inject({ method: 'POST', url: '/hooks/does-not-exist', headers: d.headers, payload: d.payload })).statusCode).toBe(404);
  });

  it('stores HTML and script as inert data', async () => {
    const res = await deliver(message('xss', { sender: { name: '<img src=x onerror=alert(1)>', email: 'x@example.com' }, text: '<script>alert(1)</script>', html: '<p onclick="alert(1)">hi<script>alert(2)</script><img src="https://tracker.example/p.gif"></p>' }));
    expect(res.statusCode).toBe(200);
    const row = await t.ctx.storage.db.selectFrom('message').select(['text', 'html']).where('external_id', '=', 'xss').executeTakeFirstOrThrow();
    expect(row.text).toBe('<script>alert(1)</script>');
    expect(row.html).not.toMatch(/script|onclick|\ssrc=/);
    expect(row.html).toContain('data-remote-src="https://tracker.example/p.gif"');
  });
});
