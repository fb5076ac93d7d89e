// Connector settings through the API: nested changes merge into what is stored, secrets go in and
// never come out (GET …/settings shows only that they are set), and the provider look-up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects } from '../support/databases.ts';
import { createTestApp, setUpWorkspace, type TestApp } from '../support/app.ts';
import { openEntranceConfig } from '../../src/entrances/entrance-config.ts';
import { problemOf, sessionOf, type Caller } from './fixtures.ts';

const dialects = await availableDialects();

const IMAP_PASSWORD = 'imap-secret-9f2c';
const SMTP_TOKEN = 'smtp-token-77ab';

describe.each(dialects)('entrance settings on %s', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t?.dispose());

  async function freshOwner(): Promise<Caller & { workspaceId: string }> {
    const ws = await setUpWorkspace(t);
    return { ...(await sessionOf(t, ws)), workspaceId: ws.workspaceId };
  }

  async function storedConfig(id: string) {
    const row = await t.ctx.storage.db.selectFrom('entrance').select('config_encrypted').where('id', '=', id).executeTakeFirstOrThrow();
    return openEntranceConfig(t.ctx.secrets, row);
  }

  it('settings given at creation are checked with it: valid ones are stored, invalid ones add nothing', async () => {
    const me = await freshOwner();
    const config = {
      ownAddresses: ['claire@atelier-dubois.ch'],
      imap: { host: 'imap.example.ch', port: 993, secure: 'implicit', user: 'claire', password: IMAP_PASSWORD },
      smtp: { host: 'smtp.example.ch', port: 465, secure: 'implicit', user: 'claire', password: IMAP_PASSWORD },
    };
    const created = await me.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'email', label: 'Mail', config } });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.body).not.toContain(IMAP_PASSWORD);
    expect(await storedConfig(created.json().id)).toMatchObject(config);

    const count = async () => (await me.request({ method: 'GET', url: '/api/v1/entrances' })).json().items.length;
    const before = await count();
    const refused = await me.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'email', label: 'Mail 2', config: { ...config, imap: { ...config.imap, port: 'nine' } } } });
    expect(refused.statusCode).toBe(400);
    expect(problemOf(refused).errors?.[0]?.field).toBe('body.config.imap.port');
    const noSettings = await me.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'instagram', label: 'Instagram', config: { x: 1 } } });
    expect(noSettings.statusCode).toBe(400);
    expect(await count()).toBe(before);
  });

  it('nested changes merge, null removes, arrays replace, and secrets are never returned', async () => {
    const me = await freshOwner();
    const { id } = (await me.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'email', label: 'Mail' } })).json();
    expect((await me.request({ method: 'GET', url: `/api/v1/entrances/${id}/settings` })).json()).toEqual({ kind: 'email', config: null });

    const first = await me.request({
      method: 'PATCH',
      url: `/api/v1/entrances/${id}`,
      payload: {
        config: {
          ownAddresses: ['claire@atelier-dubois.ch'],
          imap: { host: 'imap.example.ch', port: 993, secure: 'implicit', user: 'claire', password: IMAP_PASSWORD },
          smtp: { host: 'smtp.example.ch', port: 587, secure: 'starttls', user: 'claire', accessToken: SMTP_TOKEN },
          folders: ['INBOX', 'Kunden'],
        },
      },
    });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.body).not.toContain(IMAP_PASSWORD);
    expect(first.json()).not.toHaveProperty('config');

    // Change one nested field: the rest of imap, the password included, stays.
    const second = await me.request({ method: 'PATCH', url: `/api/v1/entrances/${id}`, payload: { config: { imap: { port: 143, secure: 'starttls' }, folders: ['INBOX'], smtp: { accessToken: null, password: 'smtp-pw' } } } });
    expect(second.statusCode, second.body).toBe(200);
    expect(await storedConfig(id)).toEqual({
      ownAddresses: ['claire@atelier-dubois.ch'],
      imap: { host: 'imap.example.ch', port: 143, secure: 'starttls', user: 'claire', password: IMAP_PASSWORD },
      smtp: { host: 'smtp.example.ch', port: 587, secure: 'starttls', user: 'claire', password: 'smtp-pw' },
      folders: ['INBOX'],
    });

    const settings = await me.request({ method: 'GET', url: `/api/v1/entrances/${id}/settings` });
    expect(settings.statusCode).toBe(200);
    expect(settings.json()).toEqual({
      kind: 'email',
      config: {
        ownAddresses: ['claire@atelier-dubois.ch'],
        imap: { host: 'imap.example.ch', port: 143, secure: 'starttls', user: 'claire', password: { set: true } },
        smtp: { host: 'smtp.example.ch', port: 587, secure: 'starttls', user: 'claire', password: { set: true } },
        folders: ['INBOX'],
      },
    });
    for (const path of [`/api/v1/entrances/${id}`, '/api/v1/entrances', `/api/v1/entrances/${id}/settings`]) {
      const body = (await me.request({ method: 'GET', url: path })).body;
      for (const secret of [IMAP_PASSWORD, SMTP_TOKEN, 'smtp-pw']) expect(body, path).not.toContain(secret);
    }

    // The settings as shown can be sent back unchanged: the secret markers keep the secrets.
    const roundTrip = await me.request({ method: 'PATCH', url: `/api/v1/entrances/${id}`, payload: { config: settings.json().config } });
    expect(roundTrip.statusCode, roundTrip.body).toBe(200);
    expect((await storedConfig(id))?.imap).toMatchObject({ password: IMAP_PASSWORD });

    // Removing smtp entirely; the audit trail names the settings changed, never their values.
    expect((await me.request({ method: 'PATCH', url: `/api/v1/entrances/${id}`, payload: { config: { smtp: null } } })).statusCode).toBe(200);
    expect(await storedConfig(id)).not.toHaveProperty('smtp');
    const events = await t.ctx.storage.db.selectFrom('event').select('data').where('subject_id', '=', id).where('type', '=', 'entrance.updated').execute();
    const all = events.map((e) => String(e.data)).join('\n');
    expect(all).toContain('imap.password');
    expect(all).toContain('smtp.accessToken');
    for (const secret of [IMAP_PASSWORD, SMTP_TOKEN, 'smtp-pw']) expect(all).not.toContain(secret);
  });

  it('a change that leaves the settings invalid is refused with the field, and nothing changes', async () => {
    const me = await freshOwner();
    const { id } = (await me.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'email', label: 'Mail' } })).json();
    const incomplete = await me.request({ method: 'PATCH', url: `/api/v1/entrances/${id}`, payload: { config: { imap: { host: 'imap.example.ch' } } } });
    expect(incomplete.statusCode).toBe(400);
    expect(problemOf(incomplete).errors?.[0]?.field).toMatch(/^body\.config\./);
    const badPort = await me.request({ method: 'PATCH', url: `/api/v1/entrances/${id}`, payload: { config: { ownAddresses: ['a@b.ch'], imap: { host: 'h', port: 99999, secure: 'implicit', user: 'u' } } } });
    expect(badPort.statusCode).toBe(400);
    expect(problemOf(badPort).errors?.[0]?.field).toBe('body.config.imap.port');
    let deep: Record<string, unknown> = { x: 1 };
    for (let i = 0; i < 10; i++) deep = { a: deep };
    expect((await me.request({ method: 'PATCH', url: `/api/v1/entrances/${id}`, payload: { config: deep } })).statusCode).toBe(400);
    expect(await storedConfig(id)).toBeNull();
  });

  it('test-connection is for e-mail entrances with settings; others get 409', async () => {
    const me = await freshOwner();
    const phone = (await me.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'phone', label: 'Phone' } })).json();
    const notEmail = await me.request({ method: 'POST', url: `/api/v1/entrances/${phone.id}/test-connection`, payload: {} });
    expect(notEmail.statusCode).toBe(409);
    expect(problemOf(notEmail).detail).toContain('Only an e-mail entrance');
    const mail = (await me.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'email', label: 'Mail' } })).json();
    const empty = await me.request({ method: 'POST', url: `/api/v1/entrances/${mail.id}/test-connection`, payload: {} });
    expect(empty.statusCode).toBe(409);
    expect(problemOf(empty).detail).toContain('no mail server settings yet');
    const invalid = await me.request({ method: 'POST', url: `/api/v1/entrances/${mail.id}/test-connection`, payload: { config: { imap: { host: 'x' } } } });
    expect(invalid.statusCode).toBe(400);
    // Unsaved changes are tested, never saved: a name that cannot resolve says so at the DNS step.
    const dns = await me.request({ method: 'POST', url: `/api/v1/entrances/${mail.id}/test-connection`, payload: { config: { ownAddresses: ['claire@atelier-dubois.ch'], imap: { host: 'imap.portier-test.invalid', port: 993, secure: 'implicit', user: 'claire', password: 'x' } } } });
    expect(dns.statusCode, dns.body).toBe(200);
    expect(dns.json()).toMatchObject({ ok: false, imap: { ok: false, step: 'dns', message: expect.stringContaining('imap.portier-test.invalid') }, smtp: null });
    expect(await storedConfig(mail.id)).toBeNull();
    // A new entrance's settings, typed into the add form, are tested whole.
    const whole = await me.request({ method: 'POST', url: '/api/v1/email-connection-test', payload: { config: { ownAddresses: ['claire@atelier-dubois.ch'], imap: { host: 'imap.portier-test.invalid', port: 993, secure: 'implicit', user: 'claire', password: 'x' } } } });
    expect(whole.json()).toMatchObject({ ok: false, imap: { step: 'dns' } });
    expect((await me.request({ method: 'POST', url: '/api/v1/email-connection-test', payload: { config: { imap: {} } } })).statusCode).toBe(400);
  });

  it('the usual settings of well-known providers are offered by address', async () => {
    const me = await freshOwner();
    const gmail = await me.request({ method: 'GET', url: '/api/v1/email-providers?address=anna%40gmail.com' });
    expect(gmail.statusCode).toBe(200);
    expect(gmail.json().provider).toMatchObject({ name: 'Gmail', imap: { host: 'imap.gmail.com', port: 993, secure: 'implicit' }, smtp: { host: 'smtp.gmail.com' } });
    expect((await me.request({ method: 'GET', url: '/api/v1/email-providers?address=claire%40atelier-dubois.ch' })).json()).toEqual({ provider: null });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/email-providers?address=anna%40gmail.com' })).statusCode).toBe(401);
  });
});
