// The e-mail entrance against a real IMAP server (a private Dovecot on loopback): every message
// once, across restarts and a rebuilt folder; new mail pushed by IDLE; the owner's own replies from
// the sent folder stop the clock; one refused login never stops the other accounts.
// PORTIER_EMAIL_SCALE=10000 runs the "every message once" test at that size (default 300).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects } from '../support/databases.ts';
import { createTestApp, setUpWorkspace, type TestApp } from '../support/app.ts';
import { loadFolderState } from '../../src/channels/email/sync-store.ts';
import { sealEntranceConfig } from '../../src/entrances/entrance-config.ts';
import { appendMails, buildMail, countMessages, createEmailEntrance, dovecotAvailable, emailConfig, imapClient, newMailUser, startTestSync, waitFor } from './support.ts';

const dialects = dovecotAvailable() ? await availableDialects() : [];
const SCALE = Number(process.env.PORTIER_EMAIL_SCALE ?? 300);

describe.skipIf(dialects.length === 0)('e-mail sync against Dovecot', () => {
  describe.each(dialects)('on %s', (dialect) => {
    let t: TestApp;
    let workspaceId: string;

    beforeAll(async () => {
      t = await createTestApp(dialect);
      workspaceId = (await setUpWorkspace(t)).workspaceId;
    });
    afterAll(async () => {
      await t?.dispose();
    });

    const bulkSize = dialect === 'sqlite' ? SCALE : Math.min(SCALE, 300);
    it(`stores each of ${bulkSize} messages in the folder exactly once`, async () => {
      const user = newMailUser('bulk');
      const mails = Array.from({ length: bulkSize }, (_, i) => buildMail({ from: `person${i % 200}@example.org`, subject: `Anfrage ${i}`, messageId: `bulk-${i}-${user}@example.org`, date: new Date(Date.now() - (bulkSize - i) * 1000) }));
      const appendStart = performance.now();
      await appendMails(user, 'INBOX', mails);
      const appendMs = performance.now() - appendStart;
      const entrance = await createEmailEntrance(t.ctx, workspaceId, emailConfig(user));

      const start = performance.now();
      const sync = startTestSync(t.ctx);
      try {
        await waitFor('all messages stored', async () => (await countMessages(t.ctx, entrance.id)) >= bulkSize, 600_000, 50);
        const ms = performance.now() - start;
        console.log(`[email-imap ${dialect}] APPEND ${bulkSize} in ${(appendMs / 1000).toFixed(1)} s; initial sync stored ${bulkSize} in ${(ms / 1000).toFixed(2)} s = ${Math.round(bulkSize / (ms / 1000))} messages/s`);
        await new Promise((r) => setTimeout(r, 300)); // nothing more arrives afterwards
        expect(await countMessages(t.ctx, entrance.id)).toBe(bulkSize);
        const distinct = await t.ctx.storage.db.selectFrom('message').select((eb) => eb.fn.count<number>('external_id').distinct().as('n')).where('entrance_id', '=', entrance.id).executeTakeFirstOrThrow();
        expect(Number(distinct.n)).toBe(bulkSize);
        // The cursor is saved after each batch is stored, the end of the initial window last.
        const state = await waitFor('the initial sync finished', async () => {
          const s = await loadFolderState(t.ctx.storage.db, entrance.id, 'INBOX');
          return s?.windowSince === null ? s : false;
        });
        expect(state.lastUid).toBe(bulkSize);
        expect(state.highestModseq).not.toBeNull(); // Dovecot has CONDSTORE
        const e = await t.ctx.storage.db.selectFrom('entrance').select(['health', 'health_reason']).where('id', '=', entrance.id).executeTakeFirstOrThrow();
        expect(e).toEqual({ health: 'ok', health_reason: null });
      } finally {
        await sync.stop();
      }
    }, 900_000);

    it('a sync stopped halfway and started again still stores every message exactly once', async () => {
      const user = newMailUser('restart');
      const n = 300;
      await appendMails(user, 'INBOX', Array.from({ length: n }, (_, i) => buildMail({ subject: `Kurs ${i}`, messageId: `restart-${i}-${user}@example.org` })));
      const entrance = await createEmailEntrance(t.ctx, workspaceId, emailConfig(user));

      const first = startTestSync(t.ctx, { account: { batchSize: 20 } });
      const seenAtStop = await waitFor('part of the folder stored', async () => {
        const c = await countMessages(t.ctx, entrance.id);
        return c >= 50 ? c : false;
      });
      await first.stop(); // mid-batch: the cursor stays before the batch that was being stored
      const afterStop = await countMessages(t.ctx, entrance.id);
      expect(afterStop).toBeLessThan(n);
      const cursor = await loadFolderState(t.ctx.storage.db, entrance.id, 'INBOX');
      expect(cursor!.lastUid).toBeLessThanOrEqual(afterStop);

      const second = startTestSync(t.ctx, { account: { batchSize: 20 } });
      try {
        await waitFor('the rest stored', async () => (await countMessages(t.ctx, entrance.id)) >= n);
        await new Promise((r) => setTimeout(r, 300));
        expect(await countMessages(t.ctx, entrance.id)).toBe(n);
        console.log(`[email-imap ${dialect}] stopped at ${seenAtStop}–${afterStop} of ${n} stored (cursor UID ${cursor!.lastUid}); after restart ${n}, none twice`);
      } finally {
        await second.stop();
      }
    }, 120_000);

    it('a folder rebuilt with a new UIDVALIDITY is resynced without duplicates', async () => {
      const user = newMailUser('uidv');
      const mails = Array.from({ length: 40 }, (_, i) => buildMail({ subject: `Projekt ${i}`, messageId: `uidv-${i}-${user}@example.org` }));
      // A message without Message-ID: its external id is a hash of its bytes, the same after the rebuild.
      mails.push(buildMail({ subject: 'Ohne Message-ID', messageId: null, date: new Date('2026-11-20T10:00:00Z') }));
      await appendMails(user, 'Work', mails);
      const entrance = await createEmailEntrance(t.ctx, workspaceId, emailConfig(user, { folders: ['INBOX', 'Work'] }));
      const sync = startTestSync(t.ctx);
      try {
        await waitFor('the folder stored', async () => (await countMessages(t.ctx, entrance.id)) >= 41);
        const before = (await loadFolderState(t.ctx.storage.db, entrance.id, 'Work'))!;

        const admin = imapClient(user);
        await admin.connect();
        await admin.mailboxDelete('Work');
        await admin.mailboxCreate('Work');
        await admin.logout();
        await appendMails(user, 'Work', [...mails, buildMail({ subject: 'Neu nach dem Umbau', messageId: `uidv-new-${user}@example.org` })]);

        await waitFor('the new message stored', async () => (await countMessages(t.ctx, entrance.id)) >= 42);
        const after = await waitFor('the new UIDVALIDITY recorded', async () => {
          const s = await loadFolderState(t.ctx.storage.db, entrance.id, 'Work');
          return s && s.uidValidity !== before.uidValidity && s.windowSince === null ? s : false;
        });
        await new Promise((r) => setTimeout(r, 500));
        expect(await countMessages(t.ctx, entrance.id)).toBe(42);
        expect(after.lastUid).toBe(42);
      } finally {
        await sync.stop();
      }
    });

    it('a message APPENDed while the sync runs arrives through IDLE', async () => {
      const user = newMailUser('idle');
      const entrance = await createEmailEntrance(t.ctx, workspaceId, emailConfig(user));
      await appendMails(user, 'INBOX', [buildMail({ subject: 'Erste Nachricht' })]);
      const sync = startTestSync(t.ctx);
      const latencies: number[] = [];
      try {
        await waitFor('the first message', async () => (await countMessages(t.ctx, entrance.id)) >= 1);
        await waitFor('the loop idling', async () => (sync.account(entrance.id)?.stats.passes ?? 0) >= 1);
        await new Promise((r) => setTimeout(r, 200));
        const appender = imapClient(user);
        await appender.connect();
        for (let i = 0; i < 10; i++) {
          const arrived = new Promise<number>((resolve) => {
            const off = t.ctx.live.subscribe(workspaceId, (e) => {
              if (e.type === 'message.created') {
                off();
                resolve(performance.now());
              }
            });
          });
          const sentAt = performance.now();
          await appender.append('INBOX', buildMail({ subject: `Live ${i}`, messageId: `idle-${i}-${user}@example.org` }));
          latencies.push((await arrived) - sentAt);
          await new Promise((r) => setTimeout(r, 50));
        }
        await appender.logout();
        latencies.sort((a, b) => a - b);
        console.log(`[email-imap ${dialect}] APPEND → stored via IDLE, 10 messages: p50 ${latencies[4]!.toFixed(0)} ms, max ${latencies[9]!.toFixed(0)} ms`);
        expect(latencies[9]).toBeLessThan(5_000);
        expect(await countMessages(t.ctx, entrance.id)).toBe(11);
        expect(sync.account(entrance.id)!.stats.connects).toBe(1); // pushed on the same connection, no reconnect polling
      } finally {
        await sync.stop();
      }
    });

    it("a reply from the owner's own mail program (found in Sent) joins the conversation and stops the clock", async () => {
      const user = newMailUser('sent');
      const entrance = await createEmailEntrance(t.ctx, workspaceId, emailConfig(user, { sentFolder: 'Sent' }));
      const question = `q-${user}@example.org`;
      await appendMails(user, 'INBOX', [buildMail({ from: 'marc.rossi@example.it', fromName: 'Marc Rossi', subject: 'Workshop im März', messageId: question, date: new Date(Date.now() - 3600_000) })]);
      const sync = startTestSync(t.ctx);
      try {
        const conv = await waitFor('the conversation', () => t.ctx.storage.db.selectFrom('conversation').selectAll().where('entrance_id', '=', entrance.id).executeTakeFirst());
        expect(conv.awaiting_since).not.toBeNull();
        expect(conv.status).toBe('open');

        await appendMails(user, 'Sent', [buildMail({ from: 'claire@atelier-dubois.ch', to: 'marc.rossi@example.it', subject: 'Re: Workshop im März', messageId: `a-${user}@atelier-dubois.ch`, inReplyTo: question, references: [question], body: 'Gerne, am 12. März ist noch Platz.' })]);
        const answered = await waitFor('the clock stopped', async () => {
          const c = await t.ctx.storage.db.selectFrom('conversation').selectAll().where('id', '=', conv.id).executeTakeFirstOrThrow();
          return c.awaiting_since === null ? c : false;
        });
        expect(answered.status).toBe('waiting');
        const msgs = await t.ctx.storage.db.selectFrom('message').select(['direction', 'delivery_state', 'conversation_id']).where('entrance_id', '=', entrance.id).orderBy('sent_at').execute();
        expect(msgs).toEqual([
          { direction: 'inbound', delivery_state: 'received', conversation_id: conv.id },
          { direction: 'outbound', delivery_state: 'sent', conversation_id: conv.id },
        ]);

        // Marc answers the owner's reply: the same conversation, and the clock runs again.
        await appendMails(user, 'INBOX', [buildMail({ from: 'marc.rossi@example.it', subject: 'Re: Re: Workshop im März', inReplyTo: `a-${user}@atelier-dubois.ch`, references: [question, `a-${user}@atelier-dubois.ch`], body: 'Super, ich melde mich an.' })]);
        await waitFor('the answer', async () => (await countMessages(t.ctx, entrance.id)) >= 3);
        const convs = await t.ctx.storage.db.selectFrom('conversation').select(['id', 'awaiting_since']).where('entrance_id', '=', entrance.id).execute();
        expect(convs).toHaveLength(1);
        expect(convs[0]!.awaiting_since).not.toBeNull();
      } finally {
        await sync.stop();
      }
    });

    it('auto-replies and mailing-list mail are stored without starting the clock', async () => {
      const user = newMailUser('auto');
      const entrance = await createEmailEntrance(t.ctx, workspaceId, emailConfig(user));
      await appendMails(user, 'INBOX', [
        buildMail({ from: 'away@example.org', subject: 'Abwesenheitsnotiz', headers: { 'Auto-Submitted': 'auto-replied' } }),
        buildMail({ from: 'news@example.org', subject: 'Newsletter November', headers: { 'List-Unsubscribe': '<mailto:unsub@example.org>' } }),
      ]);
      const sync = startTestSync(t.ctx);
      try {
        await waitFor('both stored', async () => (await countMessages(t.ctx, entrance.id)) >= 2);
        const convs = await t.ctx.storage.db.selectFrom('conversation').select(['awaiting_since']).where('entrance_id', '=', entrance.id).execute();
        expect(convs.map((c) => c.awaiting_since)).toEqual([null, null]);
      } finally {
        await sync.stop();
      }
    });

    it('a refused login marks that entrance failing with the reason while another account keeps syncing', async () => {
      const good = newMailUser('good');
      const bad = newMailUser('bad');
      await appendMails(good, 'INBOX', [buildMail({ subject: 'Hallo' }), buildMail({ subject: 'Noch eine Frage' })]);
      const goodEntrance = await createEmailEntrance(t.ctx, workspaceId, emailConfig(good), 'Good');
      const badConfig = emailConfig(bad);
      badConfig.imap.password = 'wrong-password';
      const badEntrance = await createEmailEntrance(t.ctx, workspaceId, badConfig, 'Bad');
      // A watched folder that does not exist: the others go on, the entrance says which.
      const missingUser = newMailUser('missing');
      await appendMails(missingUser, 'INBOX', [buildMail({ subject: 'Trotzdem da' })]);
      const missingEntrance = await createEmailEntrance(t.ctx, workspaceId, emailConfig(missingUser, { folders: ['INBOX', 'Kunden'] }), 'Missing folder');
      const sync = startTestSync(t.ctx);
      try {
        const failing = await waitFor('the bad entrance failing', async () => {
          const e = await t.ctx.storage.db.selectFrom('entrance').select(['health', 'health_reason']).where('id', '=', badEntrance.id).executeTakeFirstOrThrow();
          return e.health === 'failing' ? e : false;
        });
        expect(failing.health_reason).toContain(`IMAP login refused for user ${bad}`);
        expect(failing.health_reason).toContain('[AUTHENTICATIONFAILED]');
        await waitFor('the good entrance synced', async () => (await countMessages(t.ctx, goodEntrance.id)) >= 2);
        // More mail for the good account still arrives while the bad one waits.
        await appendMails(good, 'INBOX', [buildMail({ subject: 'Und noch etwas' })]);
        await waitFor('the good entrance still syncing', async () => (await countMessages(t.ctx, goodEntrance.id)) >= 3);
        expect(sync.account(badEntrance.id)!.stats.connects).toBe(0);

        await waitFor('the folder-missing entrance synced INBOX', async () => (await countMessages(t.ctx, missingEntrance.id)) >= 1);
        const attention = await waitFor('attention on the missing folder', async () => {
          const e = await t.ctx.storage.db.selectFrom('entrance').select(['health', 'health_reason']).where('id', '=', missingEntrance.id).executeTakeFirstOrThrow();
          return e.health === 'attention' ? e : false;
        });
        expect(attention.health_reason).toContain('"Kunden" does not exist');

        // Fixing the password restarts that account at once, without waiting for the slow retry.
        await t.ctx.storage.db.updateTable('entrance').set({ config_encrypted: (await createEmailEntranceConfig(t, bad)) }).where('id', '=', badEntrance.id).execute();
        await appendMails(bad, 'INBOX', [buildMail({ subject: 'Endlich' })]);
        await waitFor('the fixed entrance synced', async () => (await countMessages(t.ctx, badEntrance.id)) >= 1);
        const healed = await waitFor('the fixed entrance healthy', async () => {
          const e = await t.ctx.storage.db.selectFrom('entrance').select(['health', 'health_reason']).where('id', '=', badEntrance.id).executeTakeFirstOrThrow();
          return e.health === 'ok' ? e : false;
        });
        expect(healed.health_reason).toBeNull();
      } finally {
        await sync.stop();
      }
    });

    it('only one of two nodes syncs an account at a time (lease)', async () => {
      const user = newMailUser('lease');
      await appendMails(user, 'INBOX', [buildMail({ subject: 'Eins' })]);
      const entrance = await createEmailEntrance(t.ctx, workspaceId, emailConfig(user));
      const a = startTestSync(t.ctx, { holder: 'node-a' });
      const b = startTestSync(t.ctx, { holder: 'node-b' });
      try {
        await waitFor('stored', async () => (await countMessages(t.ctx, entrance.id)) >= 1);
        await new Promise((r) => setTimeout(r, 600));
        const holders = [a.account(entrance.id), b.account(entrance.id)].filter(Boolean);
        expect(holders).toHaveLength(1);
        // The holder stops (a node shutting down): the other takes over.
        const [first, second] = a.account(entrance.id) ? [a, b] : [b, a];
        await first.stop();
        await waitFor('the other node took over', async () => second.account(entrance.id) ?? false, 10_000);
        await appendMails(user, 'INBOX', [buildMail({ subject: 'Zwei' })]);
        await waitFor('stored by the other node', async () => (await countMessages(t.ctx, entrance.id)) >= 2);
      } finally {
        await a.stop();
        await b.stop();
      }
    });
  });
});

async function createEmailEntranceConfig(t: TestApp, user: string): Promise<string> {
  return sealEntranceConfig(t.ctx.secrets, emailConfig(user))!;
}
