// Hostile e-mail in real Chromium against the real `portier start`: a mail full of tricks (scripts,
// event handlers, javascript: and data: links, forms, meta refresh, <base>, CSS expression() /
// url() / @import, object/embed/svg, tracking pixels; test/fixtures/email/hostile-html.eml) is
// stored the way the e-mail sync stores mail, then opened by the owner. Its HTML shows in a
// sandboxed frame; nothing in it runs (every payload would set a global, change a title or call
// the test's own tracker at a /ran/… address), and no request leaves for any origin but Portier's.
// "Load them once" and then "Always load from <sender>" make the tracker see exactly the mail's
// image requests, and still nothing runs. Screenshots: test-results/screenshots/hostile-mail-*.png.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { en } from '../../web/src/i18n/messages/en.ts';
import { BlobStore } from '../../src/attachments/blob-store.ts';
import { readEmail } from '../../src/channels/email/sync-message.ts';
import { storeSyncedEmail } from '../../src/channels/email/sync-store.ts';
import { openStorage } from '../../src/storage/database.ts';
import { insertEntrance } from '../http/fixtures.ts';
import { buildWebApp, startServerProcess, type ServerProcess } from '../support/server-process.ts';
import {
  DESKTOP,
  PHONE,
  describeViolations,
  findChromium,
  findSeriousA11yViolations,
  launchChromium,
  prepareAxe,
  readCspViolations,
  recordCspViolations,
  saveScreenshot,
  saveScreenshots,
  setUpOwnerInContext,
  type OwnerAccount,
} from '../support/browser.ts';

const chromiumPath = findChromium();

const owner: OwnerAccount = {
  workspace: 'Atelier Claire Dubois',
  handle: 'claire-dubois',
  name: 'Claire Dubois',
  email: 'claire@example.ch',
  password: 'correct horse battery staple',
  locale: 'en',
  languages: ['en', 'fr'],
};

const FIXTURE = new URL('../fixtures/email/hostile-html.eml', import.meta.url);
const SUBJECT = "Your invoice <script>document.title='PWNED'</script>";
const SENDER = 'mallory@evil.example';
/** The only addresses of the mail that may ever be requested: its three <img> tracking pixels. */
const PIXELS = ['/pixel/case.gif', '/pixel/open.gif', '/pixel/space.png'];
const SANDBOX = 'allow-same-origin allow-popups allow-popups-to-escape-sandbox';
const BLOCKED_CSP = "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'none'; frame-ancestors 'self'; base-uri 'none'";
const REMOTE_CSP = "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https: http:; form-action 'none'; frame-ancestors 'self'; base-uri 'none'";

describe.skipIf(!chromiumPath)('hostile e-mail in Chromium: a sandboxed frame where nothing runs and nothing loads until allowed', () => {
  let browser: Browser;
  let server: ServerProcess;
  let dataDir: string;
  let tracker: Server;
  let trackerOrigin: string;
  /** Paths the tracker was asked for, in order, and the Referer each request carried. */
  const tracked: string[] = [];
  const trackedReferers: Array<string | null> = [];
  let context: BrowserContext;
  let page: Page;
  let messageId: string;
  const requests: string[] = [];
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  const consoleProblems: string[] = [];
  const popups: string[] = [];
  /** axe-core pings every frame with postMessage; the sandbox refuses it, and Chromium says so. */
  let axeRunning = false;
  const consoleDuringAxe: string[] = [];

  const frame = () => page.locator('.message-html iframe').first();
  const notice = () => page.getByRole('note').filter({ hasText: en.inbox.remoteContent.blocked });
  const alwaysLabel = en.inbox.remoteContent.alwaysLoad.replace('{sender}', SENDER);

  /** What the frame's document holds and did, read from the page (same origin, so it may look in). */
  const inspectFrame = () =>
    frame().evaluate((element: HTMLIFrameElement) => {
      const doc = element.contentDocument!;
      const win = element.contentWindow as unknown as { __pwned?: unknown };
      const body = doc.body;
      return {
        url: doc.URL,
        title: doc.title,
        pwnedInFrame: win.__pwned,
        text: body.innerText,
        active: [...body.querySelectorAll('script, style, link, meta, base, iframe, frame, object, embed, form, input, button, svg, math, video, audio, source, picture, noscript, details, marquee, textarea, select')].map((e) => e.tagName),
        headExtras: [...doc.head.children].map((e) => e.tagName + (e.getAttribute('http-equiv') ? `[${e.getAttribute('http-equiv')}]` : '') + (e.getAttribute('href') ? `[href=${e.getAttribute('href')}]` : '')),
        attributes: [...body.querySelectorAll('*')].flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name) || ['style', 'srcset', 'background', 'ping', 'formaction', 'poster', 'action'].includes(a.name)).map((a) => `${e.tagName}[${a.name}]`)),
        scriptLinks: [...body.querySelectorAll('a[href]')].filter((a) => !/^https?:/i.test(a.getAttribute('href')!)).map((a) => a.getAttribute('href')),
        links: [...body.querySelectorAll('a[href]')].map((a) => ({ href: a.getAttribute('href'), target: (a as HTMLAnchorElement).target, rel: a.getAttribute('rel') })),
        baseTarget: doc.querySelector('base')?.getAttribute('target') ?? null,
        baseHref: doc.querySelector('base')?.getAttribute('href') ?? null,
        images: [...doc.images].map((i) => ({ src: i.getAttribute('src'), remote: i.getAttribute('data-remote-src'), alt: i.getAttribute('alt'), loaded: i.complete && i.naturalWidth > 0 })),
        contentHeight: Math.ceil(doc.documentElement.getBoundingClientRect().height),
        frameHeight: element.clientHeight,
        innerScroll: doc.documentElement.scrollHeight - doc.documentElement.clientHeight,
      };
    });

  const pwnedInPage = () => page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);
  const foreignRequests = () => requests.filter((url) => !url.startsWith(`${server.url}/`) && !/^(data|about|blob):/.test(url));

  /** Waits until the frame shows its document and the page has been quiet for a moment. */
  async function frameSettled(): Promise<void> {
    await page.frameLocator('.message-html iframe').getByRole('heading', { name: 'Your invoice is ready' }).waitFor();
    await expect
      .poll(() => frame().evaluate((element: HTMLIFrameElement) => element.contentDocument?.readyState === 'complete' && [...element.contentDocument.images].every((i) => i.complete)))
      .toBe(true);
    // A late request (lazy loading, a delayed style) would show up within this moment.
    await page.waitForTimeout(500);
  }

  async function expectNothingRan(): Promise<void> {
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(consoleProblems).toEqual([]);
    expect(popups).toEqual([]);
    expect(await readCspViolations(page)).toEqual([]);
    expect(await pwnedInPage()).toBeUndefined();
    expect(await page.title()).not.toContain('PWNED');
    const inside = await inspectFrame();
    expect(inside.pwnedInFrame).toBeUndefined();
    // The document's title is the subject, as text; the payload in it did not change it.
    expect(inside.title).toBe(SUBJECT);
    expect(tracked.filter((p) => p.startsWith('/ran/'))).toEqual([]);
  }

  async function expectAccessible(screen: string): Promise<void> {
    axeRunning = true;
    let violations;
    try {
      violations = await findSeriousA11yViolations(page);
      await page.waitForTimeout(200);
    } finally {
      axeRunning = false;
    }
    expect(violations, `serious or critical axe-core violations on ${screen}:\n${describeViolations(violations)}`).toEqual([]);
    // axe-core could not run inside the frame: the sandbox refused it, as it refuses the mail's scripts.
    const frameUrl = await frame().evaluate((element: HTMLIFrameElement) => element.contentDocument!.URL);
    for (const line of consoleDuringAxe.splice(0)) expect(line).toBe(`error: Blocked script execution in '${frameUrl}' because the document's frame is sandboxed and the 'allow-scripts' permission is not set.`);
  }

  beforeAll(async () => {
    buildWebApp();
    tracker = createServer((req, res) => {
      tracked.push(req.url ?? '');
      trackedReferers.push(req.headers.referer ?? null);
      if (req.url === '/link/offer') {
        // The page a link in the mail leads to: an ordinary page, whose own script runs.
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!doctype html><title>Offer</title><script>document.title = "Offer, script ran"; window.hadOpener = window.opener !== null;</script>');
        return;
      }
      // no-store: every view that shows the pixels asks again, so the counts below are exact.
      res.writeHead(200, { 'content-type': 'image/gif', 'cache-control': 'no-store' });
      res.end(Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64'));
    });
    await new Promise<void>((resolve) => tracker.listen(0, '127.0.0.1', resolve));
    const address = tracker.address();
    trackerOrigin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    // The tracker answers, so "never requested" below means something; then forget this call.
    expect((await fetch(`${trackerOrigin}/control`)).status).toBe(200);
    tracked.length = 0;

    dataDir = mkdtempSync(join(tmpdir(), 'portier-hostile-mail-'));
    browser = (await launchChromium())!;
    server = await startServerProcess({ dataDir });
    context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Zurich', colorScheme: 'light', viewport: DESKTOP });
    context.setDefaultTimeout(10_000);
    await recordCspViolations(context);
    await prepareAxe(context);
    context.on('request', (request) => void requests.push(request.url()));
    await setUpOwnerInContext(context, server.url, server.setupLink!, owner);
    page = await context.newPage();
    // Any other page opening in this context (a popup, a link followed) would be the mail's doing.
    context.on('page', (opened) => void popups.push(opened.url()));
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => void pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning' || /Content Security Policy|Refused to|Blocked/i.test(message.text())) {
        (axeRunning ? consoleDuringAxe : consoleProblems).push(`${message.type()}: ${message.text()}`);
      }
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await new Promise((resolve) => tracker?.close(resolve));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('the mail is stored the way the e-mail sync stores it, inline logo included', async () => {
    const session = await (await context.request.get(`${server.url}/api/v1/session`)).json();
    const raw = readFileSync(FIXTURE, 'utf8').replace(/tracker\.invalid/gi, trackerOrigin.replace(/^http:\/\//, ''));
    // The running server's own database and attachments folder (SQLite in WAL mode takes a second
    // writer; the server sees the rows at its next read).
    const storage = await openStorage({ databaseUrl: null, dataDir });
    try {
      const entrance = await insertEntrance(storage.db, session.workspace.id, { kind: 'email', label: 'E-mail' });
      const synced = await readEmail(Buffer.from(raw), { ownAddresses: [owner.email], receivedAt: null, now: Date.now() });
      expect(await storeSyncedEmail({ db: storage.db, attachmentStore: new BlobStore(dataDir) }, entrance, synced)).toBe('stored');
      const row = await storage.db.selectFrom('message').select(['id', 'html']).where('entrance_id', '=', entrance.id).executeTakeFirstOrThrow();
      messageId = row.id;
      expect(row.html).toContain('data-remote-src');
      expect(await storage.db.selectFrom('attachment').select(['content_id', 'disposition']).where('message_id', '=', messageId).execute()).toEqual([{ content_id: 'logo@evil.example', disposition: 'inline' }]);
    } finally {
      await storage.close();
    }
  });

  it('opened by the owner, the mail shows in a sandboxed frame under a notice; nothing ran and nothing left for another origin', async () => {
    await page.goto(`${server.url}/inbox`);
    await page.getByRole('heading', { level: 1, name: en.inbox.views.waiting, exact: true }).waitFor();
    const documentResponse = page.waitForResponse((r) => r.url().startsWith(`${server.url}/api/v1/messages/${messageId}/html`));
    await page.getByRole('list', { name: en.inbox.listLabel }).getByRole('link').filter({ hasText: 'Mallory Evil' }).click();
    await page.getByRole('heading', { level: 2, name: 'Mallory Evil' }).waitFor();
    const response: Response = await documentResponse;
    expect(response.status()).toBe(200);
    expect(response.headers()['content-security-policy']).toBe(BLOCKED_CSP);
    await frameSettled();

    // The frame: never allowed to run scripts, named for screen readers.
    const element = frame();
    expect(await element.getAttribute('sandbox')).toBe(SANDBOX);
    expect(await element.getAttribute('title')).toBe(en.inbox.remoteContent.frameTitle.replace('{subject}', SUBJECT));
    await notice().waitFor();
    await notice().getByRole('button', { name: en.inbox.remoteContent.loadOnce }).waitFor();
    await notice().getByRole('button', { name: alwaysLabel }).waitFor();

    const inside = await inspectFrame();
    expect(inside.url).toBe(`${server.url}/api/v1/messages/${messageId}/html`);
    expect(inside.active, inside.text).toEqual([]);
    // Portier's own head (charset, color-scheme, referrer, viewport, base target, title, style); none of the mail's.
    expect(inside.headExtras).toEqual(['META', 'META', 'META', 'META', 'BASE', 'TITLE', 'STYLE']);
    expect(inside.baseTarget).toBe('_blank');
    expect(inside.baseHref).toBeNull();
    expect(inside.attributes).toEqual([]);
    expect(inside.scriptLinks).toEqual([]);
    for (const link of inside.links) expect(link).toEqual({ href: expect.stringMatching(/^https?:/), target: '_blank', rel: 'noopener noreferrer nofollow' });
    expect(inside.text).toContain('Dear Claire, please find your invoice below.');
    // Three tracking pixels wait behind data-remote-src; the inline logo comes from Portier and
    // shows; parts the mail does not contain are no image at all.
    const remote = inside.images.filter((i) => i.remote);
    expect(remote.map((i) => new URL(i.remote!).pathname).sort()).toEqual(PIXELS);
    expect(remote.every((i) => i.src === null && !i.loaded)).toBe(true);
    const logo = inside.images.find((i) => i.alt === 'Inline logo of the sender');
    expect(logo).toEqual({ src: expect.stringMatching(new RegExp(`^/api/v1/messages/${messageId}/attachments/[^/?]+\\?inline=1$`)), remote: null, alt: 'Inline logo of the sender', loaded: true });
    expect(inside.images.filter((i) => i.src !== null).map((i) => i.src)).toEqual([logo!.src]);
    expect(inside.text).toContain('a part that is not in the mail');
    // Sized to its content: no scrollbar inside, no empty space below.
    expect(inside.frameHeight).toBeGreaterThan(200);
    expect(Math.abs(inside.frameHeight - inside.contentHeight)).toBeLessThanOrEqual(2);
    expect(inside.innerScroll).toBeLessThanOrEqual(0);

    await expectNothingRan();
    expect(tracked).toEqual([]);
    expect(foreignRequests()).toEqual([]);
    await expectAccessible('the conversation with a blocked e-mail');
    await saveScreenshots(page, 'hostile-mail-blocked');
    // The frame follows the reader's colour scheme (its text takes the scheme's colours).
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.setViewportSize(PHONE);
    await saveScreenshot(page, 'hostile-mail-blocked-dark-phone');
    await page.setViewportSize(DESKTOP);
    expect(await frame().evaluate((element: HTMLIFrameElement) => getComputedStyle(element.contentDocument!.body).color)).not.toBe('rgb(0, 0, 0)');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('"Load them once" shows the pixels for this view only: the tracker sees exactly them, and a reload blocks them again', async () => {
    const reloaded = page.waitForResponse((r) => r.url() === `${server.url}/api/v1/messages/${messageId}/html?remote=1`);
    await notice().getByRole('button', { name: en.inbox.remoteContent.loadOnce }).click();
    expect((await reloaded).headers()['content-security-policy']).toBe(REMOTE_CSP);
    await frameSettled();
    await expect.poll(() => tracked.length).toBe(PIXELS.length);
    expect([...tracked].sort()).toEqual(PIXELS);
    expect(await notice().count()).toBe(0);
    const inside = await inspectFrame();
    expect(inside.images.filter((i) => i.src?.toLowerCase().startsWith(trackerOrigin)).map((i) => i.loaded)).toEqual([true, true, true]);
    await expectNothingRan();

    tracked.length = 0;
    await page.reload();
    await frameSettled();
    await notice().waitFor();
    expect(tracked).toEqual([]);
    await expectNothingRan();
  });

  it('"Always load from <sender>": the tracker sees exactly the image requests, still nothing runs, and it stays so', async () => {
    requests.length = 0;
    tracked.length = 0;
    const allowed = page.waitForResponse((r) => r.url() === `${server.url}/api/v1/messages/${messageId}/remote-content` && r.request().method() === 'PUT');
    const reloaded = page.waitForResponse((r) => r.url() === `${server.url}/api/v1/messages/${messageId}/html`);
    await notice().getByRole('button', { name: alwaysLabel }).click();
    expect((await allowed).status()).toBe(200);
    expect((await reloaded).headers()['content-security-policy']).toBe(REMOTE_CSP);
    await frameSettled();
    await expect.poll(() => tracked.length).toBe(PIXELS.length);
    await page.waitForTimeout(500);
    expect([...tracked].sort()).toEqual(PIXELS);
    expect(await notice().count()).toBe(0);
    // Every request went to Portier, or to the tracker for one of the mail's images.
    expect(foreignRequests().map((url) => url.replace(trackerOrigin, '')).sort()).toEqual(PIXELS);
    const inside = await inspectFrame();
    expect(inside.images.filter((i) => i.remote === null && i.src?.toLowerCase().startsWith(trackerOrigin)).length).toBe(3);
    expect(inside.images.every((i) => i.src === null || i.loaded)).toBe(true);
    expect(Math.abs(inside.frameHeight - inside.contentHeight)).toBeLessThanOrEqual(2);
    await expectNothingRan();
    await expectAccessible('the conversation with remote images allowed');
    await saveScreenshots(page, 'hostile-mail-allowed');

    // Stored for the sender: after a reload the images load without asking.
    tracked.length = 0;
    await page.reload();
    await frameSettled();
    await expect.poll(() => tracked.length).toBe(PIXELS.length);
    expect(await notice().count()).toBe(0);
    await expectNothingRan();
    expect([...tracked].sort()).toEqual(PIXELS);
  });

  it('a link in the mail opens in a new tab, outside the sandbox, without opener or referrer', async () => {
    tracked.length = 0;
    trackedReferers.length = 0;
    const opened = context.waitForEvent('page');
    await page.frameLocator('.message-html iframe').getByRole('link', { name: 'an ordinary link' }).click();
    const tab = await opened;
    await tab.waitForLoadState('load');
    expect(tab.url()).toBe(`${trackerOrigin}/link/offer`);
    // Its own script ran (it escaped the mail's sandbox, as it should), and it cannot reach Portier's window.
    await expect.poll(() => tab.title()).toBe('Offer, script ran');
    expect(await tab.evaluate(() => (window as unknown as { hadOpener: boolean }).hadOpener)).toBe(false);
    // (The new tab asks for its own favicon, as any page does.)
    expect(tracked.filter((path) => path !== '/favicon.ico')).toEqual(['/link/offer']);
    expect(trackedReferers[tracked.indexOf('/link/offer')]).toBeNull();
    // The inbox stayed where it was.
    expect(page.url()).toContain('/inbox/');
    await tab.close();
    popups.length = 0;
  });
});
