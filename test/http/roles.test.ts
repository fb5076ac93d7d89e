import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects } from '../support/databases.ts';
import { createTestApp, setUpWorkspace, type SignedIn, type TestApp } from '../support/app.ts';

const dialects = await availableDialects();

describe.each(dialects)('owner and assistant roles on %s', (dialect) => {
  let t: TestApp;
  let owner: SignedIn;
  let assistant: { cookie: string; csrf: string };

  const asAssistant = (method: string, url: string, payload?: object) =>
    t.app.inject({ method: method as 'GET', url, ...(payload ? { payload } : {}), headers: { cookie: assistant.cookie, 'x-csrf-token': assistant.csrf } });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    owner = await setUpWorkspace(t);
    const added = await owner.request({ method: 'POST', url: '/api/v1/users', payload: { email: 'assistant@example.ch', displayName: 'Marc', password: 'assistant password', role: 'assistant' } });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ role: 'assistant', displayName: 'Marc' });
    const signIn = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: 'assistant@example.ch', password: 'assistant password' } });
    expect(signIn.statusCode).toBe(200);
    assistant = { cookie: signIn.cookies.map((c) => `${c.name}=${c.value}`).join('; '), csrf: signIn.json().csrfToken };
  });
  afterAll(async () => t?.dispose());

  it('an assistant signs in to the owner\'s workspace and works in the inbox and on entrances', async () => {
    expect((await asAssistant('GET', '/api/v1/session')).json().workspace.id).toBe(owner.workspaceId);
    expect((await asAssistant('GET', '/api/v1/conversations?view=waiting')).statusCode).toBe(200);
    expect((await asAssistant('POST', '/api/v1/entrances', { kind: 'phone', label: 'Office phone' })).statusCode).toBe(201);
    expect((await asAssistant('GET', '/api/v1/users')).json().items.map((u: any) => u.role).sort()).toEqual(['assistant', 'owner']);
  });

  it('only an owner changes the workspace or adds people', async () => {
    const patch = await asAssistant('PATCH', '/api/v1/workspace', { name: 'Taken over' });
    expect(patch.statusCode).toBe(403);
    expect(patch.json().code).toBe('forbidden');
    expect((await asAssistant('POST', '/api/v1/users', { email: 'x@example.ch', displayName: 'X', password: 'another password', role: 'owner' })).statusCode).toBe(403);
    expect((await owner.request({ method: 'PATCH', url: '/api/v1/workspace', payload: { name: 'Atelier renamed' } })).statusCode).toBe(200);
  });

  it('an address is one account: adding it twice is a conflict', async () => {
    const again = await owner.request({ method: 'POST', url: '/api/v1/users', payload: { email: 'ASSISTANT@example.ch', displayName: 'Marc', password: 'assistant password', role: 'assistant' } });
    expect(again.statusCode).toBe(409);
    const weak = await owner.request({ method: 'POST', url: '/api/v1/users', payload: { email: 'new@example.ch', displayName: 'N', password: 'short', role: 'assistant' } });
    expect(weak.statusCode).toBe(400);
  });
});
