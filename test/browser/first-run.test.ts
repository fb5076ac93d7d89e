// The first ten minutes of a new owner, in real Chromium against the real `portier start`: the
// printed setup link, the setup form, the empty inbox that explains itself, signing out and in,
// switching the language, and the spent link explaining itself. Screenshots of each screen in
// French and German at desktop and phone width land in test-results/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { en } from '../../web/src/i18n/messages/en.ts';
import { fr } from '../../web/src/i18n/messages/fr.ts';
import { de } from '../../web/src/i18n/messages/de.ts';
import { availableDialects, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { buildWebApp, startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { DESKTOP, describeViolations, findChromium, findSeriousA11yViolations, launchChromium, prepareAxe, saveScreenshots } from '../support/browser.ts';

const chromiumPath = findChromium();
const dialects = await availableDialects();

const owner = {
  workspace: 'Atelier Claire Dubois',
  handle: 'claire-dubois',
  name: 'Claire Dubois',
  email: 'claire@example.ch',
  password: 'correct horse battery staple',
};

async function expectAccessible(page: Page, screen: string) {
  const violations = await findSeriousA11yViolations(page);
  expect(violations, `serious or critical axe-core violations on ${screen}:\n${describeViolations(violations)}`).toEqual([]);
}

async function expectLanguage(page: Page, locale: string) {
  await page.waitForFunction((l) => document.documentElement.lang === l, locale);
}

/** Chooses a language in the top bar's select, whose own label is in the current language. */
async function chooseLanguage(page: Page, currentLabel: string, locale: string) {
  await page.getByLabel(currentLabel, { exact: true }).selectOption(locale);
  await expectLanguage(page, locale);
}

/**
 * Message keys shown instead of text (i18next prints the key when a message is missing even in
 * English): visible text, placeholders, labels and the document title.
 */
async function expectNoMessageKeys(page: Page, screen: string) {
  const keys = await page.evaluate(() => {
    const looksLikeKey = (s: string | null | undefined) => !!s && /^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)+$/.test(s.trim());
    const found = new Set<string>();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) if (looksLikeKey(node.textContent)) found.add(node.textContent!.trim());
    for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
      for (const name of ['placeholder', 'aria-label', 'title']) if (looksLikeKey(el.getAttribute(name))) found.add(el.getAttribute(name)!.trim());
    }
    for (const part of document.title.split(' · ')) if (looksLikeKey(part)) found.add(part);
    return [...found];
  });
  expect(keys, `message keys shown instead of text on ${screen}`).toEqual([]);
}

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true });

describe.skipIf(!chromiumPath)('first run in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    buildWebApp();
    browser = (await launchChromium())!;
  }, 120_000); // a first build of the web app takes a while on a busy machine
  afterAll(async () => browser?.close());

  describe.each(dialects)('on %s', (dialect) => {
    // Screenshots once (SQLite); the PostgreSQL run checks the same story.
    const screenshots = dialect === 'sqlite';
    let db: TestDatabase;
    let server: ServerProcess;
    let context: BrowserContext;
    let page: Page;
    const pageErrors: string[] = [];

    const newContext = async (locale: string) => {
      const c = await browser.newContext({ locale, timezoneId: 'Europe/Zurich', colorScheme: 'light', viewport: DESKTOP });
      c.setDefaultTimeout(10_000);
      await prepareAxe(c);
      return c;
    };

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      server = await startServerProcess({ dataDir: db.dataDir, databaseUrl: db.databaseUrl });
      context = await newContext('en-GB');
      page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
    }, 90_000);
    afterAll(async () => {
      await context?.close();
      await server?.stop();
      await db?.drop();
    });

    it('prints a one-time setup link on first start', () => {
      expect(server.setupLink, server.output()).toMatch(new RegExp(`^${server.url}/setup#token=\\S+$`));
    });

    it('the setup link opens the setup form, which the language select translates at once', async () => {
      await page.goto(server.setupLink!);
      await heading(page, en.setup.title).waitFor();
      await expectLanguage(page, 'en');
      await expectAccessible(page, 'the setup page');
      await expectNoMessageKeys(page, 'the setup page');

      await chooseLanguage(page, en.nav.language, 'fr');
      await heading(page, fr.setup.title).waitFor();
      await page.getByLabel(fr.setup.workspaceName, { exact: true }).waitFor();
      await page.getByRole('button', { name: fr.setup.submit }).waitFor();
      await expectNoMessageKeys(page, 'the setup page in French');
      if (screenshots) await saveScreenshots(page, 'setup-fr');

      await chooseLanguage(page, fr.nav.language, 'de');
      await heading(page, de.setup.title).waitFor();
      await page.getByLabel(de.setup.workspaceName, { exact: true }).waitFor();
      if (screenshots) await saveScreenshots(page, 'setup-de');

      await chooseLanguage(page, de.nav.language, 'en');
      await heading(page, en.setup.title).waitFor();
    });

    it('a new owner fills in the setup form and lands in the empty inbox, which explains what comes there', async () => {
      await page.getByLabel('Workspace name', { exact: true }).fill(owner.workspace);
      // The handle is suggested from the name; the owner may write their own.
      expect(await page.getByLabel('Public handle', { exact: true }).inputValue()).toBe('atelier-claire-dubois');
      await page.getByLabel('Public handle', { exact: true }).fill(owner.handle);
      await page.getByRole('checkbox', { name: 'Français' }).check();
      await page.getByRole('checkbox', { name: 'Deutsch' }).check();
      await page.getByLabel('Time zone', { exact: true }).selectOption('Europe/Zurich');
      await page.getByLabel('Your name', { exact: true }).fill(owner.name);
      await page.getByLabel('E-mail', { exact: true }).fill(owner.email);
      await page.getByLabel('Password', { exact: true }).fill(owner.password);
      await page.getByLabel('Confirm password', { exact: true }).fill(owner.password);
      await page.getByRole('button', { name: 'Create workspace' }).click();

      await page.waitForURL(`${server.url}/inbox`);
      await heading(page, en.inbox.views.waiting).waitFor();
      await page.getByText(en.inbox.empty.waiting).waitFor();
      await page.getByText(en.inbox.noEntrances).waitFor();
      await page.getByRole('link', { name: en.inbox.connectFirstEntrance }).waitFor();
      await page.getByRole('banner').getByText(owner.workspace).waitFor();
      // The spent token is dropped from the address bar and from history.
      expect(await page.evaluate(() => window.location.hash)).toBe('');
      await expectAccessible(page, 'the empty inbox');
      await expectNoMessageKeys(page, 'the empty inbox');
    });

    it('signing out and in again: a wrong password is refused with a message, the right one opens the inbox', async () => {
      await page.getByRole('button', { name: en.nav.signOut }).click();
      await page.waitForURL(`${server.url}/signin`);
      await heading(page, en.signin.title).waitFor();
      await expectAccessible(page, 'the sign-in page');
      await expectNoMessageKeys(page, 'the sign-in page');

      await page.getByLabel(en.signin.email, { exact: true }).fill(owner.email);
      await page.getByLabel(en.signin.password, { exact: true }).fill('not the password');
      await page.getByRole('button', { name: en.signin.submit, exact: true }).click();
      await page.getByRole('alert').getByText(en.signin.invalidCredentials).waitFor();
      expect(page.url()).toBe(`${server.url}/signin`);

      await page.getByLabel(en.signin.password, { exact: true }).fill(owner.password);
      await page.getByRole('button', { name: en.signin.submit, exact: true }).click();
      await page.waitForURL(`${server.url}/inbox`);
      await heading(page, en.inbox.views.waiting).waitFor();
    });

    it('the language select switches the signed-in app to French, then German', async () => {
      await chooseLanguage(page, en.nav.language, 'fr');
      await heading(page, fr.inbox.views.waiting).waitFor();
      await page.getByText(fr.inbox.empty.waiting).waitFor();
      await page.getByRole('button', { name: fr.nav.signOut }).waitFor();
      await page.getByRole('navigation', { name: fr.nav.main }).getByRole('link', { name: fr.nav.entrances }).waitFor();
      expect(await page.title()).toContain(fr.inbox.views.waiting);
      await expectNoMessageKeys(page, 'the inbox in French');
      if (screenshots) await saveScreenshots(page, 'inbox-fr');

      await chooseLanguage(page, fr.nav.language, 'de');
      await heading(page, de.inbox.views.waiting).waitFor();
      await page.getByText(de.inbox.empty.waiting).waitFor();
      await page.getByRole('button', { name: de.nav.signOut }).waitFor();
      await page.getByRole('link', { name: de.inbox.connectFirstEntrance }).waitFor();
      await expectNoMessageKeys(page, 'the inbox in German');
      if (screenshots) await saveScreenshots(page, 'inbox-de');

      // The choice is remembered in this browser.
      await page.reload();
      await heading(page, de.inbox.views.waiting).waitFor();
      await expectLanguage(page, 'de');
    });

    it('the sign-in page speaks the browser’s language, and the select changes it', async () => {
      const visitor = await newContext('fr-CH');
      try {
        const p = await visitor.newPage();
        await p.goto(`${server.url}/inbox`);
        await p.waitForURL(/\/signin/);
        await heading(p, fr.signin.title).waitFor();
        await expectLanguage(p, 'fr');
        await p.getByLabel(fr.signin.password, { exact: true }).waitFor();
        if (screenshots) await saveScreenshots(p, 'signin-fr');

        await chooseLanguage(p, fr.nav.language, 'de');
        await heading(p, de.signin.title).waitFor();
        await p.getByRole('button', { name: de.signin.submit, exact: true }).waitFor();
        if (screenshots) await saveScreenshots(p, 'signin-de');
      } finally {
        await visitor.close();
      }
    });

    it('the same setup link used a second time explains that it was already used and what to do', async () => {
      const visitor = await newContext('en-GB');
      try {
        const p = await visitor.newPage();
        await p.goto(server.setupLink!);
        await heading(p, en.setup.invalidTitle).waitFor();
        const alert = p.getByRole('alert');
        await alert.getByText(en.setup.invalidToken.split('{command}')[0]!.trim()).waitFor();
        expect(await alert.innerText()).toContain('npx portier setup --link');
        await p.getByRole('link', { name: en.setup.signInInstead }).waitFor();
        expect(await p.getByLabel('Workspace name').count()).toBe(0);
      } finally {
        await visitor.close();
      }
    });

    it('no script error happened on any page', () => {
      expect(pageErrors).toEqual([]);
    });
  });
});
