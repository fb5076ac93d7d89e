import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { availableDialects } from '../support/databases.ts';
import { until } from '../support/until.ts';
import { createTestApp, setUpWorkspace, type SignedIn, type TestApp } from '../support/app.ts';
import { signedDelivery } from '../support/webhooks.ts';

const dialects = await availableDialects();

describe.each(dialects)('replies, notes and conversation actions on %s', (dialect) => {
  let t: TestApp;
  let owner: SignedIn;
  let phoneId: string;
  let hook: { id: string; secret: string; path: string };
  // A local receiver standing in for the system behind a webhook entrance (n8n, a form tool).
  const received: Array<{ body: any; valid: boolean }> = [];
  let receiverStatus = 200;
  let receiverUrl: string;
  const receiver = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      let valid = true;
      try {
        new Webhook(hook.secret).verify(data, req.headers as Record<string, string>);
      } catch {
        valid = false;
      }
      received.push({ body: JSON.parse(data), valid });
      res.writeHead(receiverStatus).end();
    });
  });

  const waitingIds = async () => ((await owner.request({ method: 'GET', url: '/api/v1/conversations?view=waiting' })).json().items as Array<{ id: string }>).map((c) => c.id);
  const view = async (v: string) => ((await owner.request({ method: 'GET', url: `/api/v1/conversations?view=${v}` })).json().items as Array<{ id: string }>).map((c) => c.id);

  beforeAll(async () => {
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/replies`;
    t = await createTestApp(dialect, {}, { jobs: true });
    owner = await setUpWorkspace(t);
    phoneId = (await owner.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'phone', label: 'Mobile' } })).json().id;
    const created = (await owner.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'webhook', label: 'Website form tool' } })).json();
    hook = { id: created.id, secret: created.connection.signingSecret, path: new URL(created.connection.webhookUrl).pathname };
  });
  afterAll(async () => {
    await t?.dispose();
    receiver.close();
  });

  it('a logged phone call waits for a reply until the owner marks it answered', async () => {
    const logged = await owner.request({ method: 'POST', url: `/api/v1/entrances/${phoneId}/messages`, payload: { sender: { name: 'Sophie Favre', phone: '079 333 22 11' }, text: 'Calls about a course for her team in March', referral: 'Anna Meier' } });
    expect(logged.statusCode).toBe(201);
    const { conversationId, contactId } = logged.json();
    expect(await waitingIds()).toContain(conversationId);
    const contact = await t.ctx.storage.db.selectFrom('contact').selectAll().where('id', '=', contactId).executeTakeFirstOrThrow();
    expect(contact).toMatchObject({ display_name: 'Sophie Favre', referred_by_text: 'Anna Meier', first_entrance_id: phoneId });

    const note = await owner.request({ method: 'POST', url: `/api/v1/conversations/${conversationId}/messages`, payload: { mode: 'note', text: 'Budget around 3000 CHF' } });
    expect(note.statusCode).toBe(201);
    expect(await waitingIds()).toContain(conversationId); // a note is not an answer

    const send = await owner.request({ method: 'POST', url: `/api/v1/conversations/${conversationId}/messages`, payload: { mode: 'send', text: 'x' } });
    expect(send.statusCode).toBe(409);
    expect(send.json().detail).toMatch(/mark the conversation as answered/);

    const answered = await owner.request({ method: 'POST', url: `/api/v1/conversations/${conversationId}/messages`, payload: { mode: 'answered_elsewhere', text: 'Called back, sent an offer' } });
    expect(answered.statusCode).toBe(201);
    expect(await waitingIds()).not.toContain(conversationId);
    const detail = (await owner.request({ method: 'GET', url: `/api/v1/conversations/${conversationId}` })).json();
    expect(detail.conversation).toMatchObject({ status: 'waiting', awaitingSince: null, replyModes: ['answered_elsewhere', 'note'] });
    expect(detail.messages.map((m: any) => [m.direction, m.deliveryState])).toEqual([['inbound', 'received'], ['note', 'received'], ['outbound', 'answered_elsewhere']]);
    expect(detail.messages[0].referral).toBe('Anna Meier');
  });

  it('close, snooze and labels move a conversation between views, and a new message brings it back', async () => {
    const { conversationId } = (await owner.request({ method: 'POST', url: `/api/v1/entrances/${phoneId}/messages`, payload: { sender: { name: 'Luca Bernasconi', phone: '+41 91 123 45 67' }, text: 'Vorrei informazioni' } })).json();
    expect((await owner.request({ method: 'PATCH', url: `/api/v1/conversations/${conversationId}`, payload: { status: 'closed', labels: ['ticino', 'team'] } })).statusCode).toBe(204);
    expect(await view('done')).toContain(conversationId);
    expect(await waitingIds()).not.toContain(conversationId);
    expect((await owner.request({ method: 'GET', url: `/api/v1/conversations/${conversationId}` })).json().conversation.labels).toEqual(['team', 'ticino']);

    await owner.request({ method: 'PATCH', url: `/api/v1/conversations/${conversationId}`, payload: { status: 'open', snoozedUntil: Date.now() + 3 * 86_400_000 } });
    expect(await view('snoozed')).toContain(conversationId);
    expect(await view('open')).not.toContain(conversationId);

    // The contact writes again: the conversation wakes up and waits for the owner.
    await owner.request({ method: 'POST', url: `/api/v1/entrances/${phoneId}/messages`, payload: { sender: { name: 'Luca', phone: '091 123 45 67' }, text: 'Richiamo domani' } });
    expect(await view('snoozed')).not.toContain(conversationId);
    expect(await waitingIds()).toContain(conversationId);
  });

  it('a reply through a webhook entrance goes through the outbox: queued, then sent, signed', async () => {
    const d = signedDelivery(hook.secret, { id: 'w-1', sender: { name: 'Nina Keller', email: 'nina@example.ch' }, text: 'Haben Sie im Mai Zeit?' });
    await t.app.inject({ method: 'POST', url: hook.path, headers: d.headers, payload: d.payload });
    const [conversationId] = await waitingIds().then((ids) => ids.slice(-1));
    // Without a reply URL the entrance cannot send: the composer is told so, nothing is queued.
    expect((await owner.request({ method: 'GET', url: `/api/v1/conversations/${conversationId}` })).json().conversation.replyModes).toEqual(['answered_elsewhere', 'note']);
    const noUrl = await owner.request({ method: 'POST', url: `/api/v1/conversations/${conversationId}/messages`, payload: { mode: 'send', text: 'Guten Tag Frau Keller' } });
    expect(noUrl.statusCode).toBe(409);
    expect(noUrl.json().detail).toMatch(/reply URL/);

    expect((await owner.request({ method: 'PATCH', url: `/api/v1/entrances/${hook.id}`, payload: { config: { replyUrl: 'not a url' } } })).statusCode).toBe(400);
    expect((await owner.request({ method: 'PATCH', url: `/api/v1/entrances/${hook.id}`, payload: { config: { replyUrl: receiverUrl } } })).statusCode).toBe(200);
    expect((await owner.request({ method: 'GET', url: `/api/v1/conversations/${conversationId}` })).json().conversation.replyModes).toEqual(['send', 'answered_elsewhere', 'note']);
    const sent = await owner.request({ method: 'POST', url: `/api/v1/conversations/${conversationId}/messages`, payload: { mode: 'send', text: 'Ja, am 12. Mai.' } });
    expect(sent.statusCode).toBe(201);
    await until(async () => (await t.ctx.storage.db.selectFrom('message').select('delivery_state').where('id', '=', sent.json().messageId).executeTakeFirst())?.delivery_state === 'sent');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ valid: true, body: { text: 'Ja, am 12. Mai.', to: [{ kind: 'email', value: 'nina@example.ch' }] } });
    expect(await waitingIds()).not.toContain(conversationId);
  });

  it('a temporary failure is retried and shown on the message meanwhile', async () => {
    receiverStatus = 503;
    const d = signedDelivery(hook.secret, { id: 'w-2', sender: { name: 'Paul', email: 'paul@example.ch' }, text: 'Hallo' });
    await t.app.inject({ method: 'POST', url: hook.path, headers: d.headers, payload: d.payload });
    const conversationId = (await t.ctx.storage.db.selectFrom('message').select('conversation_id').where('external_id', '=', 'w-2').executeTakeFirstOrThrow()).conversation_id;
    const { messageId } = (await owner.request({ method: 'POST', url: `/api/v1/conversations/${conversationId}/messages`, payload: { mode: 'send', text: 'Hallo Paul' } })).json();
    const row = await until(async () => {
      const m = await t.ctx.storage.db.selectFrom('message').select(['delivery_state', 'delivery_error']).where('id', '=', messageId).executeTakeFirst();
      return m?.delivery_error ? m : null;
    });
    expect(row).toMatchObject({ delivery_state: 'queued' });
    expect(row.delivery_error).toMatch(/Attempt 1 failed, retrying: The reply URL answered 503/);
    receiverStatus = 200;
  });

  it('a refusal by the receiving system fails the reply at once, with the reason on the message', async () => {
    receiverStatus = 422;
    const d = signedDelivery(hook.secret, { id: 'w-3', sender: { name: 'Eva', email: 'eva@example.ch' }, text: 'Hallo' });
    await t.app.inject({ method: 'POST', url: hook.path, headers: d.headers, payload: d.payload });
    const conversationId = (await t.ctx.storage.db.selectFrom('message').select('conversation_id').where('external_id', '=', 'w-3').executeTakeFirstOrThrow()).conversation_id;
    const { messageId } = (await owner.request({ method: 'POST', url: `/api/v1/conversations/${conversationId}/messages`, payload: { mode: 'send', text: 'Hallo Eva' } })).json();
    await until(async () => (await t.ctx.storage.db.selectFrom('message').select('delivery_state').where('id', '=', messageId).executeTakeFirst())?.delivery_state === 'failed');
    const failed = (await owner.request({ method: 'GET', url: `/api/v1/conversations/${conversationId}` })).json().messages.at(-1);
    expect(failed).toMatchObject({ deliveryState: 'failed', deliveryError: 'The reply URL refused the reply with 422.' });
    receiverStatus = 200;
  });

  it('one workspace cannot reply to, change or log into another workspace\'s conversations', async () => {
    const other = await setUpWorkspace(t);
    const { conversationId } = (await owner.request({ method: 'POST', url: `/api/v1/entrances/${phoneId}/messages`, payload: { sender: { name: 'Private' }, text: 'secret' } })).json();
    expect((await other.request({ method: 'POST', url: `/api/v1/conversations/${conversationId}/messages`, payload: { mode: 'note', text: 'x' } })).statusCode).toBe(404);
    expect((await other.request({ method: 'PATCH', url: `/api/v1/conversations/${conversationId}`, payload: { status: 'closed' } })).statusCode).toBe(404);
    expect((await other.request({ method: 'POST', url: `/api/v1/entrances/${phoneId}/messages`, payload: { sender: { name: 'X' }, text: 'x' } })).statusCode).toBe(404);
  });
});
