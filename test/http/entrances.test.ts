import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects } from '../support/databases.ts';
import { createTestApp, setUpWorkspace, type TestApp } from '../support/app.ts';
import type { Db } from '../../src/storage/database.ts';
import { countRows, insertContact, insertConversation, insertEntrance, insertMessage, problemOf, sessionOf, tokenOf, type Caller } from './fixtures.ts';

const dialects = await availableDialects();

describe.each(dialects)('entrances on %s', (dialect) => {
  let t: TestApp;
  let db: Db;
  let owner: { userId: string; workspaceId: string };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    db = t.ctx.storage.db;
    owner = await setUpWorkspace(t);
  });
  afterAll(async () => t?.dispose());

  /** Each test works in its own workspace, so lists hold only what the test made. */
  async function freshOwner(): Promise<Caller & { workspaceId: string; userId: string }> {
    const ws = await setUpWorkspace(t);
    return { ...(await sessionOf(t, ws)), workspaceId: ws.workspaceId, userId: ws.userId };
  }

  it('an entrance is created with sensible defaults and listed in the order it was added', async () => {
    const me = await freshOwner();
    const first = await me.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'email', label: '  Courriel  ' } });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      kind: 'email',
      label: 'Courriel',
      publicUrl: null,
      showOnStorefront: false,
      responseTargetMinutes: 24 * 60,
      reviewIntervalDays: null,
      health: 'unknown',
      healthReason: null,
    });
    const second = await me.request({
      method: 'POST',
      url: '/api/v1/entrances',
      payload: { kind: 'linkedin', label: 'LinkedIn', publicUrl: 'https://www.linkedin.com/in/claire', showOnStorefront: true, responseTargetMinutes: 120, reviewIntervalDays: 90 },
    });
    expect(second.statusCode).toBe(201);
    expect(second.json()).toMatchObject({ kind: 'linkedin', publicUrl: 'https://www.linkedin.com/in/claire', showOnStorefront: true, responseTargetMinutes: 120, reviewIntervalDays: 90 });

    const list = await me.request({ method: 'GET', url: '/api/v1/entrances' });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((e: { id: string }) => e.id)).toEqual([first.json().id, second.json().id]);
    const one = await me.request({ method: 'GET', url: `/api/v1/entrances/${second.json().id}` });
    expect(one.json()).toEqual(second.json());

    const events = await db.selectFrom('event').select(['type', 'subject_id']).where('workspace_id', '=', me.workspaceId).where('type', '=', 'entrance.created').execute();
    expect(events.map((e) => e.subject_id).sort()).toEqual([first.json().id, second.json().id].sort());
  });

  it('a change touches only the fields sent, and null clears the optional ones', async () => {
    const me = await freshOwner();
    const created = (await me.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'webform', label: 'Site', publicUrl: 'https://example.ch/contact', reviewIntervalDays: 30 } })).json();
    const patched = await me.request({ method: 'PATCH', url: `/api/v1/entrances/${created.id}`, payload: { label: 'Formulaire', showOnStorefront: true } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toEqual({ ...created, label: 'Formulaire', showOnStorefront: true });

    const cleared = await me.request({ method: 'PATCH', url: `/api/v1/entrances/${created.id}`, payload: { publicUrl: null, reviewIntervalDays: null } });
    expect(cleared.json()).toMatchObject({ label: 'Formulaire', publicUrl: null, reviewIntervalDays: null, showOnStorefront: true });

    const nothing = await me.request({ method: 'PATCH', url: `/api/v1/entrances/${created.id}`, payload: {} });
    expect(nothing.statusCode).toBe(200);
    expect(nothing.json()).toEqual(cleared.json());
  });

  it('a public URL must be http(s): javascript: and data: links are refused', async () => {
    const me = await freshOwner();
    for (const publicUrl of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'ftp://example.ch', 'https://', 'https://exa mple.ch', '//example.ch']) {
      const res = await me.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'webform', label: 'Site', publicUrl } });
      expect(res.statusCode, publicUrl).toBe(400);
      expect(problemOf(res).errors?.[0]?.field).toBe('body.publicUrl');
    }
    expect(await db.selectFrom('entrance').select('id').where('workspace_id', '=', me.workspaceId).execute()).toEqual([]);
  });

  it('limits on the response target and review interval are enforced', async () => {
    const me = await freshOwner();
    for (const payload of [{ responseTargetMinutes: 4 }, { responseTargetMinutes: 60 * 24 * 30 + 1 }, { responseTargetMinutes: 10.5 }, { reviewIntervalDays: 731 }, { label: '' }, { label: 'x'.repeat(81) }]) {
      const res = await me.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'phone', label: 'Phone', ...payload } });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
    const ok = await me.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'phone', label: 'x'.repeat(80), responseTargetMinutes: 5, reviewIntervalDays: 730 } });
    expect(ok.statusCode).toBe(201);
  });

  it('an entrance without conversations is removed; then it is gone everywhere', async () => {
    const me = await freshOwner();
    const created = (await me.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'sms', label: 'SMS' } })).json();
    const removed = await me.request({ method: 'DELETE', url: `/api/v1/entrances/${created.id}` });
    expect(removed.statusCode).toBe(204);
    expect(removed.body).toBe('');
    expect((await me.request({ method: 'GET', url: `/api/v1/entrances/${created.id}` })).statusCode).toBe(404);
    expect((await me.request({ method: 'GET', url: '/api/v1/entrances' })).json().items).toEqual([]);
    expect((await me.request({ method: 'PATCH', url: `/api/v1/entrances/${created.id}`, payload: { label: 'x' } })).statusCode).toBe(404);
    const again = await me.request({ method: 'DELETE', url: `/api/v1/entrances/${created.id}` });
    expect(again.statusCode).toBe(404);
    expect(problemOf(again).code).toBe('not_found');
    const types = (await db.selectFrom('event').select('type').where('subject_id', '=', created.id).execute()).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['entrance.created', 'entrance.removed']));
  });

  it('an entrance with conversations cannot be removed (409), and nothing is lost', async () => {
    const me = await freshOwner();
    const entrance = await insertEntrance(db, me.workspaceId, { label: 'Instagram', kind: 'instagram' });
    const contact = await insertContact(db, me.workspaceId);
    const conversation = await insertConversation(db, { workspaceId: me.workspaceId, contactId: contact.id, entranceId: entrance.id });
    await insertMessage(db, conversation);
    const [conversationsBefore, messagesBefore] = [await countRows(db, 'conversation'), await countRows(db, 'message')];

    const res = await me.request({ method: 'DELETE', url: `/api/v1/entrances/${entrance.id}` });
    expect(res.statusCode).toBe(409);
    const p = problemOf(res);
    expect(p.code).toBe('conflict');
    expect(p.detail).toContain('1 conversation');
    expect((await me.request({ method: 'GET', url: `/api/v1/entrances/${entrance.id}` })).statusCode).toBe(200);
    expect([await countRows(db, 'conversation'), await countRows(db, 'message')]).toEqual([conversationsBefore, messagesBefore]);
  });

  it('an archived entrance is neither listed nor found', async () => {
    const me = await freshOwner();
    const archived = await insertEntrance(db, me.workspaceId, { archived_at: Date.now() });
    expect((await me.request({ method: 'GET', url: '/api/v1/entrances' })).json().items).toEqual([]);
    expect((await me.request({ method: 'GET', url: `/api/v1/entrances/${archived.id}` })).statusCode).toBe(404);
    expect((await me.request({ method: 'PATCH', url: `/api/v1/entrances/${archived.id}`, payload: { label: 'back' } })).statusCode).toBe(404);
  });

  it('an unknown id is a 404 problem for every verb', async () => {
    const me = await sessionOf(t, owner);
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await me.request({ method, url: '/api/v1/entrances/01890000-0000-7000-8000-000000000000', ...(method === 'PATCH' ? { payload: { label: 'x' } } : {}) });
      expect(res.statusCode, method).toBe(404);
      expect(problemOf(res).code).toBe('not_found');
    }
  });

  it('a read-only token lists entrances but cannot add, change or remove one', async () => {
    const reader = await tokenOf(t, owner, ['read']);
    const entrance = await insertEntrance(db, owner.workspaceId);
    expect((await reader.request({ method: 'GET', url: '/api/v1/entrances' })).statusCode).toBe(200);
    for (const req of [
      { method: 'POST', url: '/api/v1/entrances', payload: { kind: 'email', label: 'x' } },
      { method: 'PATCH', url: `/api/v1/entrances/${entrance.id}`, payload: { label: 'x' } },
      { method: 'DELETE', url: `/api/v1/entrances/${entrance.id}` },
    ]) {
      const res = await reader.request(req);
      expect(res.statusCode, req.method).toBe(403);
      expect(problemOf(res).code).toBe('forbidden');
    }
    expect((await db.selectFrom('entrance').select('label').where('id', '=', entrance.id).executeTakeFirstOrThrow()).label).toBe(entrance.label);
  });
});
