// "Test connection" through the API against the private Dovecot: the stored settings (secrets
// never sent back by the browser) pass, a wrong password typed into the form fails at the login
// step in the server's words, and the test is rate-limited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, setUpWorkspace, type TestApp } from '../support/app.ts';
import { sessionOf, type Caller } from '../http/fixtures.ts';
import { appendMails, buildMail, dovecotAvailable, emailConfig, IMAP_PASSWORD, newMailUser } from './support.ts';

const hasDovecot = dovecotAvailable();

describe.skipIf(!hasDovecot)('test-connection API against Dovecot', () => {
  let t: TestApp;
  let me: Caller;

  beforeAll(async () => {
    t = await createTestApp('sqlite');
    me = await sessionOf(t, await setUpWorkspace(t));
  });
  afterAll(async () => t?.dispose());

  async function emailEntrance(user: string): Promise<string> {
    const { id } = (await me.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'email', label: 'Mail' } })).json();
    const saved = await me.request({ method: 'PATCH', url: `/api/v1/entrances/${id}`, payload: { config: { ...emailConfig(user), sentFolder: 'Sent' } } });
    expect(saved.statusCode, saved.body).toBe(200);
    return id;
  }

  it('reports success with the stored settings, and lists the folders found', async () => {
    const user = newMailUser('api');
    await appendMails(user, 'INBOX', [buildMail({})]);
    const id = await emailEntrance(user);
    const res = await me.request({ method: 'POST', url: `/api/v1/entrances/${id}/test-connection`, payload: {} });
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ ok: true, imap: { ok: true, step: 'folders', message: `Connected to 127.0.0.1 as ${user}; INBOX, Sent found.` }, smtp: null, suggestedSentFolder: 'Sent' });
    expect(report.folders).toEqual(expect.arrayContaining(['INBOX', 'Sent']));
    expect(res.body).not.toContain(IMAP_PASSWORD);
  });

  it('a wrong password typed into the form fails at the login step, in the server\'s words, and is not saved', async () => {
    const user = newMailUser('api');
    const id = await emailEntrance(user);
    const res = await me.request({ method: 'POST', url: `/api/v1/entrances/${id}/test-connection`, payload: { config: { imap: { password: 'wrong-password' } } } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      ok: false,
      imap: { ok: false, step: 'login', message: `The IMAP server refused the login for user ${user}: [AUTHENTICATIONFAILED] Authentication failed.`, help: expect.stringContaining('app password') },
    });
    // The stored (right) password is untouched: the saved settings still pass.
    expect((await me.request({ method: 'POST', url: `/api/v1/entrances/${id}/test-connection`, payload: {} })).json().ok).toBe(true);
  });

  it('allows at most 10 tests a minute', async () => {
    const other = await createTestApp('sqlite');
    try {
      const caller = await sessionOf(other, await setUpWorkspace(other));
      const { id } = (await caller.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'phone', label: 'Phone' } })).json();
      const codes: number[] = [];
      for (let i = 0; i < 11; i++) codes.push((await caller.request({ method: 'POST', url: `/api/v1/entrances/${id}/test-connection`, payload: {} })).statusCode);
      expect(codes.slice(0, 10)).toEqual(Array(10).fill(409));
      expect(codes[10]).toBe(429);
    } finally {
      await other.dispose();
    }
  });
});
