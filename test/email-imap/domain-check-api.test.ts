// POST /api/v1/entrances/:id/domain-check on SQLite and PostgreSQL: the stored settings of an e-mail
// entrance checked against a real DNS server on loopback (this process's resolvers point at it,
// as an operator's /etc/resolv.conf would) and the private Dovecot's sent folder; only e-mail
// entrances with settings, only the caller's workspace, never a secret in the answer.
import { generateKeyPairSync } from 'node:crypto';
import nodeDns from 'node:dns';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, setUpWorkspace, type TestApp } from '../support/app.ts';
import { availableDialects } from '../support/databases.ts';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.ts';
import { problemOf, sessionOf, tokenOf, type Caller } from '../http/fixtures.ts';
import { appendMails, buildMail, dovecotAvailable, emailConfig, IMAP_PASSWORD, newMailUser } from './support.ts';

const dialects = await availableDialects();
const hasDovecot = dovecotAvailable();
const DOMAIN = 'atelier-dubois.ch';
const ADDRESS = `claire@${DOMAIN}`;

let dns: TestDnsServer;
let systemServers: string[];
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicKey = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const privateKey = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

beforeAll(async () => {
  dns = await startDnsServer({
    [DOMAIN]: { TXT: ['v=spf1 include:_spf.other.example ~all'] },
    'smtp.mailhost.example': { A: ['192.0.2.25'] },
    '_spf.mailhost.example': { TXT: ['v=spf1 ip4:192.0.2.0/24 -all'] },
    '_spf.other.example': { TXT: ['v=spf1 ip4:198.51.100.0/24 -all'] },
    [`portier2026._domainkey.${DOMAIN}`]: { TXT: [`v=DKIM1; k=rsa; p=${publicKey}`] },
    [`_dmarc.${DOMAIN}`]: { TXT: ['v=DMARC1; p=none'] },
  });
  systemServers = nodeDns.getServers();
  nodeDns.setServers([dns.address]);
});
afterAll(async () => {
  if (systemServers) nodeDns.setServers(systemServers);
  await dns?.close();
});

describe.each(dialects)('the domain check API on %s', (dialect) => {
  let t: TestApp;
  let me: Caller;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    me = await sessionOf(t, await setUpWorkspace(t));
  });
  afterAll(async () => t?.dispose());

  async function emailEntrance(caller: Caller, user: string): Promise<string> {
    const { id } = (await caller.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'email', label: 'Mail' } })).json();
    const config = { ...emailConfig(user), ownAddresses: [ADDRESS], sentFolder: 'Sent', smtp: { host: 'smtp.mailhost.example', port: 587, secure: 'starttls', user: ADDRESS, password: 'smtp-secret-1' } };
    const saved = await caller.request({ method: 'PATCH', url: `/api/v1/entrances/${id}`, payload: { config } });
    expect(saved.statusCode, saved.body).toBe(200);
    return id;
  }

  it('checks the saved settings: SPF, DKIM from the sent folder, DMARC — with the records to change', async () => {
    const user = newMailUser('domain');
    if (hasDovecot) {
      const raw = buildMail({ from: ADDRESS });
      const signer = { signingDomain: DOMAIN, selector: 'portier2026', privateKey };
      await appendMails(user, 'Sent', [(await dkimSign(raw, { ...signer, signatureData: [signer] })).signatures + raw]);
    }
    const id = await emailEntrance(me, user);
    const res = await me.request({ method: 'POST', url: `/api/v1/entrances/${id}/domain-check` });
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ address: ADDRESS, domain: DOMAIN, smtpHost: 'smtp.mailhost.example', provider: null });
    expect(report.spf).toMatchObject({
      status: 'warning',
      code: 'spf_softfail',
      fix: { action: 'replace', name: DOMAIN, type: 'TXT', value: 'v=spf1 include:_spf.other.example include:_spf.mailhost.example ~all', replaces: ['v=spf1 include:_spf.other.example ~all'] },
    });
    expect(report.dmarc).toMatchObject({ status: 'warning', code: 'dmarc_monitor_only', policy: 'none' });
    if (hasDovecot) {
      expect(report.dkim).toMatchObject({ status: 'ok', code: 'dkim_ok', selector: 'portier2026', source: 'sent-folder', keyBits: 2048 });
      expect(report.dmarc).toMatchObject({ alignment: { spf: 'fail', dkim: 'pass' }, wouldPass: true, fix: { value: 'v=DMARC1; p=quarantine' } });
    }
    for (const secret of [IMAP_PASSWORD, 'smtp-secret-1']) expect(res.body).not.toContain(secret);
  });

  it('an API token needs the write scope, as for every POST', async () => {
    const owner = await setUpWorkspace(t);
    const caller = await sessionOf(t, owner);
    const id = await emailEntrance(caller, newMailUser('domain'));
    const reader = await tokenOf(t, owner, ['read']);
    expect(problemOf(await reader.request({ method: 'POST', url: `/api/v1/entrances/${id}/domain-check` })).code).toBe('forbidden');
    const writer = await tokenOf(t, owner, ['read', 'write']);
    expect((await writer.request({ method: 'POST', url: `/api/v1/entrances/${id}/domain-check` })).statusCode).toBe(200);
  });

  it('refuses entrances that are not e-mail, and e-mail entrances without settings, saying why', async () => {
    const { id: phone } = (await me.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'phone', label: 'Phone' } })).json();
    const notEmail = problemOf(await me.request({ method: 'POST', url: `/api/v1/entrances/${phone}/domain-check` }));
    expect(notEmail).toMatchObject({ status: 409, code: 'conflict', detail: 'Only an e-mail entrance has a sending domain to check; this one is phone.' });
    const { id: bare } = (await me.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'email', label: 'Bare' } })).json();
    const noSettings = problemOf(await me.request({ method: 'POST', url: `/api/v1/entrances/${bare}/domain-check` }));
    expect(noSettings).toMatchObject({ status: 409, code: 'conflict' });
    expect(noSettings.detail).toContain('no settings yet');
  });

  it('another workspace\'s entrance is not found, and a stranger must sign in', async () => {
    const id = await emailEntrance(me, newMailUser('domain'));
    const other = await sessionOf(t, await setUpWorkspace(t));
    expect(problemOf(await other.request({ method: 'POST', url: `/api/v1/entrances/${id}/domain-check` })).code).toBe('not_found');
    expect(problemOf(await other.request({ method: 'POST', url: '/api/v1/entrances/nonexistent/domain-check' })).code).toBe('not_found');
    expect(problemOf(await t.app.inject({ method: 'POST', url: `/api/v1/entrances/${id}/domain-check` })).code).toBe('unauthenticated');
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const op = doc.paths['/api/v1/entrances/{id}/domain-check'].post;
    expect(op.summary).toMatch(/SPF, DKIM and DMARC/);
    const schema = op.responses['200'].content['application/json'].schema;
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['spf', 'dkim', 'dmarc']));
    expect(schema.properties.spf.properties.status.anyOf.flatMap((s: { enum: string[] }) => s.enum)).toEqual(['ok', 'warning', 'problem', 'unknown']);
  });
});

describe('the domain check API', () => {
  it('allows at most 10 checks a minute', async () => {
    const t = await createTestApp('sqlite');
    try {
      const caller = await sessionOf(t, await setUpWorkspace(t));
      const { id } = (await caller.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'phone', label: 'Phone' } })).json();
      const codes: number[] = [];
      for (let i = 0; i < 11; i++) codes.push((await caller.request({ method: 'POST', url: `/api/v1/entrances/${id}/domain-check` })).statusCode);
      expect(codes.slice(0, 10)).toEqual(Array(10).fill(409));
      expect(codes[10]).toBe(429);
    } finally {
      await t.dispose();
    }
  });
});
