// Attachments through the whole e-mail path: real fixture mails APPENDed to a real IMAP server
// (the private Dovecot), synced by the sync manager as the server starts it (with the app's
// context, hence its data folder), stored as rows and hash-named files, and downloadable.
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../../src/attachments/blob-store.ts';
import { startEmailSync } from '../../src/channels/email/sync-manager.ts';
import { loadFolderState } from '../../src/channels/email/sync-store.ts';
import { createTestApp, setUpWorkspace, type SignedIn, type TestApp } from '../support/app.ts';
import { availableDialects } from '../support/databases.ts';
import { appendMails, countMessages, createEmailEntrance, dovecotAvailable, emailConfig, newMailUser, waitFor } from './support.ts';

const dialects = dovecotAvailable() ? await availableDialects() : [];
const fixture = (name: string) => readFileSync(new URL(`../../src/channels/email/fixtures/real/${name}`, import.meta.url)).toString('latin1');

describe.skipIf(dialects.length === 0)('attachments synced from Dovecot', () => {
  describe.each(dialects)('on %s', (dialect) => {
    let t: TestApp;
    let owner: SignedIn;

    beforeAll(async () => {
      t = await createTestApp(dialect);
      owner = await setUpWorkspace(t);
    });
    afterAll(async () => t?.dispose());

    it('every attachment becomes a row and a file; the same file in two mails is stored once; a resync adds nothing', async () => {
      const user = newMailUser('att');
      const pdf = fixture('mail__attachment_emails__attachment_pdf.eml');
      await appendMails(user, 'INBOX', [
        fixture('mail__attachment_emails__attachment_message_rfc822_inline_image.eml'),
        pdf,
        pdf.replace('Message-ID: <xxxx@xxxx.com>', `Message-ID: <second-pdf-${user}@example.org>`),
      ]);
      const entrance = await createEmailEntrance(t.ctx, owner.workspaceId, emailConfig(user));
      const store = new BlobStore(t.ctx.config.dataDir);

      // As server.ts starts it: the whole app context, so attachments go to its data folder.
      const sync = startEmailSync({ ...t.ctx, logger: process.env.TEST_LOG_LEVEL ? pino({ level: process.env.TEST_LOG_LEVEL }) : t.ctx.logger }, { refreshMs: 200, leaseMs: 5_000, account: { otherFoldersPollMs: 300, backoff: { baseMs: 100, maxMs: 1_000 } } });
      try {
        await waitFor('three messages stored', async () => (await countMessages(t.ctx, entrance.id)) >= 3);
        const rows = await t.ctx.storage.db
          .selectFrom('attachment')
          .innerJoin('message', 'message.id', 'attachment.message_id')
          .select(['attachment.id', 'attachment.message_id', 'attachment.filename', 'attachment.sha256', 'attachment.disposition', 'attachment.content_id', 'attachment.size'])
          .where('message.entrance_id', '=', entrance.id)
          .execute();
        rows.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
        expect(rows.map((r) => [r.filename, r.disposition])).toEqual([
          ['Testmail.eml', 'attachment'],
          ['broken.pdf', 'attachment'],
          ['broken.pdf', 'attachment'],
          ['img.png', 'inline'],
        ]);
        const pdfs = rows.filter((r) => r.filename === 'broken.pdf');
        expect(pdfs[0]!.message_id).not.toBe(pdfs[1]!.message_id);
        expect(pdfs[0]!.sha256).toBe(pdfs[1]!.sha256);
        for (const r of rows) {
          const blob = await store.open(r.sha256);
          expect(blob?.size, r.filename).toBe(Number(r.size));
          blob!.stream.destroy();
          expect(BlobStore.hashOf(readFileSync(store.pathOf(r.sha256)))).toBe(r.sha256);
        }

        // The inline image the HTML refers to can be fetched for the mail view.
        const image = rows.find((r) => r.filename === 'img.png')!;
        expect(image.content_id).toBe('emedfeb92f-a786-4718-a446-98db8afb53fb@kronos');
        const res = await owner.request({ method: 'GET', url: `/api/v1/messages/${image.message_id}/attachments/${image.id}?inline=1` });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('image/png');
        expect(res.rawPayload.length).toBe(370);

        // A mail that arrives while the sync runs (IDLE) is stored with its attachment too.
        await appendMails(user, 'INBOX', [pdf.replace('Message-ID: <xxxx@xxxx.com>', `Message-ID: <third-pdf-${user}@example.org>`)]);
        await waitFor('the fourth message stored', async () => (await countMessages(t.ctx, entrance.id)) >= 4);
        const count = async () => Number((await t.ctx.storage.db.selectFrom('attachment').where('sha256', '=', pdfs[0]!.sha256).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
        await waitFor('its attachment row', async () => (await count()) === 3);
      } finally {
        await sync.stop();
      }

      // The same folder synced again from scratch (cursor lost): no message and no row twice.
      await t.ctx.storage.db.deleteFrom('email_folder_state' as never).where('entrance_id' as never, '=', entrance.id as never).execute();
      const again = startEmailSync(t.ctx, { refreshMs: 200, leaseMs: 5_000 });
      try {
        await waitFor('the folder synced again', async () => (await loadFolderState(t.ctx.storage.db, entrance.id, 'INBOX'))?.windowSince === null);
        await new Promise((r) => setTimeout(r, 500));
      } finally {
        await again.stop();
      }
      expect(await countMessages(t.ctx, entrance.id)).toBe(4);
      const total = await t.ctx.storage.db.selectFrom('attachment').innerJoin('message', 'message.id', 'attachment.message_id').where('message.entrance_id', '=', entrance.id).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(total.n)).toBe(5);
    }, 120_000);
  });
});
