// Strict per-workspace isolation, proved on every route the API has: the routes come from the
// OpenAPI document (and the router, so a route hidden from the document cannot dodge the test),
// path parameters are filled with the other workspace's ids, and the other workspace's rows are
// compared before and after each request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Readable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { availableDialects } from '../support/databases.ts';
import { createTestApp, setUpWorkspace, type TestApp } from '../support/app.ts';
import type { Db } from '../../src/storage/database.ts';
import { insertContact, insertConversation, insertEntrance, insertMessage, problemOf, sessionOf, tokenOf, type Caller } from './fixtures.ts';
import { BlobStore } from '../../src/attachments/blob-store.ts';
import { refreshContactSuggestions } from '../../src/contacts/refresh-contact-suggestions.ts';

const dialects = await availableDialects();

/** Routes anyone may call. Everything else needs a session or a token. */
const PUBLIC_ROUTES = new Set(['GET /healthz', 'GET /readyz', 'GET /api/v1/setup/{token}', 'POST /api/v1/setup', 'POST /api/v1/session', 'POST /hooks/{entranceId}']);

/** Router paths that are API operations (the rest is the web app, the documentation viewer and the storefront pages). */
const IS_API = (path: string) => (path.startsWith('/api/') && !path.startsWith('/api/docs') && path !== '/api/v1/openapi.json') || path.startsWith('/hooks/') || path === '/healthz' || path === '/readyz';

/** Path parameters that do not name a workspace's row, and what to put in them. */
const NON_WORKSPACE_PARAMS: Record<string, Record<string, string>> = {
  '/api/v1/setup/{token}': { token: 'pst_not-a-real-setup-token' },
};

/** Body fields whose generic sample would not validate. */
const FIELD_SAMPLES: Record<string, unknown> = {
  timeZone: 'Europe/Zurich',
  handle: 'isolation-probe',
  email: 'nobody@example.invalid',
  password: 'a long enough password',
  currentPassword: 'a long enough password',
  newPassword: 'another long enough password',
};
const PATTERN_SAMPLES: Record<string, string> = { '^https?://\\S+$': 'https://example.com/probe', '^[a-z0-9][a-z0-9-]{0,30}$': 'probe' };

interface Operation {
  method: string;
  path: string;
  parameters: Array<{ in: string; name: string; required?: boolean; schema: JsonSchema }>;
  body: JsonSchema | null;
}
type JsonSchema = Record<string, unknown> & { type?: string; properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[] };

/** A refusal to guess: thrown when the test meets a parameter it cannot fill. */
class UnknownParameter extends Error {}

/** Ids of one workspace's rows, by the resource name in the path ("entrances") and by field name ("entranceId"). */
interface WorkspaceIds {
  byResource: Record<string, string | (() => Promise<string>)>;
  byField: Record<string, string | (() => Promise<string>)>;
}

function sampleOf(schema: JsonSchema, name: string, ids: { byField: Record<string, string> }): unknown {
  if (schema.$ref) throw new UnknownParameter(`body field "${name}" uses $ref ${String(schema.$ref)}; teach the isolation test to resolve it`);
  if (/(^id|Id)$/.test(name) && schema.type !== 'object' && schema.type !== 'array') {
    const id = ids.byField[name];
    if (id === undefined) throw new UnknownParameter(`body field "${name}" looks like an id; add it to byField in the isolation test`);
    return id;
  }
  if (name in FIELD_SAMPLES) return FIELD_SAMPLES[name];
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (schema.anyOf) {
    const errors: string[] = [];
    for (const branch of schema.anyOf) {
      try {
        return sampleOf(branch, name, ids);
      } catch (err) {
        if (!(err instanceof UnknownParameter) || /looks like an id|\$ref/.test(err.message)) throw err;
        errors.push(err.message);
      }
    }
    throw new UnknownParameter(`no branch of "${name}" could be sampled: ${errors.join('; ')}`);
  }
  switch (schema.type) {
    case 'object': {
      // Required fields only: optional ones often carry rules across fields (a connector config
      // valid for one kind of entrance only) that a generic sample cannot know.
      const required = new Set((schema.required as string[] | undefined) ?? []);
      return Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([k]) => required.has(k)).map(([k, s]) => [k, sampleOf(s, k, ids)]));
    }
    case 'array':
      return Array.from({ length: Math.max(Number(schema.minItems ?? 1), 1) }, () => sampleOf(schema.items!, name, ids));
    case 'string': {
      if (typeof schema.pattern === 'string') {
        const known = PATTERN_SAMPLES[schema.pattern];
        if (!known) throw new UnknownParameter(`"${name}" has pattern ${schema.pattern}; add a sample to the isolation test`);
        return known;
      }
      return 'x'.repeat(Math.max(Number(schema.minLength ?? 1), 1));
    }
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
  }
  throw new UnknownParameter(`cannot make a sample for "${name}" (${JSON.stringify(schema).slice(0, 120)})`);
}

/**
 * The request for `op` aimed at the rows in `ids`; throws when a parameter is unknown. Ids in the
 * query and body come from `fieldIds` (default: the same workspace), so a request can name A's row
 * in the path and B's in the body.
 */
async function requestFor(op: Operation, pathIds: WorkspaceIds, fieldIds: WorkspaceIds = pathIds): Promise<{ method: string; url: string; payload?: unknown }> {
  const ids = { byField: Object.fromEntries(await Promise.all(Object.entries(fieldIds.byField).map(async ([k, v]) => [k, typeof v === 'function' ? await v() : v] as const))) };
  let url = op.path;
  for (const p of op.parameters.filter((x) => x.in === 'path')) {
    const fixed = NON_WORKSPACE_PARAMS[op.path]?.[p.name];
    let value: string | undefined = fixed;
    if (value === undefined && p.name === 'id') {
      const resource = /\/([^/]+)\/\{id\}/.exec(op.path)?.[1];
      const provide = resource ? pathIds.byResource[resource] : undefined;
      if (provide !== undefined) value = typeof provide === 'function' ? await provide() : provide;
    } else if (value === undefined && /Id$/.test(p.name)) {
      const provide = pathIds.byField[p.name];
      value = typeof provide === 'function' ? await provide() : provide;
    }
    if (value === undefined) throw new UnknownParameter(`${op.method} ${op.path}: the isolation test does not know how to fill path parameter {${p.name}}; add it to byResource or NON_WORKSPACE_PARAMS`);
    url = url.replace(`{${p.name}}`, encodeURIComponent(value));
  }
  const query = new URLSearchParams();
  for (const p of op.parameters.filter((x) => x.in === 'query')) {
    if (/(^id|Id)$/.test(p.name)) {
      const id = ids.byField[p.name];
      if (id === undefined) throw new UnknownParameter(`${op.method} ${op.path}: query parameter ${p.name} looks like an id; add it to byField in the isolation test`);
      query.set(p.name, id);
    } else if (p.required) {
      query.set(p.name, String(sampleOf(p.schema, p.name, ids)));
    }
  }
  if (query.size) url += `?${query}`;
  return { method: op.method, url, ...(op.body ? { payload: sampleOf(op.body, 'body', ids) } : {}) };
}

function operationsOf(doc: { paths: Record<string, Record<string, { parameters?: Operation['parameters']; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>> }): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      parameters: op.parameters ?? [],
      body: op.requestBody?.content['application/json']?.schema ?? null,
    })),
  );
}

/** Every method and path the router knows, read from Fastify's route tree. */
function routerRoutes(tree: string): Array<{ method: string; path: string }> {
  const stack: string[] = [];
  const out: Array<{ method: string; path: string }> = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (.+) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    const path = stack.join('').replace(/^\/\//, '/');
    for (const method of m[3]!.split(', ')) out.push({ method, path });
  }
  return out;
}

type Answer = Pick<LightMyRequestResponse, 'headers' | 'statusCode' | 'body' | 'json'>;

/**
 * inject() that also copes with streaming routes (server-sent events never end): the body is read
 * to its end, or for an event stream for a moment, then the connection is dropped.
 */
async function send(t: TestApp, req: { method: string; url: string; payload?: unknown; headers?: Record<string, string>; remoteAddress?: string }): Promise<Answer> {
  const res = await t.app.inject({
    method: req.method as 'GET',
    url: req.url,
    ...(req.payload === undefined ? {} : { payload: req.payload as object }),
    ...(req.headers ? { headers: req.headers } : {}),
    ...(req.remoteAddress ? { remoteAddress: req.remoteAddress } : {}),
    payloadAsStream: true,
  });
  const stream = res.stream() as Readable;
  const streaming = String(res.headers['content-type'] ?? '').startsWith('text/event-stream');
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.destroy();
      if (streaming) resolve();
      else reject(new Error(`${req.method} ${req.url} did not finish its response within 5 s`));
    }, streaming ? 300 : 5000);
    stream.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
    stream.on('end', () => (clearTimeout(timer), resolve()));
    stream.on('error', (err) => (clearTimeout(timer), streaming ? resolve() : reject(err)));
  });
  const body = Buffer.concat(chunks).toString('utf8');
  return { statusCode: res.statusCode, headers: res.headers, body, json: () => JSON.parse(body) };
}

describe.each(dialects)('workspace isolation on %s', (dialect) => {
  let t: TestApp;
  let db: Db;
  let ops: Operation[];
  let a: { userId: string; workspaceId: string };
  let b: { userId: string; workspaceId: string };
  let bIds: WorkspaceIds;
  let aIds: WorkspaceIds;
  /** Strings only workspace B holds: none may appear in an answer to A. */
  let bSecrets: string[];

  beforeAll(async () => {
    t = await createTestApp(dialect);
    db = t.ctx.storage.db;
    const ownerA = await setUpWorkspace(t);
    const ownerB = await setUpWorkspace(t);
    a = ownerA;
    b = ownerB;

    const bEntrance = await insertEntrance(db, b.workspaceId, { label: 'B-only entrance label', kind: 'telegram' });
    const bEmpty = await insertEntrance(db, b.workspaceId, { label: 'B-only empty entrance' });
    const bContact = await insertContact(db, b.workspaceId, { display_name: 'B-only contact Zora' });
    await db.insertInto('identity').values({ id: `idn-${b.workspaceId}`, workspace_id: b.workspaceId, contact_id: bContact.id, kind: 'telegram', value: '@zora', value_normalized: 'zora', verified: 1, created_at: Date.now() }).execute();
    const bConversation = await insertConversation(db, { workspaceId: b.workspaceId, contactId: bContact.id, entranceId: bEntrance.id }, { subject: 'B-only subject' });
    const bMessage = await insertMessage(db, bConversation, { text: 'B-only message text', external_id: 'tg-1' });
    // An attachment row with its file on disk, as ingest stores one (the download route streams it).
    const attachmentOf = async (workspaceId: string, messageId: string, filename: string) => {
      const id = `att-${messageId}`;
      const { sha256, size } = await new BlobStore(t.ctx.config.dataDir).put(new TextEncoder().encode(`${filename} bytes`));
      await db.insertInto('attachment').values({ id, workspace_id: workspaceId, message_id: messageId, filename, content_type: 'application/pdf', size, sha256, content_id: null, disposition: 'attachment', created_at: Date.now() }).execute();
      return id;
    };
    const bAttachment = await attachmentOf(b.workspaceId, bMessage.id, 'B-only file.pdf');
    const bToken = await tokenOf(t, b);
    const template = async (workspaceId: string) => {
      const id = `tpl-${workspaceId}`;
      await db.insertInto('template').values({ id, workspace_id: workspaceId, name: 'Greeting', shortcut: 'hello', locale: 'en', body: 'Hello', created_at: Date.now(), updated_at: Date.now() }).execute();
      return id;
    };
    const bTemplate = await template(b.workspaceId);
    const bOtherContact = await insertContact(db, b.workspaceId, { display_name: 'B-only second contact' });
    const bMerge = `merge-${b.workspaceId}`;
    await db.insertInto('contact_merge').values({ id: bMerge, workspace_id: b.workspaceId, from_contact_id: bOtherContact.id, into_contact_id: bContact.id, moved: '{"identities":[],"conversations":[]}', actor_user_id: b.userId, created_at: Date.now(), undone_at: null }).execute();
    const bSuggestion = `sugg-${b.workspaceId}`;
    const [bLow, bHigh] = [bContact.id, bOtherContact.id].sort();
    await db.insertInto('contact_suggestion').values({ id: bSuggestion, workspace_id: b.workspaceId, contact_id: bLow!, other_contact_id: bHigh!, reasons: '[]', state: 'open', merge_id: null, decided_by_user_id: null, decided_at: null, created_at: Date.now(), updated_at: Date.now() }).execute();
    // Control requests may delete what they are aimed at: A's rows are made fresh for each one.
    let templates = 0;
    const freshTemplate = async () => {
      templates += 1;
      const id = `tpl-${a.workspaceId}-${templates}`;
      await db.insertInto('template').values({ id, workspace_id: a.workspaceId, name: 'Greeting', shortcut: `hello-${templates}`, locale: 'en', body: 'Hello', created_at: Date.now(), updated_at: Date.now() }).execute();
      return id;
    };
    const aCaller = await sessionOf(t, a);
    const freshAContact = async () => (await insertContact(db, a.workspaceId, { display_name: 'A fresh contact' })).id;
    const freshAMerge = async () => {
      const res = await aCaller.request({ method: 'POST', url: `/api/v1/contacts/${await freshAContact()}/merge`, payload: { fromContactId: await freshAContact() } });
      if (res.statusCode !== 201) throw new Error(`could not make a merge for the control request: ${res.body}`);
      return res.json().mergeId as string;
    };
    // A fresh pair of look-alikes with its suggestion; intoContactId names one of the pair, so that
    // confirming A's own suggestion is a request the route accepts. Each pair has its own name.
    let twins = 0;
    let aSuggestion = '';
    const freshATwins = async () => {
      twins += 1;
      const name = `Ada ${twins.toString(26).replace(/./g, (c) => String.fromCharCode(97 + parseInt(c, 26)))}twin`;
      const [x, y] = [await insertContact(db, a.workspaceId, { display_name: name }), await insertContact(db, a.workspaceId, { display_name: name })];
      for (const id of [x.id, y.id]) await refreshContactSuggestions(db, a.workspaceId, id);
      aSuggestion = (await db.selectFrom('contact_suggestion').select('id').where('contact_id', 'in', [x.id, y.id]).executeTakeFirstOrThrow()).id;
      return x.id;
    };

    const aEntrance = await insertEntrance(db, a.workspaceId, { label: 'A entrance' });
    const aContact = await insertContact(db, a.workspaceId, { display_name: 'A contact' });
    const aConversation = await insertConversation(db, { workspaceId: a.workspaceId, contactId: aContact.id, entranceId: aEntrance.id });
    // With an HTML part, so that routes about a message's HTML find one on A's own row.
    const aMessage = await insertMessage(db, aConversation, { text: 'A message', html: '<p>A message</p>' });
    const aAttachment = await attachmentOf(a.workspaceId, aMessage.id, 'A file.pdf');

    bIds = {
      // The entrance without conversations: a DELETE that slipped through would succeed, not 409.
      byResource: { entrances: bEmpty.id, conversations: bConversation.id, tokens: bToken.tokenId, contacts: bContact.id, templates: bTemplate, merges: bMerge, 'contact-suggestions': bSuggestion },
      byField: { entranceId: bEntrance.id, conversationId: bConversation.id, contactId: bContact.id, fromContactId: bOtherContact.id, intoContactId: bContact.id, messageId: bMessage.id, attachmentId: bAttachment },
    };
    aIds = {
      byResource: { entrances: aEntrance.id, conversations: aConversation.id, tokens: async () => (await tokenOf(t, a)).tokenId, contacts: aContact.id, templates: freshTemplate, merges: freshAMerge, 'contact-suggestions': async () => aSuggestion || (await freshATwins(), aSuggestion) },
      byField: { entranceId: aEntrance.id, conversationId: aConversation.id, contactId: aContact.id, fromContactId: freshAContact, intoContactId: freshATwins, messageId: aMessage.id, attachmentId: aAttachment },
    };
    bSecrets = [bSuggestion, bEntrance.id, bEmpty.id, bContact.id, bOtherContact.id, bConversation.id, bMessage.id, bAttachment, bToken.tokenId, bTemplate, bMerge, 'B-only', ownerB.handle, ownerB.email, b.workspaceId, b.userId];

    const doc = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    ops = operationsOf(doc);
  });
  afterAll(async () => t?.dispose());

  /** Every row of every table that holds B's data (found by its workspace_id column), in a stable order. */
  async function snapshotOfB(): Promise<Record<string, unknown[]>> {
    const tables = await db.introspection.getTables();
    const out: Record<string, unknown[]> = {};
    for (const table of tables) {
      const columns = table.columns.map((c) => c.name);
      if (table.name === 'workspace') {
        out.workspace = await db.selectFrom('workspace').selectAll().where('id', '=', b.workspaceId).execute();
      } else if (columns.includes('workspace_id')) {
        const order = columns.includes('id') ? 'id' : columns[0]!;
        const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table.name)} where workspace_id = ${b.workspaceId} order by ${sql.ref(order)}`.execute(db);
        out[table.name] = rows.rows;
      }
    }
    return out;
  }

  it('the OpenAPI document lists every API route the router has', () => {
    const documented = new Set(ops.map((o) => `${o.method} ${o.path}`));
    const routed = routerRoutes(t.app.printRoutes({ commonPrefix: false }));
    expect(routed.length).toBeGreaterThan(10);
    const missing = routed
      .filter((r) => r.method !== 'HEAD' && IS_API(r.path))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`)
      .filter((r) => !documented.has(r));
    expect(missing, 'routes hidden from the OpenAPI document escape this test; document them').toEqual([]);
    // The rows this test relies on are there to be found.
    expect(ops.map((o) => `${o.method} ${o.path}`)).toEqual(expect.arrayContaining(['GET /api/v1/entrances/{id}', 'DELETE /api/v1/tokens/{id}', 'GET /api/v1/conversations/{id}']));
  });

  it('every route can be aimed at the other workspace (no path parameter the test cannot fill)', async () => {
    for (const op of ops) await expect(requestFor(op, bIds), `${op.method} ${op.path}`).resolves.toBeDefined();
  });

  it('without a session or token every non-public route answers 401, whatever the body', async () => {
    const before = await snapshotOfB();
    for (const op of ops.filter((o) => !PUBLIC_ROUTES.has(`${o.method} ${o.path}`))) {
      const req = await requestFor(op, bIds);
      const variants: Array<{ payload?: unknown; headers?: Record<string, string> }> = [
        { payload: req.payload },
        {}, // no body at all
        { payload: '{ not json', headers: { 'content-type': 'application/json' } },
        { payload: { ...(req.payload as object), unexpected: true } },
        { payload: req.payload, headers: { cookie: 'portier_session=pss_forged', 'x-csrf-token': 'x' } },
      ];
      for (const v of variants) {
        const res = await send(t, { ...req, payload: v.payload, ...(v.headers ? { headers: v.headers } : {}) });
        expect(res.statusCode, `${op.method} ${op.path} ${JSON.stringify(v).slice(0, 80)}: ${res.body}`).toBe(401);
        expect(problemOf(res).code).toBe('unauthenticated');
      }
    }
    expect(await snapshotOfB()).toEqual(before);
  });

  it('public routes answer without a session', async () => {
    for (const route of PUBLIC_ROUTES) {
      const op = ops.find((o) => `${o.method} ${o.path}` === route);
      expect(op, `${route} is documented`).toBeDefined();
      const req = await requestFor(op!, bIds);
      const res = await send(t, { ...req, remoteAddress: '10.99.0.1' });
      expect(res.statusCode, `${route}: ${res.body}`).toBeLessThan(500);
      // Refusals here are about the input (wrong password, spent link), never "sign in first".
      if (res.statusCode >= 400) expect(problemOf(res).code, route).not.toBe('unauthenticated');
    }
  });

  const asA = {
    'a session cookie': () => sessionOf(t, a),
    'an API token': () => tokenOf(t, a),
  } satisfies Record<string, () => Promise<Caller>>;

  for (const [how, makeCaller] of Object.entries(asA)) {
    it(`workspace A with ${how} cannot read or change any of B's rows through any route`, async () => {
      const before = await snapshotOfB();
      const checked: string[] = [];
      for (const op of ops) {
        const req = await requestFor(op, bIds);
        // A fresh caller each time: DELETE /session or a password change must not end the sweep.
        const caller = await makeCaller();
        const res = await send(t, { ...req, headers: caller.headers, remoteAddress: '10.98.0.1' });
        const label = `${op.method} ${req.url} as A with ${how}: ${res.statusCode} ${res.body.slice(0, 300)}`;
        expect(res.statusCode, label).toBeLessThan(500);
        // An id the caller sent may be echoed back (the problem's `instance`); nothing else of B's.
        for (const secret of bSecrets.filter((s) => !req.url.includes(s))) expect(res.body, label).not.toContain(secret);
        expect(res.headers['set-cookie'] ?? '', label).not.toContain(b.workspaceId);

        if (op.parameters.some((p) => p.in === 'path') && !NON_WORKSPACE_PARAMS[op.path]) {
          const isPublic = PUBLIC_ROUTES.has(`${op.method} ${op.path}`);
          // A public route addressed by B's id (a webhook) refuses an unsigned delivery instead.
          expect(isPublic ? [401, 403, 404] : [403, 404], label).toContain(res.statusCode);
          problemOf(res);
          if (isPublic) {
            expect(await snapshotOfB(), label).toEqual(before);
            checked.push(`${op.method} ${op.path}`);
            continue;
          }
          // The same request aimed at A's own row succeeds (or conflicts): the 404 above is
          // isolation, not a body the route would refuse anyway.
          const own = await requestFor(op, aIds);
          const ownRes = await send(t, { ...own, headers: (await makeCaller()).headers, remoteAddress: '10.98.0.2' });
          expect(ownRes.statusCode, `${op.method} ${own.url} on A's own row: ${ownRes.body}`).toBeLessThan(500);
          expect([400, 401, 403, 404], `${op.method} ${own.url} on A's own row: ${ownRes.body}`).not.toContain(ownRes.statusCode);
        }
        expect(await snapshotOfB(), label).toEqual(before);
        checked.push(`${op.method} ${op.path}`);
      }
      expect(checked.length).toBe(ops.length);
    });
  }

  it("A's own row in the path with B's ids in the query or body changes nothing of B's", async () => {
    const before = await snapshotOfB();
    const mixed = ops.filter((op) => op.parameters.some((p) => p.in === 'path') && !PUBLIC_ROUTES.has(`${op.method} ${op.path}`) && !NON_WORKSPACE_PARAMS[op.path]);
    for (const op of mixed) {
      const req = await requestFor(op, aIds, bIds);
      const res = await send(t, { ...req, headers: (await sessionOf(t, a)).headers });
      const label = `${op.method} ${req.url} ${JSON.stringify(req.payload ?? null)}: ${res.statusCode} ${res.body.slice(0, 300)}`;
      expect(res.statusCode, label).toBeLessThan(500);
      for (const secret of bSecrets.filter((x) => !req.url.includes(x) && !JSON.stringify(req.payload ?? '').includes(x))) expect(res.body, label).not.toContain(secret);
      expect(await snapshotOfB(), label).toEqual(before);
    }
  });

  it("listing with B's entrance id as a filter shows A nothing of B's", async () => {
    const caller = await sessionOf(t, a);
    for (const view of ['waiting', 'open', 'snoozed', 'done']) {
      const res = await caller.request({ method: 'GET', url: `/api/v1/conversations?view=${view}&entranceId=${bIds.byField.entranceId}` });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ items: [], nextCursor: null });
    }
  });

  it("B's own owner still sees B's data (the fixtures are real)", async () => {
    const caller = await sessionOf(t, b);
    const res = await caller.request({ method: 'GET', url: `/api/v1/conversations/${bIds.byResource.conversations}` });
    expect(res.statusCode).toBe(200);
    expect(res.json().messages[0].text).toBe('B-only message text');
    expect((await caller.request({ method: 'GET', url: '/api/v1/entrances' })).json().items).toHaveLength(2);
  });
});
