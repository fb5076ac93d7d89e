// E-mail HTML as a document for a sandboxed frame, and remote content per sender: the document's
// strict headers (its own CSP, with http(s) images only when allowed), the sanitiser run again on
// the way out, cid: images pointing at the message's own attachments, allow/revoke by owner and
// assistant with who and when recorded, and nothing of it reachable from another workspace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects } from '../support/databases.ts';
import { createTestApp, setUpWorkspace, type SignedIn, type TestApp } from '../support/app.ts';
import { newId } from '../../src/core/ids.ts';
import { sanitizeInboundHtml } from '../../src/core/sanitize.ts';
import type { Db } from '../../src/storage/database.ts';
import type { ConversationTable, MessageTable } from '../../src/storage/schema.ts';
import { insertContact, insertConversation, insertEntrance, insertMessage, problemOf, sessionOf, tokenOf, type Caller } from './fixtures.ts';

const dialects = await availableDialects();

const BLOCKED_CSP = "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'none'; frame-ancestors 'self'; base-uri 'none'";
const REMOTE_CSP = "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https: http:; form-action 'none'; frame-ancestors 'self'; base-uri 'none'";

/** As a mail arrives: the HTML sanitised at ingest. */
const MAIL_HTML = [
  '<p>Guten Tag, hier unser <b>Angebot</b>.</p>',
  '<img src="http://tracker.example/open/anna.gif" width="1" height="1" alt="">',
  '<img src="https://cdn.example/banner.png" alt="Banner">',
  '<img src="cid:logo@atelier.example" alt="Logo">',
  '<img src="cid:missing@atelier.example" alt="Missing part">',
  '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACwAAAAAAQABAAA=" alt="inline data">',
  '<a href="https://example.org/offer">Offer</a>',
].join('');

describe.each(dialects)('message HTML frame and remote content on %s', (dialect) => {
  let t: TestApp;
  let db: Db;
  let owner: SignedIn;
  let assistant: Caller & { userId: string };
  let stranger: SignedIn;
  let workspaceId: string;
  let annaMail: MessageTable; // remote images, cid images, from anna@example.org
  let annaLater: MessageTable; // another conversation, also from Anna
  let annaPlain: MessageTable; // HTML without remote content
  let annaText: MessageTable; // no HTML at all
  let bobMail: MessageTable; // remote images, from bob@example.org
  let phoneOnly: MessageTable; // remote images, sender known by phone only
  let legacy: MessageTable; // hostile HTML stored without sanitising
  let annaConversation: ConversationTable;
  let logoAttachmentId: string;

  async function identity(ws: string, contactId: string, kind: string, value: string, normalized: string): Promise<string> {
    const id = newId();
    await db.insertInto('identity').values({ id, workspace_id: ws, contact_id: contactId, kind, value, value_normalized: normalized, verified: 0, created_at: Date.now() }).execute();
    return id;
  }

  beforeAll(async () => {
    t = await createTestApp(dialect);
    db = t.ctx.storage.db;
    owner = await setUpWorkspace(t);
    workspaceId = owner.workspaceId;
    stranger = await setUpWorkspace(t);

    const added = await owner.request({ method: 'POST', url: '/api/v1/users', payload: { email: `assistant-${workspaceId}@example.ch`, displayName: 'Marc', password: 'assistant password', role: 'assistant' } });
    expect(added.statusCode, added.body).toBe(201);
    const assistantId = added.json().id as string;
    assistant = Object.assign(await sessionOf(t, { userId: assistantId, workspaceId }), { userId: assistantId });

    const email = await insertEntrance(db, workspaceId, { kind: 'email', label: 'E-mail' });
    const anna = await insertContact(db, workspaceId, { display_name: 'Anna Meier' });
    const bob = await insertContact(db, workspaceId, { display_name: 'Bob' });
    const annaIdentity = await identity(workspaceId, anna.id, 'email', 'Anna.Meier@Example.org', 'anna.meier@example.org');
    const bobIdentity = await identity(workspaceId, bob.id, 'email', 'bob@example.org', 'bob@example.org');
    const phoneIdentity = await identity(workspaceId, bob.id, 'phone', '+41 79 123 45 67', '+41791234567');
    annaConversation = await insertConversation(db, { workspaceId, contactId: anna.id, entranceId: email.id }, { subject: 'Angebot' });
    const annaSecond = await insertConversation(db, { workspaceId, contactId: anna.id, entranceId: email.id }, { subject: 'Noch eine Frage' });
    const bobConversation = await insertConversation(db, { workspaceId, contactId: bob.id, entranceId: email.id });
    const base = Date.now() - 60_000;
    annaMail = await insertMessage(db, annaConversation, { identity_id: annaIdentity, subject: 'Angebot <script>alert(1)</script>', html: sanitizeInboundHtml(MAIL_HTML), sent_at: base });
    annaPlain = await insertMessage(db, annaConversation, { identity_id: annaIdentity, html: sanitizeInboundHtml('<p>Nur Text, <i>kursiv</i>.</p>'), sent_at: base + 1 });
    annaText = await insertMessage(db, annaConversation, { identity_id: annaIdentity, text: 'Nur Text.', html: null, sent_at: base + 2 });
    annaLater = await insertMessage(db, annaSecond, { identity_id: annaIdentity, html: sanitizeInboundHtml('<p>Hi</p><img src="https://cdn.example/second.png">'), sent_at: base + 3 });
    bobMail = await insertMessage(db, bobConversation, { identity_id: bobIdentity, html: sanitizeInboundHtml('<img src="https://bob.example/pixel.gif">'), sent_at: base + 4 });
    phoneOnly = await insertMessage(db, bobConversation, { identity_id: phoneIdentity, html: sanitizeInboundHtml('<img src="https://bob.example/other.gif">'), sent_at: base + 5 });
    // A row written without the sanitiser (an older version, a bug, a hand-made import).
    legacy = await insertMessage(db, bobConversation, {
      identity_id: bobIdentity,
      html: '<p>Legacy</p><script>window.__pwned=1</script><img src="http://evil.example/x.gif" onerror="alert(1)"><iframe src="https://evil.example/"></iframe><a href="javascript:alert(1)">x</a><form action="https://evil.example/"><input name="p"></form><style>*{background:url(http://evil.example/bg.gif)}</style>',
      sent_at: base + 6,
    });

    // The inline image the HTML names by Content-ID, as attachment storage records it.
    logoAttachmentId = newId();
    const attachment = { workspace_id: workspaceId, message_id: annaMail.id, size: 42, created_at: Date.now() };
    await db.insertInto('attachment').values({ ...attachment, id: logoAttachmentId, filename: 'logo.png', content_type: 'image/png', sha256: 'a'.repeat(64), content_id: 'logo@atelier.example', disposition: 'inline' }).execute();
    await db.insertInto('attachment').values({ ...attachment, id: newId(), filename: 'offer.pdf', content_type: 'application/pdf', sha256: 'b'.repeat(64), content_id: null, disposition: 'attachment' }).execute();
  });
  afterAll(async () => t?.dispose());

  const htmlOf = (caller: { request: Caller['request'] }, id: string, query = '') => caller.request({ method: 'GET', url: `/api/v1/messages/${id}/html${query}` });
  const stateOf = async (conversationId: string) => {
    const res = await owner.request({ method: 'GET', url: `/api/v1/conversations/${conversationId}` });
    expect(res.statusCode, res.body).toBe(200);
    return Object.fromEntries((res.json().messages as Array<{ id: string; remoteContent: string; remoteContentSender: string | null }>).map((m) => [m.id, [m.remoteContent, m.remoteContentSender]]));
  };
  /** The <img> tags of a document, each as its attributes. */
  const imagesIn = (doc: string) =>
    [...doc.matchAll(/<img\b([^>]*)>/g)].map((m) => Object.fromEntries([...m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!.replace(/&amp;/g, '&')])));

  it('serves a complete document with its own strict CSP and private, no-store headers', async () => {
    const res = await htmlOf(owner, annaMail.id);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(BLOCKED_CSP);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('private, no-store');
    // The app's default frame-ancestors 'none' would refuse the web app itself; same origin only.
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    const doc = res.body;
    expect(doc.startsWith('<!doctype html>')).toBe(true);
    expect(doc).toContain('<base target="_blank">');
    expect(doc).toContain('<meta name="color-scheme" content="light dark">');
    expect(doc).toMatch(/<style>[^<]*img \{ max-width: 100%; height: auto; \}/);
    // The subject is the document's title, as text.
    expect(doc).toContain('<title>Angebot &lt;script&gt;alert(1)&lt;/script&gt;</title>');
    expect(doc).toContain('<p>Guten Tag, hier unser <b>Angebot</b>.</p>');
    expect(doc).toContain('<a href="https://example.org/offer" rel="noopener noreferrer nofollow" target="_blank">Offer</a>');
  });

  it('keeps remote images blocked, points cid: images at the attachment, leaves only the description of unknown parts', async () => {
    const doc = (await htmlOf(owner, annaMail.id)).body;
    expect(doc).toContain('<span>Missing part</span>');
    const images = imagesIn(doc);
    expect(images).toEqual([
      { width: '1', height: '1', alt: '', 'data-remote-src': 'http://tracker.example/open/anna.gif' },
      { alt: 'Banner', 'data-remote-src': 'https://cdn.example/banner.png' },
      { alt: 'Logo', src: `/api/v1/messages/${annaMail.id}/attachments/${logoAttachmentId}?inline=1` },
      { alt: 'inline data', src: 'data:image/gif;base64,R0lGODlhAQABAAAAACwAAAAAAQABAAA=' },
    ]);
  });

  it('loads remote images for one view with ?remote=1, without remembering anything', async () => {
    const once = await htmlOf(owner, annaMail.id, '?remote=1');
    expect(once.statusCode).toBe(200);
    expect(once.headers['content-security-policy']).toBe(REMOTE_CSP);
    expect(imagesIn(once.body).slice(0, 2)).toEqual([
      { width: '1', height: '1', alt: '', src: 'http://tracker.example/open/anna.gif' },
      { alt: 'Banner', src: 'https://cdn.example/banner.png' },
    ]);
    const again = await htmlOf(owner, annaMail.id);
    expect(again.headers['content-security-policy']).toBe(BLOCKED_CSP);
    expect(again.body).not.toMatch(/\ssrc="https?:/);
    expect((await stateOf(annaConversation.id))[annaMail.id]).toEqual(['blocked', 'anna.meier@example.org']);
    expect((await htmlOf(owner, annaMail.id, '?remote=yes')).statusCode).toBe(400);
  });

  it('tells the web app which messages have remote content, and from which sender', async () => {
    expect(await stateOf(annaConversation.id)).toEqual({
      [annaMail.id]: ['blocked', 'anna.meier@example.org'],
      [annaPlain.id]: ['none', null],
      [annaText.id]: ['none', null],
    });
  });

  it('an assistant allows remote content for the sender: all of their mail loads it, other senders stay blocked, and who and when is kept', async () => {
    const before = Date.now();
    const res = await assistant.request({ method: 'PUT', url: `/api/v1/messages/${annaMail.id}/remote-content` });
    expect(res.statusCode, res.body).toBe(200);
    const permission = res.json();
    expect(permission).toEqual({ sender: 'anna.meier@example.org', allowedAt: expect.any(Number), allowedByUserId: assistant.userId });
    expect(permission.allowedAt).toBeGreaterThanOrEqual(before);

    const allowed = await htmlOf(owner, annaMail.id);
    expect(allowed.headers['content-security-policy']).toBe(REMOTE_CSP);
    expect(imagesIn(allowed.body)[0]).toEqual({ width: '1', height: '1', alt: '', src: 'http://tracker.example/open/anna.gif' });
    // Her mail in another conversation too; Bob's does not.
    const later = await htmlOf(owner, annaLater.id);
    expect(later.headers['content-security-policy']).toBe(REMOTE_CSP);
    expect(imagesIn(later.body)).toEqual([{ src: 'https://cdn.example/second.png' }]);
    const bob = await htmlOf(owner, bobMail.id);
    expect(bob.headers['content-security-policy']).toBe(BLOCKED_CSP);
    expect(imagesIn(bob.body)).toEqual([{ 'data-remote-src': 'https://bob.example/pixel.gif' }]);
    expect((await stateOf(annaConversation.id))[annaMail.id]).toEqual(['allowed', 'anna.meier@example.org']);

    // Allowing again keeps the first record.
    await new Promise((r) => setTimeout(r, 5));
    const again = await owner.request({ method: 'PUT', url: `/api/v1/messages/${annaLater.id}/remote-content` });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(permission);
    const rows = await db.selectFrom('remote_content_permission').selectAll().where('workspace_id', '=', workspaceId).execute();
    expect(rows).toEqual([{ workspace_id: workspaceId, address_normalized: 'anna.meier@example.org', allowed_by_user_id: assistant.userId, allowed_at: permission.allowedAt }]);
    const events = await db.selectFrom('event').select(['type', 'actor_user_id', 'subject_id', 'data']).where('workspace_id', '=', workspaceId).where('type', 'like', 'remote_content.%').execute();
    expect(events).toEqual([{ type: 'remote_content.allowed', actor_user_id: assistant.userId, subject_id: annaMail.id, data: JSON.stringify({ sender: 'anna.meier@example.org' }) }]);
  });

  it('the owner blocks the sender again: the documents go back to blocked; revoking twice is harmless', async () => {
    const res = await owner.request({ method: 'DELETE', url: `/api/v1/messages/${annaLater.id}/remote-content` });
    expect(res.statusCode, res.body).toBe(204);
    for (const id of [annaMail.id, annaLater.id]) {
      const doc = await htmlOf(owner, id);
      expect(doc.headers['content-security-policy']).toBe(BLOCKED_CSP);
      expect(doc.body).not.toMatch(/\ssrc="https?:/);
    }
    expect((await stateOf(annaConversation.id))[annaMail.id]).toEqual(['blocked', 'anna.meier@example.org']);
    expect((await owner.request({ method: 'DELETE', url: `/api/v1/messages/${annaMail.id}/remote-content` })).statusCode).toBe(204);
    const events = await db.selectFrom('event').select(['type', 'actor_user_id']).where('workspace_id', '=', workspaceId).where('type', '=', 'remote_content.revoked').execute();
    expect(events).toEqual([{ type: 'remote_content.revoked', actor_user_id: owner.userId }]);
  });

  it('sanitises stored HTML again on the way out', async () => {
    const res = await htmlOf(owner, legacy.id, '?remote=1');
    expect(res.statusCode).toBe(200);
    const body = res.body.slice(res.body.indexOf('<body>'));
    expect(body).toContain('<p>Legacy</p>');
    expect(body).not.toMatch(/<script|onerror|<iframe|javascript:|<form|<input|<style|evil\.example\/bg|evil\.example\/"/i);
    // Its remote image is remote content like any other: here loaded once, as asked.
    expect(imagesIn(res.body)).toEqual([{ src: 'http://evil.example/x.gif' }]);
  });

  it('another workspace gets 404 for the document and for allow/revoke, and its permissions are its own', async () => {
    for (const [method, url] of [
      ['GET', `/api/v1/messages/${annaMail.id}/html`],
      ['GET', `/api/v1/messages/${annaMail.id}/html?remote=1`],
      ['PUT', `/api/v1/messages/${annaMail.id}/remote-content`],
      ['DELETE', `/api/v1/messages/${annaMail.id}/remote-content`],
    ] as const) {
      const res = await stranger.request({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(problemOf(res).code).toBe('not_found');
      expect(res.body).not.toContain('Guten Tag');
    }
    expect(await db.selectFrom('remote_content_permission').selectAll().where('workspace_id', '=', stranger.workspaceId).execute()).toEqual([]);

    // The stranger allows the same address for mail of their own: Anna stays blocked here.
    const theirEntrance = await insertEntrance(db, stranger.workspaceId);
    const theirContact = await insertContact(db, stranger.workspaceId);
    const theirIdentity = await identity(stranger.workspaceId, theirContact.id, 'email', 'anna.meier@example.org', 'anna.meier@example.org');
    const theirConversation = await insertConversation(db, { workspaceId: stranger.workspaceId, contactId: theirContact.id, entranceId: theirEntrance.id });
    const theirMessage = await insertMessage(db, theirConversation, { identity_id: theirIdentity, html: sanitizeInboundHtml('<img src="https://cdn.example/x.png">') });
    expect((await stranger.request({ method: 'PUT', url: `/api/v1/messages/${theirMessage.id}/remote-content` })).statusCode).toBe(200);
    expect((await htmlOf(stranger, theirMessage.id)).headers['content-security-policy']).toBe(REMOTE_CSP);
    expect((await htmlOf(owner, annaMail.id)).headers['content-security-policy']).toBe(BLOCKED_CSP);
    expect((await stateOf(annaConversation.id))[annaMail.id]).toEqual(['blocked', 'anna.meier@example.org']);
  });

  it('needs a sign-in; a read-only token may read the document but not allow; a session needs its CSRF token', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: `/api/v1/messages/${annaMail.id}/html` });
    expect(anonymous.statusCode).toBe(401);
    expect(problemOf(anonymous).code).toBe('unauthenticated');
    expect((await t.app.inject({ method: 'PUT', url: `/api/v1/messages/${annaMail.id}/remote-content` })).statusCode).toBe(401);

    const reader = await tokenOf(t, owner, ['read']);
    expect((await htmlOf(reader, annaMail.id)).statusCode).toBe(200);
    const refused = await reader.request({ method: 'PUT', url: `/api/v1/messages/${annaMail.id}/remote-content` });
    expect(refused.statusCode).toBe(403);
    expect(problemOf(refused).code).toBe('forbidden');

    const noCsrf = await t.app.inject({ method: 'PUT', url: `/api/v1/messages/${annaMail.id}/remote-content`, headers: { cookie: owner.cookie } });
    expect(noCsrf.statusCode).toBe(403);
    expect(problemOf(noCsrf).code).toBe('csrf_failed');
    expect(await db.selectFrom('remote_content_permission').selectAll().where('workspace_id', '=', workspaceId).execute()).toEqual([]);
  });

  it('says why when there is nothing to show or no sender to allow', async () => {
    const noHtml = await htmlOf(owner, annaText.id);
    expect(noHtml.statusCode).toBe(404);
    expect(problemOf(noHtml).detail).toMatch(/no HTML part/);
    const unknown = await htmlOf(owner, 'no-such-message');
    expect(unknown.statusCode).toBe(404);
    expect(problemOf(unknown).detail).toMatch(/No such message/);
    expect((await htmlOf(owner, 'x'.repeat(65))).statusCode).toBe(400);

    const noAddress = await owner.request({ method: 'PUT', url: `/api/v1/messages/${phoneOnly.id}/remote-content` });
    expect(noAddress.statusCode).toBe(409);
    expect(problemOf(noAddress).detail).toMatch(/no sender e-mail address.*load it once/);
    // It still says it has remote content, and can be loaded once.
    expect((await htmlOf(owner, phoneOnly.id, '?remote=1')).headers['content-security-policy']).toBe(REMOTE_CSP);
  });

  it("the web app's own CSP may frame Portier's pages, and nothing else may frame the web app", async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("frame-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(Object.keys(doc.paths['/api/v1/messages/{messageId}/html'])).toEqual(['get']);
    expect(doc.paths['/api/v1/messages/{messageId}/html'].get.responses['200'].content).toHaveProperty('text/html');
    expect(Object.keys(doc.paths['/api/v1/messages/{messageId}/remote-content']).sort()).toEqual(['delete', 'put']);
  });
});
