// What the JSON endpoints do with input nobody should send: every refusal is a problem document
// with a stable code, and a refused request stores nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { LightMyRequestResponse } from 'fastify';
import { availableDialects } from '../support/databases.ts';
import { createTestApp, setUpWorkspace, type SignedIn, type TestApp } from '../support/app.ts';
import { createSetupToken } from '../../src/accounts/setup.ts';
import type { Db } from '../../src/storage/database.ts';
import type { Database } from '../../src/storage/schema.ts';
import { insertEntrance, problemOf, sessionOf, type Caller } from './fixtures.ts';

const dialects = await availableDialects();

let addressCounter = 0;
/** A new client address per request, so per-IP rate limits never hide the behaviour under test. */
const nextAddress = () => {
  addressCounter += 1;
  return `10.77.${(addressCounter >> 8) & 255}.${addressCounter & 255}`;
};

const WATCHED_TABLES: Array<keyof Database> = ['workspace', 'user', 'session', 'api_token', 'setup_token', 'login_failure', 'entrance', 'contact', 'conversation', 'message', 'event'];

async function snapshot(db: Db): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of WATCHED_TABLES) out[table] = await db.selectFrom(table).selectAll().orderBy('id').execute();
  return out;
}

/** Runs `send`, expects a refusal, and proves no row anywhere was added, changed or removed. */
async function expectRefusedAndNothingStored(db: Db, send: () => Promise<LightMyRequestResponse>, status: number, code?: string) {
  const before = await snapshot(db);
  const res = await send();
  expect(res.statusCode, res.body).toBe(status);
  const p = problemOf(res);
  if (code) expect(p.code).toBe(code);
  expect(await snapshot(db)).toEqual(before);
  return p;
}

type Path = string[];
const clone = <T>(v: T): T => structuredClone(v);
function setAt(obj: Record<string, unknown>, path: Path, value: unknown): Record<string, unknown> {
  const copy = clone(obj);
  let cur = copy as Record<string, unknown>;
  for (const key of path.slice(0, -1)) cur = cur[key] as Record<string, unknown>;
  cur[path.at(-1)!] = value;
  return copy;
}
function deleteAt(obj: Record<string, unknown>, path: Path): Record<string, unknown> {
  const copy = clone(obj);
  let cur = copy as Record<string, unknown>;
  for (const key of path.slice(0, -1)) cur = cur[key] as Record<string, unknown>;
  delete cur[path.at(-1)!];
  return copy;
}
function leaves(obj: Record<string, unknown>, prefix: Path = []): Array<{ path: Path; value: unknown }> {
  return Object.entries(obj).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? leaves(v as Record<string, unknown>, [...prefix, k]) : [{ path: [...prefix, k], value: v }],
  );
}
/** A value of a type no JSON schema coercion turns into the expected one. */
function wrongTypeFor(value: unknown): unknown {
  if (typeof value === 'string') return { not: 'a string' };
  if (typeof value === 'number') return 'not a number';
  if (typeof value === 'boolean') return 'maybe';
  if (Array.isArray(value)) return { not: 'an array' };
  return 'not an object';
}

interface Endpoint {
  name: string;
  method: 'POST' | 'PATCH';
  url: string;
  /** A body the endpoint accepts (or at least validates: setup spends a token, sign-in checks a password). */
  body(): Record<string, unknown>;
  /** Fields without which the body is invalid. */
  required: Path[];
}

interface Fixture {
  t: TestApp;
  owner: SignedIn;
  caller: Caller;
  entranceId: string;
  setupToken: string;
}

function endpoints(f: Fixture): Endpoint[] {
  return [
    {
      name: 'setup',
      method: 'POST',
      url: '/api/v1/setup',
      body: () => ({
        token: f.setupToken,
        workspace: { name: 'Atelier', handle: 'atelier-bad-input', locale: 'de', languages: ['de'], timeZone: 'Europe/Zurich' },
        owner: { email: 'bad-input@example.ch', password: 'long enough password', displayName: 'Bea' },
      }),
      required: [['token'], ['workspace'], ['owner'], ['workspace', 'name'], ['workspace', 'handle'], ['workspace', 'locale'], ['workspace', 'languages'], ['workspace', 'timeZone'], ['owner', 'email'], ['owner', 'password'], ['owner', 'displayName']],
    },
    { name: 'session', method: 'POST', url: '/api/v1/session', body: () => ({ email: f.owner.email, password: f.owner.password }), required: [['email'], ['password']] },
    { name: 'account', method: 'PATCH', url: '/api/v1/account', body: () => ({ displayName: 'Claire', locale: 'fr' }), required: [] },
    { name: 'password', method: 'POST', url: '/api/v1/account/password', body: () => ({ currentPassword: f.owner.password, newPassword: 'another long passphrase' }), required: [['currentPassword'], ['newPassword']] },
    { name: 'tokens', method: 'POST', url: '/api/v1/tokens', body: () => ({ name: 'backup', scopes: ['read'], expiresInDays: 30 }), required: [['name'], ['scopes']] },
    {
      name: 'entrances (create)',
      method: 'POST',
      url: '/api/v1/entrances',
      body: () => ({ kind: 'webform', label: 'Site', publicUrl: 'https://example.ch/contact', showOnStorefront: true, responseTargetMinutes: 60, reviewIntervalDays: 90 }),
      required: [['kind'], ['label']],
    },
    { name: 'entrances (change)', method: 'PATCH', url: `/api/v1/entrances/${f.entranceId}`, body: () => ({ label: 'Site', showOnStorefront: false, responseTargetMinutes: 120 }), required: [] },
    { name: 'workspace', method: 'PATCH', url: '/api/v1/workspace', body: () => ({ name: 'Atelier', locale: 'fr', languages: ['fr', 'de'], timeZone: 'Europe/Zurich' }), required: [] },
  ];
}

describe.each(dialects)('bad input to the JSON endpoints on %s', (dialect) => {
  let f: Fixture;
  let db: Db;
  const eps = () => endpoints(f);

  beforeAll(async () => {
    const t = await createTestApp(dialect);
    db = t.ctx.storage.db;
    const owner = await setUpWorkspace(t);
    const caller = await sessionOf(t, owner);
    const entrance = await insertEntrance(db, owner.workspaceId, { label: 'Website' });
    const { token } = await createSetupToken(db);
    f = { t, owner, caller, entranceId: entrance.id, setupToken: token };
  });
  afterAll(async () => f?.t.dispose());

  const send = (ep: Endpoint, payload: string | Buffer | Record<string, unknown> | undefined, contentType = 'application/json') =>
    f.caller.request({ method: ep.method, url: ep.url, payload, headers: { 'content-type': contentType }, remoteAddress: nextAddress() });

  it('the valid bodies used below are accepted as far as validation goes', async () => {
    // Without this, a test expecting one refusal could pass because of another.
    for (const ep of eps()) {
      if (ep.name === 'setup' || ep.name === 'password') continue; // would spend the token / change the password
      const res = await send(ep, ep.body());
      expect(res.statusCode, `${ep.name}: ${res.body}`).toBeLessThan(300);
    }
  });

  it('malformed JSON is refused with malformed_json, and an empty body too', async () => {
    for (const ep of eps()) {
      for (const bad of ['{"label": ', '{label: "x"}', "{'a': 1}", '[1, 2,]', '{"a": 1} trailing', '']) {
        const p = await expectRefusedAndNothingStored(db, () => send(ep, bad), 400, 'malformed_json');
        expect(p.detail, ep.name).toBeTruthy();
      }
    }
  });

  it('a body that is not JSON (text, form, multipart) is refused with 415', async () => {
    for (const ep of eps()) {
      const variants: Array<[string, string]> = [
        ['text/plain', JSON.stringify(ep.body())],
        ['application/x-www-form-urlencoded', 'label=Site&kind=email'],
        ['multipart/form-data; boundary=XyZ', '--XyZ\r\nContent-Disposition: form-data; name="label"\r\n\r\nSite\r\n--XyZ--\r\n'],
        ['application/xml', '<label>Site</label>'],
      ];
      for (const [type, body] of variants) {
        await expectRefusedAndNothingStored(db, () => send(ep, body, type), 415, 'unsupported_media_type');
      }
    }
  });

  it('a body over 256 KiB is refused with 413 before it is parsed', async () => {
    for (const ep of eps()) {
      const huge = JSON.stringify({ ...ep.body(), padding: 'x'.repeat(257 * 1024) });
      await expectRefusedAndNothingStored(db, () => send(ep, huge), 413, 'payload_too_large');
    }
  });

  it('an unknown field is refused with validation_failed naming the field, at any depth', async () => {
    for (const ep of eps()) {
      const p = await expectRefusedAndNothingStored(db, () => send(ep, { ...ep.body(), isAdmin: true }), 400, 'validation_failed');
      expect(p.errors?.map((e) => e.field), ep.name).toContain('body.isAdmin');
      expect(p.detail).toContain('isAdmin');
    }
    const setup = eps().find((e) => e.name === 'setup')!;
    const p = await expectRefusedAndNothingStored(db, () => send(setup, setAt(setup.body(), ['owner', 'role'], 'admin')), 400, 'validation_failed');
    expect(p.errors?.map((e) => e.field)).toContain('body.owner.role');
  });

  it('bytes that are not UTF-8 are refused with invalid_encoding', async () => {
    for (const ep of eps()) {
      for (const bytes of [[0xff, 0xfe], [0xc3, 0x28], [0xed, 0xa0, 0x80] /* an encoded surrogate */, [0xe2, 0x82] /* truncated */]) {
        const body = Buffer.concat([Buffer.from('{"label": "a'), Buffer.from(bytes), Buffer.from('b"}')]);
        await expectRefusedAndNothingStored(db, () => send(ep, body), 400, 'invalid_encoding');
      }
    }
  });

  it('a lone UTF-16 surrogate escaped in JSON is refused rather than stored as U+FFFD', async () => {
    for (const ep of eps()) {
      for (const { path, value } of leaves(ep.body())) {
        if (typeof value !== 'string') continue;
        const json = JSON.stringify(setAt(ep.body(), path, 'PLACEHOLDER')).replace('PLACEHOLDER', 'a\\ud800b');
        await expectRefusedAndNothingStored(db, () => send(ep, json), 400);
      }
    }
  });

  it('a 100,000-character string in any text field is refused with 400', async () => {
    for (const ep of eps()) {
      for (const { path, value } of leaves(ep.body())) {
        if (typeof value !== 'string') continue;
        const p = await expectRefusedAndNothingStored(db, () => send(ep, setAt(ep.body(), path, 'x'.repeat(100_000))), 400, 'validation_failed');
        expect(p.errors?.[0]?.field, `${ep.name} ${path.join('.')}`).toBe(`body.${path.join('.')}`);
      }
    }
  });

  it('a missing required field is refused with errors[] naming it', async () => {
    for (const ep of eps()) {
      for (const path of ep.required) {
        const p = await expectRefusedAndNothingStored(db, () => send(ep, deleteAt(ep.body(), path)), 400, 'validation_failed');
        expect(p.errors, `${ep.name} without ${path.join('.')}`).toEqual([{ field: `body.${path.join('.')}`, message: 'is required' }]);
      }
    }
  });

  it('a field of the wrong type is refused with errors[] naming it', async () => {
    for (const ep of eps()) {
      for (const { path, value } of leaves(ep.body())) {
        const p = await expectRefusedAndNothingStored(db, () => send(ep, setAt(ep.body(), path, wrongTypeFor(value))), 400, 'validation_failed');
        expect(p.errors?.[0]?.field, `${ep.name} ${path.join('.')}`).toBe(`body.${path.join('.')}`);
      }
      // A body that is JSON but not an object.
      for (const notObject of ['[]', '"text"', '42', 'null', 'true']) {
        await expectRefusedAndNothingStored(db, () => send(ep, notObject), 400);
      }
    }
  });

  it('a NUL character (which PostgreSQL text cannot hold) is refused with 400 in every string of every endpoint', async () => {
    for (const ep of eps()) {
      for (const { path, value } of leaves(ep.body())) {
        if (typeof value !== 'string') continue;
        const p = await expectRefusedAndNothingStored(db, () => send(ep, setAt(ep.body(), path, `a\u0000b`)), 400);
        expect(p.detail ?? '', `${ep.name} ${path.join('.')}`).toContain(path.at(-1)!);
      }
      // In a key, too.
      await expectRefusedAndNothingStored(db, () => send(ep, { ...ep.body(), 'a\u0000b': 1 }), 400);
    }
  });

  it('a NUL character in the address (path or query) is refused with 400', async () => {
    for (const url of ['/api/v1/entrances/%00', `/api/v1/entrances/${f.entranceId}%00`, '/api/v1/conversations?entranceId=%00', '/api/v1/conversations?entranceId=a%00b', '/api/v1/setup/%00']) {
      const res = await f.caller.request({ method: 'GET', url });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
      problemOf(res);
    }
    await expectRefusedAndNothingStored(db, () => f.caller.request({ method: 'PATCH', url: '/api/v1/entrances/x%00', payload: { label: 'x' } }), 400);
    await expectRefusedAndNothingStored(db, () => f.caller.request({ method: 'DELETE', url: '/api/v1/tokens/%00' }), 400);
  });
});

// SQL and HTML metacharacters are data: stored as sent, returned as sent in JSON, never interpreted.
const METACHARACTERS = [
  "'; drop table user; --",
  "Robert'); DELETE FROM entrance; --",
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"',
  "'",
  '\\',
  '\\u0000',
  '%00',
  '${7*7} {{7*7}}',
  'Zoë 😀 👩🏽‍💻 日本',
  '\u202Eevil.exe',
  'tab\there, line\nbreak',
];

interface TextField {
  name: string;
  /** Sends `value` in the field; the caller's own data only. */
  send(value: string): Promise<LightMyRequestResponse>;
  /** The value as stored, read back through the API and straight from the database. */
  readBack(response: LightMyRequestResponse): Promise<{ api: unknown; db: unknown }>;
}

describe.each(dialects)('metacharacters in text fields on %s', (dialect) => {
  let t: TestApp;
  let caller: Caller;
  let fields: TextField[];

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const db = t.ctx.storage.db;
    const owner = await setUpWorkspace(t);
    caller = await sessionOf(t, owner);
    const entrance = await insertEntrance(db, owner.workspaceId);
    const get = async (url: string) => (await caller.request({ method: 'GET', url })).json();
    fields = [
      {
        name: 'entrance label (create)',
        send: (v) => caller.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'webform', label: v } }),
        readBack: async (r) => ({
          api: (await get(`/api/v1/entrances/${r.json().id}`)).label,
          db: (await db.selectFrom('entrance').select('label').where('id', '=', r.json().id).executeTakeFirstOrThrow()).label,
        }),
      },
      {
        name: 'entrance label (change)',
        send: (v) => caller.request({ method: 'PATCH', url: `/api/v1/entrances/${entrance.id}`, payload: { label: v } }),
        readBack: async () => ({
          api: (await get(`/api/v1/entrances/${entrance.id}`)).label,
          db: (await db.selectFrom('entrance').select('label').where('id', '=', entrance.id).executeTakeFirstOrThrow()).label,
        }),
      },
      {
        name: 'account displayName',
        send: (v) => caller.request({ method: 'PATCH', url: '/api/v1/account', payload: { displayName: v } }),
        readBack: async () => ({
          api: (await get('/api/v1/account')).displayName,
          db: (await db.selectFrom('user').select('display_name').where('id', '=', owner.userId).executeTakeFirstOrThrow()).display_name,
        }),
      },
      {
        name: 'workspace name',
        send: (v) => caller.request({ method: 'PATCH', url: '/api/v1/workspace', payload: { name: v } }),
        readBack: async () => ({
          api: (await get('/api/v1/workspace')).name,
          db: (await db.selectFrom('workspace').select('name').where('id', '=', owner.workspaceId).executeTakeFirstOrThrow()).name,
        }),
      },
      {
        name: 'token name',
        send: (v) => caller.request({ method: 'POST', url: '/api/v1/tokens', payload: { name: v, scopes: ['read'] } }),
        readBack: async (r) => ({
          api: ((await get('/api/v1/tokens')).items as Array<{ id: string; name: string }>).find((x) => x.id === r.json().token.id)?.name,
          db: (await db.selectFrom('api_token').select('name').where('id', '=', r.json().token.id).executeTakeFirstOrThrow()).name,
        }),
      },
    ];
  });
  afterAll(async () => t?.dispose());

  it('free-text fields store metacharacters verbatim and return them verbatim as JSON data', async () => {
    for (const field of fields) {
      for (const meta of METACHARACTERS) {
        const value = `A ${meta} Z`;
        const res = await field.send(value);
        expect(res.statusCode, `${field.name} ${JSON.stringify(value)}: ${res.body}`).toBeLessThan(300);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        // The raw body is JSON text: "<" stays "<" inside a JSON string, never an HTML context.
        expect(res.body).toContain(JSON.stringify(value).slice(1, -1));
        expect(await field.readBack(res), field.name).toEqual({ api: value, db: value });
      }
    }
    // The injection attempts above were data: every table is still there.
    for (const table of ['user', 'entrance', 'workspace'] as const) {
      await expect(t.ctx.storage.db.selectFrom(table).select('id').execute()).resolves.toBeInstanceOf(Array);
    }
  });

  it('fields with a format (time zone, URL, handle, locale) refuse metacharacters with a problem and change nothing', async () => {
    const before = await snapshot(t.ctx.storage.db);
    for (const meta of METACHARACTERS) {
      const attempts = [
        caller.request({ method: 'PATCH', url: '/api/v1/workspace', payload: { timeZone: meta } }),
        caller.request({ method: 'PATCH', url: '/api/v1/workspace', payload: { locale: meta } }),
        caller.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: meta, label: 'x' } }),
        caller.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'email', label: 'x', publicUrl: `https://example.ch/ ${meta}` } }),
        caller.request({ method: 'POST', url: '/api/v1/tokens', payload: { name: 'x', scopes: [meta] } }),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.statusCode, res.body).toBe(400);
        problemOf(res);
      }
    }
    expect(await snapshot(t.ctx.storage.db)).toEqual(before);
  });
});

describe.each(dialects)('errors outside the routes on %s', (dialect) => {
  let t: TestApp;
  const logged: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
    t = await createTestApp(dialect, {}, {
      logger,
      beforeReady: (app) => {
        app.get('/api/v1/test-only/explodes', async () => {
          throw new Error('connection to 10.0.0.5 failed: password "hunter2" rejected');
        });
      },
    });
  });
  afterAll(async () => t?.dispose());

  it('an unknown route is a 404 problem', async () => {
    for (const url of ['/api/v1/nothing-here', '/api/v2/entrances', '/api/v1/entrances/x/y/z', '/nope']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(problemOf(res).code).toBe('not_found');
    }
  });

  it('a method the route does not take is a 404 or 405 problem', async () => {
    for (const [method, url] of [['PUT', '/api/v1/entrances'], ['DELETE', '/api/v1/workspace'], ['POST', '/api/v1/account'], ['PATCH', '/api/v1/session'], ['POST', '/healthz']] as const) {
      const res = await t.app.inject({ method, url, payload: {} });
      expect([404, 405], `${method} ${url}`).toContain(res.statusCode);
      expect(['not_found', 'method_not_allowed']).toContain(problemOf(res).code);
    }
  });

  it('a failure inside a route is a 500 problem that hides its details, which go to the log', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/test-only/explodes' });
    expect(res.statusCode).toBe(500);
    const p = problemOf(res);
    expect(p.code).toBe('internal');
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('10.0.0.5');
    expect(res.body).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    const entry = logged.find((l) => l.level === 50 && JSON.stringify(l).includes('hunter2'));
    expect(entry, 'the error is logged with its details').toBeDefined();
    // The request id quoted to the person is the one in the log line.
    expect(p.detail).toContain(String(entry!.reqId));
  });
});

describe.each(dialects)('empty changes on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => t?.dispose());

  it('a PATCH with an empty object changes nothing and answers with the current state', async () => {
    const owner = await setUpWorkspace(t);
    const me = await sessionOf(t, owner);
    const entrance = await insertEntrance(t.ctx.storage.db, owner.workspaceId);
    for (const url of ['/api/v1/account', '/api/v1/workspace', `/api/v1/entrances/${entrance.id}`]) {
      const before = await me.request({ method: 'GET', url });
      const res = await me.request({ method: 'PATCH', url, payload: {} });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
      expect(res.json(), url).toEqual(before.json());
    }
  });
});
