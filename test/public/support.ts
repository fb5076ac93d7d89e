// Helpers for the public contact form tests: read the form as a browser would, sign an older fill
// time, solve the ALTCHA challenge like the page's script, and post url-encoded bodies.
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import type { TestApp } from '../support/app.ts';
import { createFormSecurity } from '../../src/public/form-security.ts';

let ipCounter = 0;
/** A fresh visitor address, so per-IP limits of one test do not leak into another. */
export function visitorIp(): string {
  ipCounter += 1;
  return `198.51.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

export function hiddenValue(page: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(page);
  if (!m) throw new Error(`no hidden field ${name}`);
  return m[1]!;
}

/** A submission token with a fill-time stamp from 10 s ago (as if the visitor took their time). */
export function preparedForm(t: TestApp, workspaceId: string, token = `tok${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`.padEnd(22, 'x').slice(0, 32)) {
  const stamp = createFormSecurity(t.ctx.config.secretKey).stamp(workspaceId, token, Date.now() - 10_000);
  return { submission: token, issued: stamp };
}

/** Solves the workspace's challenge for this token with four parallel solvers. */
export async function solveFor(t: TestApp, handle: string, token: string, ip: string): Promise<string> {
  const res = await t.app.inject({ method: 'GET', url: `/@${handle}/contact/challenge?submission=${token}`, remoteAddress: ip });
  if (res.statusCode !== 200) throw new Error(`challenge: ${res.statusCode}`);
  const challenge = res.json() as Challenge;
  const controller = new AbortController();
  const solution = await Promise.race([0, 1, 2, 3].map((i) => solveChallenge({ challenge, deriveKey, counterStart: i, counterStep: 4, controller }).then((s) => s ?? new Promise<never>(() => {}))));
  controller.abort();
  return Buffer.from(JSON.stringify({ challenge, solution: { counter: solution.counter, derivedKey: solution.derivedKey } })).toString('base64');
}

export function encodeForm(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export function postForm(t: TestApp, url: string, body: string | Buffer, ip: string, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url, payload: body, remoteAddress: ip, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
}
