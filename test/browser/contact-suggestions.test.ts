// Two features in the owner's browser, in real Chromium against the real `portier start`:
//  - "Possibly the same person" on a contact page: the notice with its reason in plain words,
//    answered by keyboard ("Not the same" is remembered), passing axe;
//  - snooze "if no answer in N days": offered once the owner has answered, and a conversation
//    whose deadline passed unanswered back in "Waiting for me" with its reason, brought back by
//    the server's own job queue.
// Screenshots land in test-results/screenshots/contact-suggestion-*.png and no-answer-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { en } from '../../web/src/i18n/messages/en.ts';
import { buildWebApp, startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { DESKTOP, describeViolations, findChromium, findSeriousA11yViolations, launchChromium, prepareAxe, readCspViolations, recordCspViolations, saveScreenshots, setUpOwnerInContext, type OwnerAccount } from '../support/browser.ts';
import { signedDelivery } from '../support/webhooks.ts';

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

describe.skipIf(!chromiumPath)('contact suggestions and "if no answer" in Chromium', () => {
  let browser: Browser;
  let server: ServerProcess;
  let context: BrowserContext;
  let page: Page;
  let csrf: string;
  let call: { contactId: string; conversationId: string };
  let linkedInContactId: string;
  const pageErrors: string[] = [];

  const api = async (method: 'post' | 'patch', path: string, data: object) => {
    const res = await context.request[method](`${server.url}/api/v1${path}`, { data, headers: { 'x-csrf-token': csrf } });
    expect(res.status(), await res.text()).toBeLessThan(300);
    return res.status() === 204 ? null : res.json();
  };

  beforeAll(async () => {
    buildWebApp();
    server = await startServerProcess();
    browser = (await launchChromium())!;
    context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Zurich', colorScheme: 'light', viewport: DESKTOP });
    context.setDefaultTimeout(10_000);
    await prepareAxe(context);
    await recordCspViolations(context);
    csrf = await setUpOwnerInContext(context, server.url, server.setupLink!, owner);

    // Anna calls the mobile; a relay forwards her LinkedIn message as a webhook, with her profile.
    const phone = await api('post', '/entrances', { kind: 'phone', label: 'Mobile' });
    call = await api('post', `/entrances/${phone.id}/messages`, { sender: { name: 'anna meier', phone: '+41 79 555 12 12' }, text: 'Called about a team workshop in March' });
    const relay = await api('post', '/entrances', { kind: 'webhook', label: 'LinkedIn' });
    const d = signedDelivery(relay.connection.signingSecret, { id: 'li-1', sender: { name: 'Anna Meier', handle: 'https://www.linkedin.com/in/anna-meier-4b1a2c3' }, text: 'Hello Claire, I saw your post about feedback trainings.' });
    const delivered = await fetch(relay.connection.webhookUrl.replace(/^https?:\/\/[^/]+/, server.url), { method: 'POST', headers: d.headers, body: d.payload });
    expect(delivered.status).toBe(200);
    const contacts = await (await context.request.get(`${server.url}/api/v1/contacts?q=meier`)).json();
    linkedInContactId = contacts.items.find((c: { id: string }) => c.id !== call.contactId).id;

    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  it('the contact page says who it may be and why, in plain words, and passes axe', async () => {
    await page.goto(`${server.url}/contacts/${call.contactId}`);
    const notice = page.getByRole('region', { name: en.contacts.suggestions.title });
    await notice.waitFor();
    const text = (await notice.textContent()) ?? '';
    expect(text).toContain('Anna Meier');
    expect(text).toContain('(LinkedIn)');
    expect(text).toContain('because: ');
    expect(text).toContain(en.contacts.suggestions.reason.same_name);
    expect(text).toContain('matches the profile https://www.linkedin.com/in/anna-meier-4b1a2c3');
    await expect(notice.getByRole('link', { name: 'Anna Meier' }).getAttribute('href')).resolves.toBe(`/contacts/${linkedInContactId}`);
    // The buttons say what they do; their description says who and why.
    const notSame = notice.getByRole('button', { name: en.contacts.suggestions.notSame });
    await expect(notSame.evaluate((el) => (el as HTMLButtonElement).ariaDescribedByElements?.[0]?.textContent ?? document.getElementById(el.getAttribute('aria-describedby')!)?.textContent)).resolves.toContain('Anna Meier');
    const violations = await findSeriousA11yViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await saveScreenshots(page, 'contact-suggestion');
  });

  it('"Not the same" by keyboard: the notice goes, focus lands on the page heading, and it stays gone', async () => {
    const notice = page.getByRole('region', { name: en.contacts.suggestions.title });
    await notice.getByRole('button', { name: en.contacts.suggestions.merge }).focus();
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe(en.contacts.suggestions.notSame);
    await page.keyboard.press('Enter');
    await notice.waitFor({ state: 'detached' });
    await page.locator('.announcer').getByText('Anna Meier will not be suggested again.').waitFor();
    await expect(page.evaluate(() => document.activeElement?.tagName)).resolves.toBe('H1');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'anna meier' }).waitFor();
    await page.getByRole('heading', { level: 2, name: en.contacts.conversations }).waitFor();
    expect(await page.getByRole('region', { name: en.contacts.suggestions.title }).count()).toBe(0);
  });

  it('once answered, the snooze menu offers "if no answer in 1 / 3 / 7 days", chosen by keyboard', async () => {
    await api('post', `/conversations/${call.conversationId}/messages`, { mode: 'answered_elsewhere', text: 'Called back, sent the offer' });
    await page.goto(`${server.url}/inbox/c/${call.conversationId}`);
    await page.getByRole('button', { name: en.inbox.snooze.button }).click();
    const menu = page.getByRole('menu', { name: en.inbox.snooze.menuLabel });
    const group = menu.getByRole('group', { name: en.inbox.snooze.ifNoAnswerGroup });
    await group.waitFor();
    expect(await group.getByRole('menuitem').allTextContents()).toEqual([
      expect.stringContaining('If no answer in 1 day'),
      expect.stringContaining('If no answer in 3 days'),
      expect.stringContaining('If no answer in 7 days'),
    ]);
    const violations = await findSeriousA11yViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await saveScreenshots(page, 'no-answer-snooze-menu');
    // Tomorrow, In 3 days, Next Monday, then the group: the fifth item is "in 3 days".
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toContain('If no answer in 3 days');
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'detached' });
    await page.locator('.snoozed-until').getByText(/^Back on .* unless they answer$/).waitFor();
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toContain(en.inbox.snooze.button);
  });

  it('a deadline that passes unanswered brings it back into Waiting for me, with the reason', async () => {
    // The same snooze with a deadline two seconds away: the server's job queue does the rest.
    await api('patch', `/conversations/${call.conversationId}`, { snoozedUntil: Date.now() + 2_000, snoozeCondition: 'no_answer' });
    await page.goto(`${server.url}/inbox`);
    const row = page.getByRole('list', { name: en.inbox.listLabel }).locator(`a[href^="/inbox/c/${call.conversationId}"]`);
    await row.waitFor({ timeout: 15_000 });
    await row.getByText(/^No answer since .* — follow up$/).waitFor();
    const violations = await findSeriousA11yViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await saveScreenshots(page, 'no-answer-back-in-waiting');
    await row.click();
    await page.locator('.conversation-actions').getByText(/^No answer since .* — follow up$/).waitFor();
  });

  it('no script error and no content-security-policy violation happened', async () => {
    expect(pageErrors).toEqual([]);
    expect(await readCspViolations(page)).toEqual([]);
  });
});
