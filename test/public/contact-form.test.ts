import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects } from '../support/databases.ts';
import { createTestApp, setUpWorkspace, type SignedIn, type TestApp } from '../support/app.ts';
import { signedDelivery } from '../support/webhooks.ts';
import { encodeForm, hiddenValue, postForm, preparedForm, solveFor, visitorIp } from './support.ts';

const dialects = await availableDialects();

describe.each(dialects)('public contact form on %s', (dialect) => {
  let t: TestApp;
  let owner: SignedIn;
  let linkedinId: string;
  let formUrl: string;

  const count = async (table: 'message' | 'contact' | 'entrance') => Number((await t.ctx.storage.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', owner.workspaceId).executeTakeFirstOrThrow()).n);

  /** A complete, valid submission with a solved ALTCHA, as the page's script sends it. */
  async function solvedSubmission(ip: string, fields: Record<string, string> = {}) {
    const form = preparedForm(t, owner.workspaceId);
    const altcha = await solveFor(t, owner.handle, form.submission, ip);
    return { ...form, name: 'Anna Meier', email: 'anna.meier@example.ch', phone: '', message: 'Bonjour, je cherche une formation en communication pour mon équipe.', preferred: 'email', heard: '', recommendedBy: '', website: '', altcha, ...fields };
  }

  beforeAll(async () => {
    t = await createTestApp(dialect);
    owner = await setUpWorkspace(t);
    formUrl = `/@${owner.handle}/contact`;
    const res = await owner.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'linkedin', label: 'LinkedIn', publicUrl: 'https://www.linkedin.com/in/example' } });
    expect(res.statusCode).toBe(201);
    linkedinId = res.json().id;
  });
  afterAll(async () => t?.dispose());

  it('renders the form in the workspace language, with options built from its entrances', async () => {
    const res = await t.app.inject({ method: 'GET', url: formUrl });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const page = res.body;
    expect(page).toContain('<html lang="fr"');
    expect(page).toContain('Votre nom');
    expect(page).toContain(`<option value="entrance:${linkedinId}">LinkedIn</option>`);
    expect(page).toContain('Sur recommandation');
    expect(page).toMatch(/name="submission" value="[A-Za-z0-9_-]{22}"/);
    expect(page).toContain('href="?lang=de"'.replace('?', `${formUrl}?`));
    // No inline script or style: the policy allows only our own files.
    expect(page).not.toMatch(/<script>|<style|style="/);
    // No webform entrance yet: the page works without one.
    expect(await t.ctx.storage.db.selectFrom('entrance').select('id').where('workspace_id', '=', owner.workspaceId).where('kind', '=', 'webform').execute()).toHaveLength(0);
  });

  it('chooses ?lang=, then Accept-Language, then the workspace locale, among the workspace languages', async () => {
    const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers }).then((r) => r.body);
    expect(await get(`${formUrl}?lang=de`)).toContain('<html lang="de"');
    expect(await get(formUrl, { 'accept-language': 'en-GB,en;q=0.9,fr;q=0.5' })).toContain('<html lang="en"');
    // Italian is not one of this workspace's languages (yet): the locale wins.
    expect(await get(`${formUrl}?lang=it`, { 'accept-language': 'it-CH' })).toContain('<html lang="fr"');
    await t.ctx.storage.db.updateTable('workspace').set({ languages: JSON.stringify(['fr', 'de', 'it', 'en']) }).where('id', '=', owner.workspaceId).execute();
    const it = await get(`${formUrl}?lang=it`);
    expect(it).toContain('<html lang="it"');
    expect(it).toContain('Il vostro nome');
    expect(it).toContain('Come mi avete conosciuto?');
    const de = await get(formUrl, { 'accept-language': 'de-CH,de;q=0.9' });
    expect(de).toContain('Ihr Name');
    expect(de).toContain('Wie möchten Sie meine Antwort erhalten?');
    const en = await get(`${formUrl}?lang=en`);
    expect(en).toContain('How did you hear about me?');
    expect(en).toContain('aria-current="true">English</a>');
  });

  it('answers an unknown handle with a 404 page in the visitor\'s language', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/@nobody-here/contact', headers: { 'accept-language': 'de' } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<html lang="de"');
    expect(res.body).toContain('Seite nicht gefunden');
    expect((await postForm(t, '/@nobody-here/contact', 'name=x', visitorIp())).statusCode).toBe(404);
  });

  it('stores a valid submission, redirects to the thanks page, and shows it in Waiting for me', async () => {
    const ip = visitorIp();
    const fields = await solvedSubmission(ip, { heard: 'recommended', recommendedBy: 'Marc Favre', preferred: 'phone', phone: '079 123 45 67' });
    const res = await postForm(t, `${formUrl}?lang=de`, encodeForm(fields), ip);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`${formUrl}/thanks?lang=de`);

    const thanks = await t.app.inject({ method: 'GET', url: res.headers.location as string });
    expect(thanks.statusCode).toBe(200);
    expect(thanks.body).toContain('<html lang="de"');
    expect(thanks.body).toContain('Vielen Dank!');
    expect(thanks.body).toContain('Claire Dubois antwortet in der Regel innerhalb von 24 Stunden.');

    const inbox = (await owner.request({ method: 'GET', url: '/api/v1/conversations?view=waiting' })).json();
    const item = inbox.items.find((i: { contact: { displayName: string } }) => i.contact.displayName === 'Anna Meier');
    expect(item).toMatchObject({ entrance: { kind: 'webform', label: 'Formulaire de contact' }, preview: fields.message });
    const detail = (await owner.request({ method: 'GET', url: `/api/v1/conversations/${item.id}` })).json();
    expect(detail.messages[0]).toMatchObject({ direction: 'inbound', text: fields.message, preferredReply: 'phone', referral: 'Recommandation : Marc Favre' });

    const contact = await t.ctx.storage.db.selectFrom('contact').selectAll().where('id', '=', item.contact.id).executeTakeFirstOrThrow();
    expect(contact.referred_by_text).toBe('Recommandation : Marc Favre');
    const identities = await t.ctx.storage.db.selectFrom('identity').select(['kind', 'value_normalized', 'verified']).where('contact_id', '=', contact.id).orderBy('kind').execute();
    expect(identities).toEqual([{ kind: 'email', value_normalized: 'anna.meier@example.ch', verified: 0 }, { kind: 'phone', value_normalized: '+41791234567', verified: 0 }]);
    const message = await t.ctx.storage.db.selectFrom('message').select('external_id').where('conversation_id', '=', item.id).executeTakeFirstOrThrow();
    expect(message.external_id).toBe(`form:${fields.submission}`);
  });

  it('stores one message when the same submission is posted twice (double click, re-POST)', async () => {
    const ip = visitorIp();
    const before = await count('message');
    const body = encodeForm(await solvedSubmission(ip, { email: 'twice@example.ch', name: 'Double Klick' }));
    const [a, b] = await Promise.all([postForm(t, formUrl, body, ip), postForm(t, formUrl, body, ip)]);
    const c = await postForm(t, formUrl, body, ip);
    expect([a.statusCode, b.statusCode, c.statusCode]).toEqual([303, 303, 303]);
    expect(await count('message')).toBe(before + 1);
  });

  it('creates one webform entrance when the first submissions arrive together', async () => {
    const other = await setUpWorkspace(t);
    const submit = async (i: number) => {
      const ip = visitorIp();
      const form = preparedForm(t, other.workspaceId);
      const altcha = await solveFor(t, other.handle, form.submission, ip);
      return postForm(t, `/@${other.handle}/contact`, encodeForm({ ...form, altcha, name: `Person ${i}`, email: `p${i}@example.ch`, message: 'Bonjour' }), ip);
    };
    const results = await Promise.all([0, 1, 2, 3].map(submit));
    expect(results.map((r) => r.statusCode)).toEqual([303, 303, 303, 303]);
    const entrances = await t.ctx.storage.db.selectFrom('entrance').select(['id', 'label']).where('workspace_id', '=', other.workspaceId).where('kind', '=', 'webform').execute();
    expect(entrances).toHaveLength(1);
    const messages = await t.ctx.storage.db.selectFrom('message').select('entrance_id').where('workspace_id', '=', other.workspaceId).execute();
    expect(messages).toHaveLength(4);
    expect(new Set(messages.map((m) => m.entrance_id))).toEqual(new Set([entrances[0]!.id]));
  });

  it('shows the confirmation to a robot that fills the honeypot, and stores nothing', async () => {
    const ip = visitorIp();
    const before = await count('message');
    const res = await postForm(t, formUrl, encodeForm(await solvedSubmission(ip, { website: 'https://spam.example' })), ip);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/\/thanks\?lang=fr$/);
    expect(await count('message')).toBe(before);
  });

  it('asks a visitor who sends within 3 seconds to take a moment, keeping the input, and stores nothing', async () => {
    const ip = visitorIp();
    const before = await count('message');
    const page = (await t.app.inject({ method: 'GET', url: formUrl, remoteAddress: ip })).body;
    const submission = hiddenValue(page, 'submission');
    const issued = hiddenValue(page, 'issued');
    const res = await postForm(t, formUrl, encodeForm({ submission, issued, name: 'Schnell', email: 'fast@example.ch', message: 'Sehr schnell geschrieben' }), ip);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Prenez un instant');
    expect(res.body).toContain('value="Schnell"');
    expect(res.body).toContain('>Sehr schnell geschrieben</textarea>');
    // The same form stays valid a moment later.
    expect(hiddenValue(res.body, 'submission')).toBe(submission);
    expect(hiddenValue(res.body, 'issued')).toBe(issued);
    expect(await count('message')).toBe(before);
  });

  it('re-issues a form whose stamp is forged or missing, and stores nothing', async () => {
    const ip = visitorIp();
    const before = await count('message');
    const res = await postForm(t, formUrl, encodeForm({ submission: 'abcdefghijklmnopqrstuv', issued: `${Date.now() - 60_000}.${'A'.repeat(43)}`, name: 'Bot', email: 'bot@example.ch', message: 'Spam' }), ip);
    expect(res.statusCode).toBe(400);
    expect(hiddenValue(res.body, 'submission')).not.toBe('abcdefghijklmnopqrstuv');
    expect(await count('message')).toBe(before);
  });

  it('refuses a wrong or replayed ALTCHA solution and stores nothing', async () => {
    const ip = visitorIp();
    const before = await count('message');
    const good = await solvedSubmission(ip, { email: 'replay@example.ch' });

    const payload = JSON.parse(Buffer.from(good.altcha, 'base64').toString());
    payload.solution.derivedKey = payload.solution.derivedKey.replace(/^./, (c: string) => (c === '0' ? '1' : '0'));
    const tampered = await postForm(t, formUrl, encodeForm({ ...good, altcha: Buffer.from(JSON.stringify(payload)).toString('base64') }), ip);
    expect(tampered.statusCode).toBe(400);
    expect(tampered.body).toContain('La vérification automatique anti-spam n’a pas abouti');
    const garbage = await postForm(t, formUrl, encodeForm({ ...good, altcha: 'not base64 json' }), ip);
    expect(garbage.statusCode).toBe(400);
    expect(await count('message')).toBe(before);

    // The solution is accepted once, for its own submission; with another submission token it is a replay.
    expect((await postForm(t, formUrl, encodeForm(good), ip)).statusCode).toBe(303);
    const other = preparedForm(t, owner.workspaceId);
    const replayed = await postForm(t, formUrl, encodeForm({ ...good, ...other, message: 'Encore un message' }), visitorIp());
    expect(replayed.statusCode).toBe(400);
    expect(await count('message')).toBe(before + 1);
  });

  it('accepts a few submissions without JavaScript, then asks to turn it on, keeping the input', async () => {
    const ip = visitorIp();
    const before = await count('message');
    const noScript = (i: number) => encodeForm({ ...preparedForm(t, owner.workspaceId), name: `Sans Script ${i}`, email: `noscript${i}@example.ch`, message: `Message ${i} sans JavaScript` });
    expect((await postForm(t, formUrl, noScript(1), ip)).statusCode).toBe(303);
    expect((await postForm(t, formUrl, noScript(2), ip)).statusCode).toBe(303);
    const third = await postForm(t, formUrl, noScript(3), ip);
    expect(third.statusCode).toBe(429);
    expect(third.body).toContain('activer JavaScript');
    expect(third.body).toContain('>Message 3 sans JavaScript</textarea>');
    expect(await count('message')).toBe(before + 2);
  });

  it('limits submissions per address: the sixth within ten minutes gets a 429 page in the visitor\'s language', async () => {
    const ip = visitorIp();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await postForm(t, `${formUrl}?lang=de`, encodeForm({ name: '' }), ip)).statusCode);
    expect(statuses.slice(0, 5).every((s) => s === 400)).toBe(true);
    const res = await postForm(t, `${formUrl}?lang=de`, encodeForm({ name: '' }), ip);
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.body).toContain('<html lang="de"');
    expect(res.body).toContain('Zu viele Nachrichten');
  });

  it('lists errors at the top, linked to their fields, and never reflects hostile input unescaped', async () => {
    const ip = visitorIp();
    const before = await count('message');
    const res = await postForm(t, formUrl, encodeForm({ ...preparedForm(t, owner.workspaceId), name: '<script>alert(1)</script>', email: '"><img src=x onerror=alert(1)>', phone: '', message: '   \r\n\t  ', heard: '"><svg onload=alert(1)>', recommendedBy: 'x'.repeat(201) }), ip);
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('<script>alert');
    expect(res.body).not.toMatch(/<img src=x|<svg onload/);
    expect(res.body).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(res.body).toMatch(/<div class="error-summary" id="error-summary" role="alert"/);
    expect(res.body).toContain('<a href="#f-email">Cette adresse e-mail semble incomplète');
    expect(res.body).toContain('<a href="#f-message">Veuillez écrire votre message.</a>');
    expect(res.body).toContain('<a href="#f-heard">');
    expect(res.body).toContain('<a href="#f-recommendedBy">');
    expect(res.body).toMatch(/id="f-message"[^>]*aria-describedby="f-message-error f-message-hint" aria-invalid="true"/);
    expect(res.body).toContain('<p class="field-error" id="f-message-error">');

    const tooLong = await postForm(t, formUrl, encodeForm({ ...preparedForm(t, owner.workspaceId), name: 'N'.repeat(201), email: 'long@example.ch', message: 'm'.repeat(5_001) }), ip);
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body).toContain('Votre message compte 5'); // "5 001" with the locale's grouping
    expect(tooLong.body).toContain('200 caractères au maximum');

    const nothing = await postForm(t, formUrl, '', ip);
    expect(nothing.statusCode).toBe(400);
    expect(await count('message')).toBe(before);
  });

  it('refuses bodies that are not UTF-8, contain NUL, are too large or not a form, and stores nothing', async () => {
    const before = await count('message');
    const ip = () => visitorIp();
    const base = encodeForm({ ...preparedForm(t, owner.workspaceId), name: 'Ok', email: 'ok@example.ch' });
    const rawInvalid = Buffer.concat([Buffer.from(`${base}&message=caf`), Buffer.from([0xe9, 0xff])]);
    const r1 = await postForm(t, formUrl, rawInvalid, ip());
    expect(r1.statusCode).toBe(400);
    expect(r1.headers['content-type']).toMatch(/^text\/html/);
    expect((await postForm(t, formUrl, `${base}&message=caf%E9`, ip())).statusCode).toBe(400);
    expect((await postForm(t, formUrl, `${base}&message=a%00b`, ip())).statusCode).toBe(400);
    const big = await postForm(t, formUrl, `${base}&message=${'x'.repeat(70_000)}`, ip());
    expect(big.statusCode).toBe(413);
    expect(big.body).toContain('trop long');
    const json = await t.app.inject({ method: 'POST', url: formUrl, payload: { name: 'x' }, remoteAddress: ip() });
    expect(json.statusCode).toBe(415);
    expect(await count('message')).toBe(before);
  });

  it('stores script and markup as inert text, and never shows it back to the visitor', async () => {
    const ip = visitorIp();
    const fields = await solvedSubmission(ip, { name: '<b>Eve</b>', email: 'eve@example.ch', message: '<script>alert(1)</script> "><img src=x onerror=alert(1)>', recommendedBy: '<i>Mallory</i>' });
    const res = await postForm(t, formUrl, encodeForm(fields), ip);
    expect(res.statusCode).toBe(303);
    const stored = await t.ctx.storage.db.selectFrom('message').select(['text', 'html']).where('external_id', '=', `form:${fields.submission}`).executeTakeFirstOrThrow();
    expect(stored).toEqual({ text: fields.message, html: null });
    const thanks = await t.app.inject({ method: 'GET', url: res.headers.location as string });
    expect(thanks.body).not.toContain('<script>alert');
  });

  it('links a person who writes through the form and later through a webhook to one contact, with two conversations', async () => {
    const ip = visitorIp();
    const fields = await solvedSubmission(ip, { name: 'Lea Brunner', email: 'Lea.Brunner@Example.org' });
    expect((await postForm(t, formUrl, encodeForm(fields), ip)).statusCode).toBe(303);

    const hook = (await owner.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'webhook', label: 'n8n' } })).json();
    const delivery = signedDelivery(hook.connection.signingSecret, { id: 'later-1', sender: { name: 'Lea Brunner', email: 'lea.brunner@example.org' }, text: 'Suite à mon message' });
    const res = await t.app.inject({ method: 'POST', url: new URL(hook.connection.webhookUrl).pathname, headers: delivery.headers, payload: delivery.payload });
    expect(res.json()).toEqual({ stored: 1, duplicates: 0 });

    const identity = await t.ctx.storage.db.selectFrom('identity').select('contact_id').where('workspace_id', '=', owner.workspaceId).where('value_normalized', '=', 'lea.brunner@example.org').execute();
    expect(identity).toHaveLength(1);
    const conversations = await t.ctx.storage.db.selectFrom('conversation').innerJoin('entrance', 'entrance.id', 'conversation.entrance_id').select(['entrance.kind']).where('conversation.contact_id', '=', identity[0]!.contact_id).orderBy('entrance.kind').execute();
    expect(conversations.map((c) => c.kind)).toEqual(['webform', 'webhook']);
  });

  it('serves an embeddable variant that other sites may frame, posting back into the frame', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${formUrl}/embed?lang=en` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toContain('frame-ancestors *');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-frame-options']).toBeUndefined();
    expect(res.body).toContain(`action="${formUrl}/embed?lang=en"`);
    expect(res.body).toContain('class="layout-embed"');

    const ip = visitorIp();
    const post = await postForm(t, `${formUrl}/embed?lang=en`, encodeForm(await solvedSubmission(ip, { email: 'framed@example.ch' })), ip);
    expect(post.statusCode).toBe(303);
    expect(post.headers.location).toBe(`${formUrl}/embed/thanks?lang=en`);
    const thanks = await t.app.inject({ method: 'GET', url: post.headers.location as string });
    expect(thanks.headers['content-security-policy']).toContain('frame-ancestors *');
    expect(thanks.body).toContain('Thank you!');
    // The full page itself stays unframable.
    expect((await t.app.inject({ method: 'GET', url: `${formUrl}/thanks` })).headers['x-frame-options']).toBeDefined();
  });

  it('hands out ALTCHA challenges bound to one submission, and serves the page assets', async () => {
    const ip = visitorIp();
    const res = await t.app.inject({ method: 'GET', url: `${formUrl}/challenge?submission=abcdefghijklmnopqrstuv`, remoteAddress: ip });
    expect(res.statusCode).toBe(200);
    expect(res.json().parameters).toMatchObject({ algorithm: 'PBKDF2/SHA-256', data: { submission: 'abcdefghijklmnopqrstuv', workspace: owner.workspaceId } });
    expect((await t.app.inject({ method: 'GET', url: `${formUrl}/challenge?submission=bad`, remoteAddress: ip })).statusCode).toBe(400);
    const page = (await t.app.inject({ method: 'GET', url: formUrl })).body;
    const css = /href="(\/public-assets\/contact\.css\?v=[0-9a-f]+)"/.exec(page)![1]!;
    const js = /src="(\/public-assets\/contact\.js\?v=[0-9a-f]+)"/.exec(page)![1]!;
    const cssRes = await t.app.inject({ method: 'GET', url: css });
    expect(cssRes.statusCode).toBe(200);
    expect(cssRes.headers['content-type']).toMatch(/^text\/css/);
    expect(cssRes.headers['cache-control']).toContain('immutable');
    expect((await t.app.inject({ method: 'GET', url: js })).headers['content-type']).toMatch(/^text\/javascript/);
  });
});
