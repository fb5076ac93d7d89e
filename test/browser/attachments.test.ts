// The attachments of a message in the owner's browser, in real Chromium against the real
// `portier start`: listed under the message with size and a download link, inline images the HTML
// already shows left out of the list, a file that was too big named with the reason, the download
// arriving with its name, and the list passing axe. The mails are real fixtures stored the way the
// e-mail sync stores them, into the server's own SQLite database and data folder.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { en } from '../../web/src/i18n/messages/en.ts';
import { BlobStore } from '../../src/attachments/blob-store.ts';
import { readEmail } from '../../src/channels/email/sync-message.ts';
import { storeSyncedEmail } from '../../src/channels/email/sync-store.ts';
import { openStorage, type Storage } from '../../src/storage/database.ts';
import { buildWebApp, startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { DESKTOP, describeViolations, findChromium, findSeriousA11yViolations, launchChromium, prepareAxe, saveScreenshots, setUpOwnerInContext, type OwnerAccount } from '../support/browser.ts';

const chromiumPath = findChromium();
const fixture = (name: string) => readFileSync(new URL(`../../src/channels/email/fixtures/real/${name}`, import.meta.url));

const owner: OwnerAccount = {
  workspace: 'Atelier Claire Dubois',
  handle: 'claire-dubois',
  name: 'Claire Dubois',
  email: 'claire@example.ch',
  password: 'correct horse battery staple',
  locale: 'en',
  languages: ['en', 'fr'],
};

describe.skipIf(!chromiumPath)('attachments in Chromium', () => {
  let browser: Browser;
  let server: ServerProcess;
  let dataDir: string;
  let storage: Storage;
  let context: BrowserContext;
  let page: Page;
  const conversations: Record<string, string> = {};

  beforeAll(async () => {
    buildWebApp();
    dataDir = mkdtempSync(join(tmpdir(), 'portier-attachments-browser-'));
    server = await startServerProcess({ dataDir });
    browser = (await launchChromium())!;
    context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Zurich', colorScheme: 'light', viewport: DESKTOP, acceptDownloads: true });
    context.setDefaultTimeout(10_000);
    await prepareAxe(context);
    const csrf = await setUpOwnerInContext(context, server.url, server.setupLink!, owner);
    const created = await context.request.post(`${server.url}/api/v1/entrances`, { data: { kind: 'email', label: 'E-mail' }, headers: { 'x-csrf-token': csrf } });
    expect(created.status(), await created.text()).toBe(201);
    const entranceId = ((await created.json()) as { id: string }).id;

    // Stored as the sync stores mail, next to the running server (SQLite in WAL mode takes both).
    storage = await openStorage({ databaseUrl: null, dataDir });
    const entrance = await storage.db.selectFrom('entrance').selectAll().where('id', '=', entranceId).executeTakeFirstOrThrow();
    const deliver = async (name: string, store: BlobStore) => {
      const synced = await readEmail(fixture(name), { ownAddresses: [owner.email], receivedAt: null, now: Date.now() });
      await storeSyncedEmail({ db: storage.db, attachmentStore: store }, entrance, synced);
      const row = await storage.db.selectFrom('message').select('conversation_id').where('external_id', '=', synced.externalId).executeTakeFirstOrThrow();
      conversations[name] = row.conversation_id;
    };
    await deliver('mail__attachment_emails__attachment_message_rfc822_inline_image.eml', new BlobStore(dataDir));
    // A store that keeps 1 KB per message: the mail's 29 KB GIF is listed as not stored.
    await deliver('mailparser__nodemailer.eml', new BlobStore(dataDir, { limits: { maxMessageBytes: 1024 } }));
    page = await context.newPage();
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await storage?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the files with their size and downloads one under its own name', async () => {
    await page.goto(`${server.url}/inbox/c/${conversations['mail__attachment_emails__attachment_message_rfc822_inline_image.eml']}`);
    const list = page.getByRole('list', { name: en.inbox.attachments.label });
    await list.waitFor();
    // The inline image is part of the HTML (cid:), so only the forwarded message is listed.
    await expect(list.getByRole('listitem').allTextContents()).resolves.toEqual([expect.stringMatching(/^Testmail\.eml \(1\.8 kB\)$/)]);
    const link = list.getByRole('link', { name: en.inbox.attachments.download.replace('{name}', 'Testmail.eml') });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('Testmail.eml');
    expect(readFileSync((await download.path())!).length).toBe(1816);
    // Reached by keyboard like any link.
    await link.focus();
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Testmail.eml');
    const violations = await findSeriousA11yViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
  });

  it('names a file that was not stored, with the reason, beside the stored ones', async () => {
    await page.goto(`${server.url}/inbox/c/${conversations['mailparser__nodemailer.eml']}`);
    const list = page.getByRole('list', { name: en.inbox.attachments.label });
    await list.waitFor();
    const items = await list.getByRole('listitem').allTextContents();
    expect(items.some((text) => text.startsWith('notes.txt'))).toBe(true);
    const omitted = items.find((text) => text.startsWith('nyan cat ✔.gif'));
    expect(omitted).toContain('Not stored: this message’s attachments together are more than Portier keeps.');
    // Not a link: there is nothing to download.
    await expect(list.getByRole('link', { name: /nyan cat/ }).count()).resolves.toBe(0);
    const violations = await findSeriousA11yViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await saveScreenshots(page, 'attachments-list');
  });
});
