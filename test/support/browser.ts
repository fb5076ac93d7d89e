// Real Chromium for browser tests: Debian's /usr/bin/chromium driven by playwright-core (no
// downloaded browsers). Locally a missing Chromium skips those tests with a message; under CI
// (CI=true) it is a failure. Also: screenshots for people to look at, and an axe-core check.
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { IN_CI } from './databases.ts';

export const CHROMIUM_PATH = process.env.PORTIER_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** The Chromium to use, or null (with a message saying why) when it is missing outside CI. */
export function findChromium(): string | null {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const problem = `Chromium not found at ${CHROMIUM_PATH}`;
  if (IN_CI) throw new Error(`${problem}: browser tests are required under CI. Install it with: apt-get install chromium`);
  console.warn(`${problem}: browser tests are skipped. Install Debian's chromium or set PORTIER_TEST_CHROMIUM.`);
  return null;
}

/** Launches Chromium headless, or returns null when it is missing outside CI. */
export async function launchChromium(): Promise<Browser | null> {
  const executablePath = findChromium();
  if (!executablePath) return null;
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Saves a full-page screenshot as test-results/screenshots/<name>.png. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}

/** Screenshots at desktop (1280×800) and phone (390×844) width: <name>-desktop.png, <name>-phone.png. */
export async function saveScreenshots(page: Page, name: string): Promise<void> {
  const before = page.viewportSize();
  for (const [label, size] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    await page.setViewportSize(size);
    await saveScreenshot(page, `${name}-${label}`);
  }
  if (before) await page.setViewportSize(before);
}

export interface A11yViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Makes axe-core available on every page of the context. The app's CSP (script-src 'self') blocks
 * page.addScriptTag, and bypassCSP would stop the tests from noticing a CSP regression; an init
 * script is injected by the browser itself, outside the page's CSP.
 */
export async function prepareAxe(context: BrowserContext): Promise<void> {
  await context.addInitScript({ path: AXE_SCRIPT });
}

/** Runs axe-core on the page as it is now; returns the serious and critical violations. */
export async function findSeriousA11yViolations(page: Page): Promise<A11yViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) throw new Error('axe-core is not loaded on this page: call prepareAxe(context) before opening it.');
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact?: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run();
    return result.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, targets: v.nodes.map((n) => n.target.map(String).join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** One line per violation, so a failed assertion says what to fix and where. */
export function describeViolations(violations: A11yViolation[]): string {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.targets.slice(0, 5).join(', ')}`).join('\n');
}

/** What a page's content security policy refused, as the browser reported it. */
export interface CspViolation {
  directive: string;
  blockedUri: string;
  sourceFile: string;
  sample: string;
}

/**
 * Records every content-security-policy violation of the context's pages in
 * `window.__cspViolations` (an init script runs before the page's own scripts and outside its CSP).
 * Read them with readCspViolations(page). Pages without JavaScript run no init script.
 */
export async function recordCspViolations(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const list: unknown[] = [];
    Object.defineProperty(window, '__cspViolations', { value: list, configurable: false, writable: false });
    document.addEventListener('securitypolicyviolation', (e) => {
      list.push({ directive: e.effectiveDirective || e.violatedDirective, blockedUri: e.blockedURI, sourceFile: e.sourceFile, sample: e.sample });
    });
  });
}

export async function readCspViolations(page: Page): Promise<CspViolation[]> {
  return page.evaluate(() => ((window as unknown as { __cspViolations?: CspViolation[] }).__cspViolations ?? []).slice());
}

export interface OwnerAccount {
  workspace: string;
  handle: string;
  name: string;
  email: string;
  password: string;
  locale: string;
  languages: string[];
}

/**
 * Creates the workspace with the server's printed one-time setup link, through the API from inside
 * the browser context, so the context holds the owner's session cookie as after the setup form.
 * Returns the session's CSRF token, for further API calls from the same context.
 */
export async function setUpOwnerInContext(context: BrowserContext, baseUrl: string, setupLink: string, owner: OwnerAccount): Promise<string> {
  const token = new URL(setupLink).hash.replace(/^#token=/, '');
  const res = await context.request.post(`${baseUrl}/api/v1/setup`, {
    data: {
      token,
      workspace: { name: owner.workspace, handle: owner.handle, locale: owner.locale, languages: owner.languages, timeZone: 'Europe/Zurich' },
      owner: { email: owner.email, password: owner.password, displayName: owner.name },
    },
  });
  if (res.status() !== 201) throw new Error(`POST /api/v1/setup answered ${res.status()}: ${await res.text()}`);
  return (await res.json()).csrfToken as string;
}
