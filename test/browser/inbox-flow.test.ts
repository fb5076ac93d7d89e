// The inbox's main story, in real Chromium against the real `portier start`: a visitor writes
// through the public contact form, once without JavaScript and once with it (the page's script
// solves the proof-of-work); the owner, whose inbox is already open on "Waiting for me", sees both
// conversations appear live (server-sent events, no reload), answers one with a reply template
// chosen with "/" and the keyboard, records the answer, and the conversation leaves "Waiting for
// me". Screenshots at desktop and phone width land in test-results/screenshots/inbox-flow-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fr } from '../../web/src/i18n/messages/fr.ts';
import { fr as publicFr } from '../../src/public/messages/fr.ts';
import { buildWebApp, startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { DESKTOP, findChromium, launchChromium, readCspViolations, recordCspViolations, saveScreenshots, setUpOwnerInContext, type OwnerAccount } from '../support/browser.ts';

const chromiumPath = findChromium();

const owner: OwnerAccount = {
  workspace: 'Atelier Claire Dubois',
  handle: 'claire-dubois',
  name: 'Claire Dubois',
  email: 'claire@example.ch',
  password: 'correct horse battery staple',
  locale: 'fr',
  languages: ['fr', 'de', 'en'],
};

const template = {
  name: 'Merci pour votre message',
  shortcut: 'merci',
  locale: 'fr',
  body: 'Bonjour {{firstName}},\n\nmerci pour votre message. Je vous propose un appel de 20 minutes cette semaine.\n\nClaire',
};

const noScriptVisitor = { name: 'Anna Meier', email: 'anna.meier@example.ch', message: 'Bonjour, je cherche une formation en communication pour mon équipe de huit personnes.' };
const scriptVisitor = { name: 'Lukas Graf', email: 'lukas.graf@example.ch', message: 'Bonjour Madame Dubois, seriez-vous disponible pour un atelier en mars ?' };

/** The minimum fill time is 3 s; a little more keeps a slow machine on the right side of it. */
const FILL_TIME_MS = 3_300;

describe.skipIf(!chromiumPath)('inbox flow in Chromium: contact form → live inbox → template answer', () => {
  let browser: Browser;
  let server: ServerProcess;
  let ownerContext: BrowserContext;
  let inbox: Page;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  const formUrl = () => `${server.url}/@${owner.handle}/contact`;
  const row = (name: string) => inbox.getByRole('list', { name: fr.inbox.listLabel }).getByRole('link').filter({ hasText: name });
  /** The number beside "Waiting for me" (after a visually hidden ": " for screen readers). */
  const waitingCount = async () => (await inbox.getByRole('navigation', { name: fr.inbox.viewsLabel }).locator('.view-waiting .view-count').textContent())?.replace(/^\s*:\s*/, '');

  async function visitorContext(javaScriptEnabled: boolean) {
    const c = await browser.newContext({ locale: 'fr-CH', timezoneId: 'Europe/Zurich', colorScheme: 'light', viewport: DESKTOP, javaScriptEnabled });
    c.setDefaultTimeout(10_000);
    contexts.push(c);
    return c;
  }

  /** Fills the form like a person, waits out the minimum fill time, sends it, and sees the thanks page. */
  async function writeThroughForm(page: Page, visitor: { name: string; email: string; message: string }, opened: number, beforeSend?: () => Promise<void>) {
    await page.getByLabel(publicFr.name, { exact: true }).fill(visitor.name);
    await page.getByLabel(publicFr.email, { exact: true }).fill(visitor.email);
    await page.getByLabel(publicFr.message, { exact: true }).fill(visitor.message);
    await page.getByRole('radio', { name: publicFr.reply.email }).check();
    await beforeSend?.();
    const left = FILL_TIME_MS - (Date.now() - opened);
    if (left > 0) await page.waitForTimeout(left);
    await page.getByRole('button', { name: publicFr.submit }).click();
    await page.waitForURL(/\/contact\/thanks\?lang=fr$/);
    await page.getByRole('heading', { level: 1, name: publicFr.thanksTitle }).waitFor();
    await page.getByText(publicFr.thanksSent).waitFor();
  }

  beforeAll(async () => {
    buildWebApp();
    browser = (await launchChromium())!;
    server = await startServerProcess();
    ownerContext = await browser.newContext({ locale: 'fr-CH', timezoneId: 'Europe/Zurich', colorScheme: 'light', viewport: DESKTOP });
    ownerContext.setDefaultTimeout(10_000);
    await recordCspViolations(ownerContext);
    const csrf = await setUpOwnerInContext(ownerContext, server.url, server.setupLink!, owner);
    const res = await ownerContext.request.post(`${server.url}/api/v1/templates`, { headers: { 'x-csrf-token': csrf }, data: template });
    expect(res.status(), await res.text()).toBe(201);
    inbox = await ownerContext.newPage();
    inbox.on('pageerror', (error) => pageErrors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await ownerContext?.close();
    await browser?.close();
    await server?.stop();
  });

  it('the owner’s inbox opens on Waiting for me, empty, with its live connection open', async () => {
    const live = inbox.waitForResponse((r) => r.url() === `${server.url}/api/v1/events` && r.status() === 200);
    await inbox.goto(`${server.url}/inbox`);
    await inbox.getByRole('heading', { level: 1, name: fr.inbox.views.waiting, exact: true }).waitFor();
    await inbox.getByText(fr.inbox.empty.waiting).waitFor();
    await live;
    // A mark that a reload would wipe out: the updates below must arrive without one.
    await inbox.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
  });

  it('a visitor without JavaScript writes through the French contact form and sees the thanks page', async () => {
    const page = await (await visitorContext(false)).newPage();
    await page.goto(formUrl());
    const opened = Date.now();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
    await page.getByRole('heading', { level: 1, name: owner.workspace }).waitFor();
    await saveScreenshots(page, 'inbox-flow-contact-form-fr');
    await writeThroughForm(page, noScriptVisitor, opened);
  });

  it('the conversation appears live in the open inbox, and the Waiting count says 1', async () => {
    await row(noScriptVisitor.name).waitFor({ timeout: 5_000 });
    await expect.poll(() => waitingCount(), { timeout: 5_000 }).toBe('1');
    await expect(row(noScriptVisitor.name).textContent()).resolves.toContain(noScriptVisitor.message.slice(0, 40));
  });

  it('a visitor with JavaScript writes too: the page solves the proof-of-work before sending', async () => {
    const page = await (await visitorContext(true)).newPage();
    const scriptErrors: string[] = [];
    page.on('pageerror', (error) => scriptErrors.push(error.message));
    await page.goto(formUrl());
    const opened = Date.now();
    await writeThroughForm(page, scriptVisitor, opened, async () => {
      // The script fills the hidden field with the solution while the visitor writes.
      await expect.poll(() => page.locator('input[name="altcha"]').inputValue(), { timeout: 20_000 }).not.toBe('');
      const payload = JSON.parse(Buffer.from(await page.locator('input[name="altcha"]').inputValue(), 'base64').toString('utf8'));
      expect(payload.solution).toMatchObject({ counter: expect.any(Number), derivedKey: expect.stringMatching(/^[0-9a-f]+$/) });
    });
    expect(scriptErrors).toEqual([]);
  });

  it('that conversation appears live as well, below the one waiting longer, and the count says 2; the page was never reloaded', async () => {
    await row(scriptVisitor.name).waitFor({ timeout: 5_000 });
    await expect.poll(() => waitingCount(), { timeout: 5_000 }).toBe('2');
    const names = await inbox.getByRole('list', { name: fr.inbox.listLabel }).locator('.row-contact').allTextContents();
    // Waiting for me lists who has waited longest first.
    expect(names).toEqual([noScriptVisitor.name, scriptVisitor.name]);
    expect(await inbox.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await saveScreenshots(inbox, 'inbox-flow-inbox-new-conversations');
  });

  it('the owner opens it; the webform cannot send from Portier, so the composer offers to mark it as answered', async () => {
    // The "new message" notice covers the reply box on a phone for a few seconds: let it go first,
    // so the screenshots below show the composer.
    await inbox.locator('.announcer[data-empty]').waitFor({ state: 'attached', timeout: 8_000 });
    await row(scriptVisitor.name).click();
    await inbox.waitForURL(/\/inbox\/c\//);
    await inbox.getByRole('heading', { level: 2, name: scriptVisitor.name }).waitFor();
    await inbox.getByRole('list', { name: fr.inbox.messagesLabel }).getByText(scriptVisitor.message).waitFor();
    await inbox.getByRole('button', { name: fr.inbox.composer.submit.answered_elsewhere }).waitFor();
    expect(await inbox.getByRole('button', { name: fr.inbox.composer.submit.send, exact: true }).count()).toBe(0);
    await inbox.getByText(fr.inbox.composer.hintTemplates).waitFor(); // the templates are loaded
  });

  it('typing "/merci" offers the template; Enter inserts it with the visitor’s first name filled in', async () => {
    const composer = inbox.getByRole('combobox', { name: fr.inbox.composer.textLabel.replace('{name}', scriptVisitor.name) });
    await composer.click();
    await inbox.keyboard.type(`/${template.shortcut.slice(0, 3)}`);
    const options = inbox.getByRole('listbox', { name: fr.inbox.composer.templatesLabel }).getByRole('option');
    await options.first().waitFor();
    expect(await options.count()).toBe(1);
    expect(await options.first().textContent()).toContain(template.name);
    await saveScreenshots(inbox, 'inbox-flow-conversation-template-picker');
    await inbox.keyboard.press('Enter');
    await expect.poll(() => composer.inputValue()).toBe(template.body.replace('{{firstName}}', 'Lukas'));
    expect(await inbox.getByRole('listbox').count()).toBe(0);
    await saveScreenshots(inbox, 'inbox-flow-conversation-composer');
  });

  it('recording the answer takes the conversation out of Waiting for me, and the count drops', async () => {
    await inbox.getByRole('button', { name: fr.inbox.composer.submit.answered_elsewhere }).click();
    const thread = inbox.getByRole('list', { name: fr.inbox.messagesLabel });
    await thread.locator('.message.is-elsewhere').getByText('Bonjour Lukas,', { exact: false }).waitFor();
    await thread.locator('.message.is-elsewhere').getByText(fr.inbox.direction.answeredElsewhere).waitFor();
    await row(scriptVisitor.name).waitFor({ state: 'detached', timeout: 5_000 });
    await expect.poll(() => waitingCount(), { timeout: 5_000 }).toBe('1');
    await row(noScriptVisitor.name).waitFor();
    expect(await inbox.getByRole('combobox', { name: fr.inbox.composer.textLabel.replace('{name}', scriptVisitor.name) }).inputValue()).toBe('');
    await saveScreenshots(inbox, 'inbox-flow-after-answer');
  });

  it('no script error and no content-security-policy violation happened in the owner’s app', async () => {
    expect(pageErrors).toEqual([]);
    expect(await readCspViolations(inbox)).toEqual([]);
  });
});
