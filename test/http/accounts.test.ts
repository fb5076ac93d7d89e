import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects } from '../support/databases.ts';
import { createTestApp, setUpWorkspace, type TestApp } from '../support/app.ts';
import { createSetupToken } from '../../src/accounts/setup.ts';

const dialects = await availableDialects();

describe.each(dialects)('accounts on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t?.dispose());

  it('a setup link creates the workspace and signs its owner in', async () => {
    const owner = await setUpWorkspace(t, { handle: 'claire-formation' });
    const me = await owner.request({ method: 'GET', url: '/api/v1/session' });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ user: { role: 'owner', displayName: 'Claire Dubois' }, workspace: { handle: 'claire-formation', timeZone: 'Europe/Zurich', languages: ['fr', 'de', 'en'] } });
  });

  it('a setup link used twice is refused the second time, even concurrently', async () => {
    const { token } = await createSetupToken(t.ctx.storage.db);
    const payload = (n: number) => ({
      token,
      workspace: { name: 'Twice', handle: `twice-${n}`, locale: 'en', languages: ['en'], timeZone: 'Europe/Berlin' },
      owner: { email: `twice-${n}@example.com`, password: 'long enough password', displayName: 'T' },
    });
    const results = await Promise.all([1, 2, 3].map((n) => t.app.inject({ method: 'POST', url: '/api/v1/setup', payload: payload(n) })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 410, 410]);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/setup/${token}` })).statusCode).toBe(410);
  });

  it('a handle is never reused', async () => {
    await setUpWorkspace(t, { handle: 'unique-handle' });
    await expect(setUpWorkspace(t, { handle: 'unique-handle' })).rejects.toThrow(/409/);
  });

  it('signs in with the right password, refuses the wrong one, then rate-limits the account', async () => {
    const owner = await setUpWorkspace(t);
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: owner.email.toUpperCase(), password: owner.password } });
    expect(ok.statusCode).toBe(200);
    const cookie = ok.cookies.find((c) => c.name === 'portier_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');

    const codes: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: owner.email, password: `wrong ${i}` }, remoteAddress: `10.0.0.${i}` });
      codes.push(r.statusCode);
    }
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes.slice(10)).toEqual([429, 429]);
    // Even the right password is refused while the account is locked: the guesser learns nothing.
    const locked = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: owner.email, password: owner.password }, remoteAddress: '10.0.1.1' });
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('cookie-authenticated changes need the CSRF token', async () => {
    const owner = await setUpWorkspace(t);
    const without = await owner.request({ method: 'PATCH', url: '/api/v1/account', payload: { displayName: 'X' }, headers: { 'x-csrf-token': '' } });
    expect(without.statusCode).toBe(403);
    expect(without.json().code).toBe('csrf_failed');
    const withToken = await owner.request({ method: 'PATCH', url: '/api/v1/account', payload: { displayName: 'Claire D.' } });
    expect(withToken.statusCode).toBe(200);
    expect(withToken.json().displayName).toBe('Claire D.');
  });

  it('an API token is shown once, works as a bearer, respects its scope and can be revoked', async () => {
    const owner = await setUpWorkspace(t);
    const created = await owner.request({ method: 'POST', url: '/api/v1/tokens', payload: { name: 'backup script', scopes: ['read'] } });
    expect(created.statusCode).toBe(201);
    const { secret, token } = created.json();
    expect(secret).toMatch(/^ptk_/);
    const list = await owner.request({ method: 'GET', url: '/api/v1/tokens' });
    expect(JSON.stringify(list.json())).not.toContain(secret);

    const bearer = { authorization: `Bearer ${secret}` };
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/entrances', headers: bearer })).statusCode).toBe(200);
    const write = await t.app.inject({ method: 'POST', url: '/api/v1/entrances', headers: bearer, payload: { kind: 'phone', label: 'Phone' } });
    expect(write.statusCode).toBe(403);

    expect((await owner.request({ method: 'DELETE', url: `/api/v1/tokens/${token.id}` })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/entrances', headers: bearer })).statusCode).toBe(401);
  });

  it('signing out ends the session', async () => {
    const owner = await setUpWorkspace(t);
    expect((await owner.request({ method: 'DELETE', url: '/api/v1/session' })).statusCode).toBe(204);
    expect((await owner.request({ method: 'GET', url: '/api/v1/workspace' })).statusCode).toBe(401);
  });

  it('changing the password keeps this session and ends the others', async () => {
    const owner = await setUpWorkspace(t);
    const other = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: owner.email, password: owner.password } });
    const otherCookie = other.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const r = await owner.request({ method: 'POST', url: '/api/v1/account/password', payload: { currentPassword: owner.password, newPassword: 'a much better passphrase' } });
    expect(r.statusCode).toBe(204);
    expect((await owner.request({ method: 'GET', url: '/api/v1/account' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/account', headers: { cookie: otherCookie } })).statusCode).toBe(401);
  });
});
