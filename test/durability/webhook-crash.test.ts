// "A crash at any point loses no accepted message": the real server, as its own process, is killed
// with SIGKILL at random moments (seeded: PORTIER_TEST_SEED replays them) while a sender streams
// 2,000 signed webhook deliveries and retries each until it is acknowledged. After every kill the
// server starts again on the same data and port. In the end every message is stored exactly once,
// every acknowledged message is there, and no person got a second contact or conversation.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { createWebhookEntrance, PortierNode, setUpOwner, sleep, type Owner } from '../support/portier-node.ts';
import { sendAllUntilAcknowledged, type Delivery } from '../support/retrying-sender.ts';
import { seededRandom } from '../support/seeded-random.ts';

// PORTIER_DURABILITY_MESSAGES=… runs a shorter or longer stream (2,000 by default).
const MESSAGES = Number(process.env.PORTIER_DURABILITY_MESSAGES ?? 2_000);
const IN_FLIGHT = 16;
const SENDERS = 40;

const dialects = await availableDialects();

/** Runs SQL written with `?` placeholders on the stopped node's database, SQLite or PostgreSQL. */
async function queryStoredData<T>(db: TestDatabase, run: (q: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> {
  if (db.dialect === 'sqlite') {
    const sqlite = new Database(join(db.dataDir, 'portier.db'), { fileMustExist: true });
    try {
      return await run(async (sql, params = []) => sqlite.prepare(sql).all(...params) as Record<string, unknown>[]);
    } finally {
      sqlite.close();
    }
  }
  const client = new pg.Client({ connectionString: db.databaseUrl! });
  await client.connect();
  try {
    return await run(async (sql, params = []) => {
      let n = 0;
      return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows as Record<string, unknown>[];
    });
  } finally {
    await client.end();
  }
}

describe.each(dialects)('webhook deliveries through SIGKILL crashes on %s', (dialect) => {
  let db: TestDatabase;
  let node: PortierNode | undefined;
  let owner: Owner;
  let hook: { id: string; webhookUrl: string; signingSecret: string };

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    node = await PortierNode.start({ dataDir: db.dataDir, databaseUrl: db.databaseUrl });
    owner = await setUpOwner(node);
    hook = await createWebhookEntrance(node, owner);
  }, 120_000);
  afterAll(async () => {
    await node?.dispose();
    await db?.drop();
  });

  it(`loses no message and doubles none across 3–5 kills during ${MESSAGES} deliveries`, async () => {
    const rng = seededRandom();
    // Who writes each message is random too, so the same new person often has several messages in
    // flight at once (the race that could create a second contact or conversation).
    const senders = Array.from({ length: SENDERS }, (_, k) => ({
      name: `Sender ${k}`,
      email: `sender-${k}@example.ch`,
      ...(k % 2 === 0 ? { phone: `+41 79 100 ${String(10 + Math.floor(k / 10)).padStart(2, '0')} ${String(10 + (k % 10)).padStart(2, '0')}` } : {}),
    }));
    const senderOf = new Map<string, number>();
    const deliveries: Delivery[] = Array.from({ length: MESSAGES }, (_, i) => {
      const id = `m-${String(i).padStart(4, '0')}`;
      const k = rng.int(0, SENDERS - 1);
      senderOf.set(id, k);
      return { id, body: { id, sender: senders[k], text: `Message ${i} from ${senders[k]!.name}`, subject: `Inquiry ${k}` } };
    });
    const usedSenders = new Set(senderOf.values());

    // The kill moments: after a random number of acknowledgements, plus a few random milliseconds,
    // so the kill lands while ~16 deliveries are somewhere between parse, transaction and answer.
    const killCount = rng.int(3, 5);
    const killAt = Array.from({ length: killCount }, () => ({ afterAcks: rng.int(Math.floor(MESSAGES / 20), Math.floor(MESSAGES * 0.95)), delayMs: rng.int(0, 40) })).sort((a, b) => a.afterAcks - b.afterAcks);
    const live = node!;
    let acked = 0;
    let kills = 0;
    let downMs = 0;
    const started = performance.now();
    // Bounded: on a quiet 2-core machine a run takes well under a minute per database; the ceilings
    // leave room for a machine busy with other test files, and fail rather than hang.
    const deadline = Date.now() + 360_000;

    // The killer and the sender run side by side; whichever fails first stops the other, so that
    // nothing keeps killing and restarting the server after the test ended.
    const stopSender = new AbortController();
    let finished = false;
    const killer = (async () => {
      for (const moment of killAt) {
        // The next process is loaded in advance (see portier-node-main.ts): a restart then costs
        // opening the database, recovery, migrations, jobs and listening — not module loading.
        await live.prepareStandby();
        while (acked < moment.afterAcks) {
          if (finished) return;
          if (Date.now() > deadline) throw new Error(`killer: ${acked} acknowledged, waited in vain for ${moment.afterAcks}`);
          await sleep(2);
        }
        await sleep(moment.delayMs);
        const down = performance.now();
        await live.kill();
        kills += 1;
        await live.start();
        downMs += performance.now() - down;
      }
    })().catch((err: unknown) => {
      stopSender.abort(err);
      throw err;
    });
    let stats: Awaited<ReturnType<typeof sendAllUntilAcknowledged>>;
    try {
      [stats] = await Promise.all([
        sendAllUntilAcknowledged(deliveries, { url: hook.webhookUrl, secret: hook.signingSecret, concurrency: IN_FLIGHT, timeoutMs: 360_000, signal: stopSender.signal, onAck: (n) => (acked = n) }),
        killer,
      ]);
    } finally {
      finished = true;
    }
    const elapsedMs = performance.now() - started;
    await live.stop();

    console.log(
      `[durability] ${dialect}: ${MESSAGES} messages, ${kills} SIGKILLs (seed ${rng.seed}, after ${killAt.map((k) => k.afterAcks).join('/')} acks), ` +
        `${stats.attempts} requests, ${stats.retries} retries (${Object.entries(stats.failures).map(([k, v]) => `${k}: ${v}`).join(', ')}), ` +
        `${stats.duplicateAcks} acknowledged as duplicate (stored before a crash, answer lost), ` +
        `${(elapsedMs / 1000).toFixed(1)} s elapsed of which ${(downMs / 1000).toFixed(1)} s down/restarting, ` +
        `${(MESSAGES / (elapsedMs / 1000)).toFixed(0)} msgs/s overall, ${(MESSAGES / ((elapsedMs - downMs) / 1000)).toFixed(0)} msgs/s while up`,
    );

    expect(kills).toBe(killCount);
    expect(stats.acknowledged).toHaveLength(MESSAGES);
    expect(new Set(stats.acknowledged).size).toBe(MESSAGES);
    // Each message was stored by exactly one request; the others saw it as a duplicate.
    expect(stats.storedByAck + stats.duplicateAcks).toBe(MESSAGES);

    const result = await queryStoredData(db, async (q) => ({
      messages: await q('select external_id, identity_id, conversation_id from message where entrance_id = ?', [hook.id]),
      doubled: await q('select external_id, count(*) as n from message where entrance_id = ? group by external_id having count(*) > 1', [hook.id]),
      contacts: await q('select id, display_name, merged_into_id from contact where workspace_id = ?', [owner.workspaceId]),
      identities: await q('select kind, value_normalized, contact_id from identity where workspace_id = ?', [owner.workspaceId]),
      conversations: await q('select id, contact_id, thread_key from conversation where entrance_id = ?', [hook.id]),
      // Every message sits in a conversation of the contact its sender identity belongs to.
      mismatched: await q(
        `select m.external_id from message m join conversation c on c.id = m.conversation_id join identity i on i.id = m.identity_id
         where m.entrance_id = ? and i.contact_id <> c.contact_id`,
        [hook.id],
      ),
    }));

    const storedIds = result.messages.map((m) => String(m.external_id));
    expect(result.doubled).toEqual([]);
    expect(storedIds).toHaveLength(MESSAGES);
    expect(new Set(storedIds)).toEqual(new Set(deliveries.map((d) => d.id)));
    const missingAcknowledged = stats.acknowledged.filter((id) => !storedIds.includes(id));
    expect(missingAcknowledged).toEqual([]);
    expect(result.messages.filter((m) => m.identity_id === null)).toEqual([]);
    expect(result.mismatched).toEqual([]);

    // One contact per person, one conversation per contact (no thread keys were sent).
    const expectedIdentities = [...usedSenders].reduce((n, k) => n + (senders[k]!.phone ? 2 : 1), 0);
    expect(result.identities).toHaveLength(expectedIdentities);
    const contactOfEmail = new Map(result.identities.filter((i) => i.kind === 'email').map((i) => [String(i.value_normalized), String(i.contact_id)]));
    expect(contactOfEmail.size).toBe(usedSenders.size);
    expect(new Set(contactOfEmail.values()).size).toBe(usedSenders.size);
    for (const i of result.identities.filter((i) => i.kind === 'phone')) {
      const k = senders.findIndex((s) => s.phone && s.phone.replace(/\s/g, '') === String(i.value_normalized));
      expect(k, `phone ${i.value_normalized} belongs to a known sender`).toBeGreaterThanOrEqual(0);
      expect(i.contact_id).toBe(contactOfEmail.get(senders[k]!.email));
    }
    expect(result.contacts).toHaveLength(usedSenders.size);
    expect(result.contacts.filter((c) => c.merged_into_id !== null)).toEqual([]);
    expect(result.conversations).toHaveLength(usedSenders.size);
    expect(new Set(result.conversations.map((c) => c.contact_id)).size).toBe(usedSenders.size);
    // And each message went to its own sender's contact.
    const contactOfConversation = new Map(result.conversations.map((c) => [String(c.id), String(c.contact_id)]));
    const wrongContact = result.messages.filter((m) => contactOfConversation.get(String(m.conversation_id)) !== contactOfEmail.get(senders[senderOf.get(String(m.external_id))!]!.email));
    expect(wrongContact.map((m) => m.external_id)).toEqual([]);
  }, 420_000);
});
