// "The same code runs as N stateless nodes sharing PostgreSQL": two real Portier processes on one
// database, started together, each serving the API, hearing each other's live events through
// LISTEN/NOTIFY, and sharing the job queue (pg-boss) so that a reply is sent exactly once. Also the
// live-update latency of a single embedded (SQLite) node, for comparison.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../support/databases.ts';
import { api, createWebhookEntrance, openEventStream, PortierNode, setUpOwner, sleep, type Owner, type SseStream } from '../support/portier-node.ts';
import { signedDelivery } from '../support/webhooks.ts';

const hasPostgres = await postgresAvailable();
const LIVE_SAMPLES = 5;
const LIVE_LIMIT_MS = 1000;
const REPLIES = 20;

interface Hook {
  id: string;
  webhookUrl: string;
  signingSecret: string;
}

async function deliver(url: string, secret: string, id: string, email: string): Promise<void> {
  const signed = signedDelivery(secret, { id, sender: { name: `Person ${email}`, email }, text: `Hello, ${id}` }, { id: `wh-${id}` });
  const res = await fetch(url, { method: 'POST', headers: signed.headers, body: signed.payload, signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`delivery ${id} answered ${res.status}: ${await res.text()}`);
}

const eventData = (e: { data: string }) => JSON.parse(e.data) as { type: string; messageId: string; conversationId: string };

/**
 * Delivers messages one by one to `deliverTo` and measures how long each takes to appear as
 * `message.created` on every stream. Returns the latencies in ms per stream name.
 */
async function measureLiveLatency(hook: Hook, webhookUrl: string, streams: Record<string, SseStream>, label: string): Promise<Record<string, number[]>> {
  const latencies: Record<string, number[]> = Object.fromEntries(Object.keys(streams).map((k) => [k, []]));
  for (let i = 0; i < LIVE_SAMPLES; i++) {
    const seen = Object.fromEntries(Object.entries(streams).map(([k, s]) => [k, s.events.length]));
    const sent = performance.now();
    await deliver(webhookUrl, hook.signingSecret, `${label}-${i}`, `live-${label}-${i}@example.ch`);
    for (const [name, stream] of Object.entries(streams)) {
      const event = await stream.next((e) => e.event === 'message.created' && stream.events.indexOf(e) >= seen[name]!, 5_000);
      latencies[name]!.push(event.at - sent);
    }
    await sleep(100);
  }
  return latencies;
}

const summary = (ms: number[]) => `${ms.map((m) => m.toFixed(0)).join(', ')} ms (max ${Math.max(...ms).toFixed(0)})`;

describe.skipIf(!hasPostgres)('two Portier nodes on one PostgreSQL database', () => {
  let db: TestDatabase;
  let a: PortierNode | undefined;
  let b: PortierNode | undefined;
  let owner: Owner;
  let hook: Hook;
  let receiver: Server | undefined;
  const streams: SseStream[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    // Started together on an empty database: both migrate (under the migration lock) and both
    // install pg-boss's schema at the same moment.
    [a, b] = await Promise.all([
      PortierNode.start({ dataDir: db.dataDir, databaseUrl: db.databaseUrl }),
      PortierNode.start({ dataDir: db.dataDir, databaseUrl: db.databaseUrl }),
    ]);
    owner = await setUpOwner(a);
  }, 120_000);
  afterAll(async () => {
    for (const s of streams) s.close();
    receiver?.closeAllConnections();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
    await Promise.all([a?.dispose(), b?.dispose()]);
    await db?.drop();
  });

  it('both nodes are ready and answer authenticated API requests', async () => {
    for (const node of [a!, b!]) {
      const ready = await fetch(`${node.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', database: 'postgres' });
      // The token was created through node A; node B knows it from the shared database.
      const me = await api<{ items: unknown[] }>(node.url, owner.token, 'GET', '/api/v1/entrances');
      expect(me.items).toEqual([]);
      const unauthenticated = await fetch(`${node.url}/api/v1/entrances`);
      expect(unauthenticated.status).toBe(401);
    }
  });

  it('an entrance created through node A is listed by node B', async () => {
    hook = await createWebhookEntrance(a!, owner, 'form tool');
    const listed = await api<{ items: Array<{ id: string; kind: string; label: string }> }>(b!.url, owner.token, 'GET', '/api/v1/entrances');
    expect(listed.items).toEqual([expect.objectContaining({ id: hook.id, kind: 'webhook', label: 'form tool' })]);
  });

  it(`a webhook delivered to node A reaches an event stream on node B within ${LIVE_LIMIT_MS} ms, once`, async () => {
    const onB = await openEventStream(b!.url, owner.token);
    const onA = await openEventStream(a!.url, owner.token);
    streams.push(onA, onB);
    // The webhook URL names node A; the stream listens on node B (and one on A for comparison).
    const latencies = await measureLiveLatency(hook, hook.webhookUrl, { B: onB, A: onA }, 'pg');
    console.log(`[durability] PostgreSQL, two nodes: webhook to node A → message.created on node B: ${summary(latencies.B!)}; on node A itself: ${summary(latencies.A!)}`);
    for (const ms of latencies.B!) expect(ms).toBeLessThan(LIVE_LIMIT_MS);

    // Every node hears each event exactly once (its own NOTIFY included), never twice.
    await sleep(300);
    for (const stream of [onA, onB]) {
      const created = stream.events.filter((e) => e.event === 'message.created').map((e) => eventData(e).messageId);
      expect(created).toHaveLength(LIVE_SAMPLES);
      expect(new Set(created).size).toBe(LIVE_SAMPLES);
    }
  });

  it(`${REPLIES} replies sent through both nodes, with both running jobs, are each delivered exactly once`, async () => {
    // The sending system's reply endpoint: counts what arrives, answers a little slowly so that
    // jobs overlap on both nodes.
    const received: Array<{ webhookId: string; text: string }> = [];
    receiver = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        received.push({ webhookId: String(req.headers['webhook-id']), text: (JSON.parse(body) as { text: string }).text });
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 100);
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as { port: number }).port;
    await api(b!.url, owner.token, 'PATCH', `/api/v1/entrances/${hook.id}`, { config: { replyUrl: `http://127.0.0.1:${port}/replies` } }, 200);

    const conversations = await api<{ items: Array<{ id: string }> }>(b!.url, owner.token, 'GET', '/api/v1/conversations');
    const conversationId = conversations.items[0]!.id;
    const texts = Array.from({ length: REPLIES }, (_, i) => `Reply ${i}: thank you, see you on Monday.`);
    const started = performance.now();
    // Half the replies are written on node A, half on node B; either node may send any of them.
    const replies = await Promise.all(texts.map((text, i) => api<{ messageId: string }>((i % 2 ? b! : a!).url, owner.token, 'POST', `/api/v1/conversations/${conversationId}/messages`, { text, mode: 'send' })));

    const deadline = Date.now() + 60_000;
    type Detail = { messages: Array<{ text: string; direction: string; deliveryState: string }> };
    let sent = 0;
    while (Date.now() < deadline) {
      const detail = await api<Detail>(a!.url, owner.token, 'GET', `/api/v1/conversations/${conversationId}`);
      sent = detail.messages.filter((m) => m.direction === 'outbound' && m.deliveryState === 'sent').length;
      if (sent === REPLIES) break;
      await sleep(100);
    }
    const allSentMs = performance.now() - started;
    expect(sent).toBe(REPLIES);
    // Give a second delivery (a job run twice, on the other node) time to show itself.
    await sleep(3_000);
    console.log(`[durability] PostgreSQL, two nodes: ${REPLIES} replies sent exactly once each in ${(allSentMs / 1000).toFixed(1)} s; the reply URL received ${received.length} requests`);
    expect(received.map((r) => r.text).sort()).toEqual([...texts].sort());
    // The webhook-id is derived from the reply, so a resend after a lost answer would carry the
    // same id and the receiver could drop it (Standard Webhooks).
    expect(received.map((r) => r.webhookId).sort()).toEqual(replies.map((r) => `msg_${r.messageId}`).sort());
  }, 90_000);
});

describe('one Portier node on SQLite', () => {
  let db: TestDatabase;
  let node: PortierNode | undefined;
  let stream: SseStream | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    node = await PortierNode.start({ dataDir: db.dataDir });
  }, 120_000);
  afterAll(async () => {
    stream?.close();
    await node?.dispose();
    await db?.drop();
  });

  it(`an open event stream hears of a new webhook message within ${LIVE_LIMIT_MS} ms`, async () => {
    const owner = await setUpOwner(node!);
    const hook = await createWebhookEntrance(node!, owner);
    stream = await openEventStream(node!.url, owner.token);
    const latencies = await measureLiveLatency(hook, hook.webhookUrl, { node: stream }, 'sqlite');
    console.log(`[durability] SQLite, one node: webhook → message.created on the event stream: ${summary(latencies.node!)}`);
    for (const ms of latencies.node!) expect(ms).toBeLessThan(LIVE_LIMIT_MS);
  });
});
