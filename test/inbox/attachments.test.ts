// Attachments of inbound mail: stored content-addressed beside the database (rows in the message's
// transaction, files before it), listed with the conversation, served with headers that keep a
// stranger's file from running in Portier's origin, and never visible to another workspace.
// The mails are the real fixtures of the e-mail entrance, taken through the sync's storage half
// (readEmail → storeSyncedEmail); test/email-imap/attachments-sync.test.ts does the same over IMAP.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore, BlobStoreError } from '../../src/attachments/blob-store.ts';
import { buildEml } from '../../src/channels/email/fixtures/build-eml.ts';
import { parseEmail } from '../../src/channels/email/parse-email.ts';
import { readEmail } from '../../src/channels/email/sync-message.ts';
import { storeSyncedEmail } from '../../src/channels/email/sync-store.ts';
import { ingestMessage } from '../../src/ingest/ingest-message.ts';
import type { Db } from '../../src/storage/database.ts';
import type { EntranceTable } from '../../src/storage/schema.ts';
import { createTestApp, setUpWorkspace, type SignedIn, type TestApp } from '../support/app.ts';
import { availableDialects } from '../support/databases.ts';
import { insertEntrance, problemOf, tokenOf } from '../http/fixtures.ts';

const dialects = await availableDialects();
const FIXTURES = new URL('../../src/channels/email/fixtures/real/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES));
const INLINE_IMAGE_MAIL = 'mail__attachment_emails__attachment_message_rfc822_inline_image.eml';
const PDF_MAIL = 'mail__attachment_emails__attachment_pdf.eml';
const NODEMAILER_MAIL = 'mailparser__nodemailer.eml';

/** The same mail under another Message-ID: another message with the same attachment. */
function withMessageId(raw: Buffer, id: string): Buffer {
  const text = raw.toString('latin1');
  const replaced = text.replace(/^Message-ID: <[^>]+>/im, `Message-ID: <${id}>`);
  if (replaced === text) throw new Error('the fixture has no Message-ID to replace');
  return Buffer.from(replaced, 'latin1');
}

/** A multipart/mixed mail with a text part and the given attachment parts (headers, base64 body). */
function mailWithParts(messageId: string, parts: Array<{ headers: string[]; content: Buffer }>): Buffer {
  const boundary = `b-${randomBytes(6).toString('hex')}`;
  const body = [
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Bonjour, voici les documents.',
    ...parts.flatMap((p) => [`--${boundary}`, ...p.headers, 'Content-Transfer-Encoding: base64', '', p.content.toString('base64').replace(/.{76}/g, '$&\n')]),
    `--${boundary}--`,
    '',
  ].join('\n');
  return buildEml({ From: 'Anna Meier <anna.meier@example.org>', To: 'claire@atelier-dubois.ch', Subject: 'Documents', 'Message-ID': `<${messageId}>`, 'Content-Type': `multipart/mixed; boundary="${boundary}"` }, body);
}

/** Every file under a folder, relative to it, with "/" separators. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

/** What a browser makes of filename* (RFC 8187). */
const filenameOf = (disposition: string) => decodeURIComponent(/filename\*=UTF-8''([^;]*)$/.exec(disposition)![1]!);

describe.each(dialects)('attachments on %s', (dialect) => {
  let t: TestApp;
  let db: Db;
  let owner: SignedIn;
  let other: SignedIn;
  let entrance: EntranceTable;
  let store: BlobStore;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    db = t.ctx.storage.db;
    owner = await setUpWorkspace(t);
    other = await setUpWorkspace(t);
    entrance = await insertEntrance(db, owner.workspaceId, { kind: 'email', label: 'E-mail' });
    // The folder the download route reads from: the app's own data folder.
    store = new BlobStore(t.ctx.config.dataDir);
  });
  afterAll(async () => t?.dispose());

  /** Takes a raw mail the way the e-mail sync does, and returns the stored message's id. */
  async function deliver(raw: Buffer, options: { attachmentStore?: BlobStore; into?: EntranceTable } = {}) {
    const synced = await readEmail(raw, { ownAddresses: ['claire@atelier-dubois.ch'], receivedAt: null, now: Date.now() });
    const target = options.into ?? entrance;
    const outcome = await storeSyncedEmail({ db, attachmentStore: options.attachmentStore ?? store }, target, synced);
    const row = await db.selectFrom('message').select(['id', 'conversation_id', 'meta']).where('entrance_id', '=', target.id).where('external_id', '=', synced.externalId).executeTakeFirst();
    return { outcome, message: row };
  }

  const rowsOf = (messageId: string) =>
    db.selectFrom('attachment').select(['id', 'workspace_id', 'filename', 'content_type', 'size', 'sha256', 'content_id', 'disposition']).where('message_id', '=', messageId).orderBy('id').execute();

  const download = (who: SignedIn, messageId: string, attachmentId: string, query = '', headers: Record<string, string> = {}) =>
    who.request({ method: 'GET', url: `/api/v1/messages/${messageId}/attachments/${attachmentId}${query}`, headers });

  it('an e-mail with attachments stores a row and a file for each, in their order, with Content-ID and disposition', async () => {
    const raw = fixture(INLINE_IMAGE_MAIL);
    const parsed = await parseEmail(raw);
    const { outcome, message } = await deliver(raw);
    expect(outcome).toBe('stored');
    const rows = await rowsOf(message!.id);
    expect(rows.map((r) => ({ ...r, id: undefined, sha256: undefined }))).toEqual([
      { id: undefined, sha256: undefined, workspace_id: owner.workspaceId, filename: 'img.png', content_type: 'image/png', size: 370, content_id: 'emedfeb92f-a786-4718-a446-98db8afb53fb@kronos', disposition: 'inline' },
      { id: undefined, sha256: undefined, workspace_id: owner.workspaceId, filename: 'Testmail.eml', content_type: 'message/rfc822', size: 1816, content_id: null, disposition: 'attachment' },
    ]);
    for (const [i, row] of rows.entries()) {
      // The file holds exactly the decoded part, under its hash.
      expect(row.sha256).toBe(BlobStore.hashOf(parsed.attachments[i]!.content!));
      expect(Buffer.compare(readFileSync(store.pathOf(row.sha256)), Buffer.from(parsed.attachments[i]!.content!))).toBe(0);
    }

    // Real mail programs mix dispositions: nodemailer marks its HTML images "attachment" but puts
    // them in multipart/related with a Content-ID, which makes them inline.
    const nodemailer = await deliver(fixture(NODEMAILER_MAIL));
    expect((await rowsOf(nodemailer.message!.id)).map((r) => [r.filename, r.disposition, r.content_id])).toEqual([
      ['attachment-1.bin', 'attachment', null],
      ['image.png', 'inline', 'note@example.com'],
      ['nyan cat ✔.gif', 'inline', 'nyan@example.com'],
      ['notes.txt', 'attachment', null],
    ]);
  });

  it('the same attachment in two messages is stored as one file; a duplicate delivery adds no row', async () => {
    const first = await deliver(withMessageId(fixture(PDF_MAIL), `pdf-1-${dialect}@example.org`));
    const second = await deliver(withMessageId(fixture(PDF_MAIL), `pdf-2-${dialect}@example.org`));
    const [a] = await rowsOf(first.message!.id);
    const [b] = await rowsOf(second.message!.id);
    expect(a!.id).not.toBe(b!.id);
    expect(a!.sha256).toBe(b!.sha256);
    expect(filesUnder(store.root).filter((f) => f.endsWith(a!.sha256))).toEqual([`${a!.sha256.slice(0, 2)}/${a!.sha256}`]);

    const rowsBefore = await db.selectFrom('attachment').select('id').where('sha256', '=', a!.sha256).execute();
    const again = await deliver(withMessageId(fixture(PDF_MAIL), `pdf-1-${dialect}@example.org`));
    expect(again.outcome).toBe('duplicate');
    // Concurrent deliveries of one new message (SQLite shares one group transaction between them).
    const raw = withMessageId(fixture(PDF_MAIL), `pdf-3-${dialect}@example.org`);
    const synced = await readEmail(raw, { ownAddresses: [], receivedAt: null, now: Date.now() });
    const results = await Promise.all(Array.from({ length: 4 }, () => ingestMessage(db, entrance, synced.inbound, { attachmentStore: store })));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    const rowsAfter = await db.selectFrom('attachment').select('id').where('sha256', '=', a!.sha256).execute();
    expect(rowsAfter).toHaveLength(rowsBefore.length + 1);
    expect(filesUnder(store.root).filter((f) => f.includes(a!.sha256))).toHaveLength(1);
  });

  it('the conversation lists each message with its attachments', async () => {
    const { message } = await deliver(withMessageId(fixture(INLINE_IMAGE_MAIL), `listed-${dialect}@example.org`));
    const res = await owner.request({ method: 'GET', url: `/api/v1/conversations/${message!.conversation_id}` });
    expect(res.statusCode).toBe(200);
    const shown = (res.json().messages as Array<{ id: string; attachments: unknown[]; attachmentsOmitted: unknown[] }>).find((m) => m.id === message!.id)!;
    const rows = await rowsOf(message!.id);
    expect(shown.attachments).toEqual([
      { id: rows[0]!.id, filename: 'img.png', contentType: 'image/png', size: 370, inline: true, contentId: 'emedfeb92f-a786-4718-a446-98db8afb53fb@kronos' },
      { id: rows[1]!.id, filename: 'Testmail.eml', contentType: 'message/rfc822', size: 1816, inline: false, contentId: null },
    ]);
    expect(shown.attachmentsOmitted).toEqual([]);
  });

  it('a download streams the bytes with headers that keep the file from running; only safe images may be inline', async () => {
    const { message } = await deliver(withMessageId(fixture(INLINE_IMAGE_MAIL), `download-${dialect}@example.org`));
    const [png, eml] = await rowsOf(message!.id);

    const file = await download(owner, message!.id, eml!.id);
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(readFileSync(store.pathOf(eml!.sha256)))).toBe(true);
    expect(file.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="Testmail.eml"; filename*=UTF-8''Testmail.eml`,
      'content-length': '1816',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "sandbox; default-src 'none'",
      etag: `"${eml!.sha256}"`,
    });
    expect(file.headers['cache-control']).toMatch(/^private\b/);
    // Asking for inline does not make a non-image inline.
    expect((await download(owner, message!.id, eml!.id, '?inline=1')).headers['content-disposition']).toMatch(/^attachment;/);

    const image = await download(owner, message!.id, png!.id, '?inline=1');
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.headers['content-disposition']).toBe(`inline; filename="img.png"; filename*=UTF-8''img.png`);
    expect(image.rawPayload.subarray(1, 4).toString()).toBe('PNG');
    expect((await download(owner, message!.id, png!.id)).headers['content-disposition']).toMatch(/^attachment;/);

    // The browser's cached copy is confirmed without sending the bytes again.
    const cached = await download(owner, message!.id, png!.id, '?inline=1', { 'if-none-match': `"${png!.sha256}"` });
    expect(cached.statusCode).toBe(304);
    expect(cached.rawPayload.length).toBe(0);

    // An API token that may only read can download.
    const reader = await tokenOf(t, owner, ['read']);
    expect((await reader.request({ method: 'GET', url: `/api/v1/messages/${message!.id}/attachments/${png!.id}` })).statusCode).toBe(200);
  });

  it('a file that claims to be an image or a web page is served as a download, never as HTML or SVG', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const html = Buffer.from('<html><script>alert(document.cookie)</script></html>');
    const { message } = await deliver(
      mailWithParts(`hostile-types-${dialect}@example.org`, [
        { headers: ['Content-Type: image/svg+xml; name="logo.svg"', 'Content-Disposition: inline; filename="logo.svg"', 'Content-ID: <logo@x>'], content: svg },
        { headers: ['Content-Type: text/html; name="invoice.html"', 'Content-Disposition: attachment; filename="invoice.html"'], content: html },
      ]),
    );
    for (const row of await rowsOf(message!.id)) {
      const res = await download(owner, message!.id, row.id, '?inline=1');
      expect(res.headers['content-type'], row.filename).toBe('application/octet-stream');
      expect(res.headers['content-disposition'], row.filename).toMatch(/^attachment;/);
      expect(res.headers['content-security-policy']).toBe("sandbox; default-src 'none'");
    }
  });

  it("another workspace's attachment is 404, whichever ids are combined; without sign-in it is 401", async () => {
    const { message } = await deliver(withMessageId(fixture(INLINE_IMAGE_MAIL), `isolated-${dialect}@example.org`));
    const [png] = await rowsOf(message!.id);
    const otherEntrance = await insertEntrance(db, other.workspaceId, { kind: 'email', label: 'E-mail' });
    const mine = await deliver(withMessageId(fixture(PDF_MAIL), `other-ws-${dialect}@example.org`), { into: otherEntrance });
    const [otherPdf] = await rowsOf(mine.message!.id);

    for (const [who, messageId, attachmentId] of [
      [other, message!.id, png!.id], // B asks for A's attachment
      [other, mine.message!.id, png!.id], // B's message, A's attachment
      [owner, message!.id, otherPdf!.id], // A's message, B's attachment
      [owner, mine.message!.id, otherPdf!.id], // A asks for B's
    ] as const) {
      const res = await download(who, messageId, attachmentId);
      expect(res.statusCode, `${messageId}/${attachmentId}`).toBe(404);
      expect(problemOf(res).code).toBe('not_found');
      for (const name of ['img.png', 'broken.pdf']) expect(res.body).not.toContain(name);
    }
    // An attachment of the same workspace under another of its messages is not found either.
    const [ownPdf] = await rowsOf((await deliver(withMessageId(fixture(PDF_MAIL), `mixed-${dialect}@example.org`))).message!.id);
    expect((await download(owner, message!.id, ownPdf!.id)).statusCode).toBe(404);

    const anonymous = await t.app.inject({ method: 'GET', url: `/api/v1/messages/${message!.id}/attachments/${png!.id}` });
    expect(anonymous.statusCode).toBe(401);
    expect((await download(other, mine.message!.id, otherPdf!.id)).statusCode).toBe(200); // B reaches its own
  });

  it('an attachment over 15 MB is listed as not stored, with its note, and the others are stored', async () => {
    const big = randomBytes(16 * 1024 * 1024);
    const small = Buffer.from('Programme: lundi 9h–17h');
    const { outcome, message } = await deliver(
      mailWithParts(`oversized-${dialect}@example.org`, [
        { headers: ['Content-Type: video/mp4; name="atelier.mp4"', 'Content-Disposition: attachment; filename="atelier.mp4"'], content: big },
        { headers: ['Content-Type: text/plain; name="programme.txt"', 'Content-Disposition: attachment; filename="programme.txt"'], content: small },
      ]),
    );
    expect(outcome).toBe('stored');
    expect((await rowsOf(message!.id)).map((r) => [r.filename, r.size])).toEqual([['programme.txt', small.length]]);
    expect(filesUnder(store.root)).not.toContain(`${BlobStore.hashOf(big).slice(0, 2)}/${BlobStore.hashOf(big)}`);
    const meta = JSON.parse(message!.meta!);
    expect(meta.email.attachmentsOmitted).toEqual([{ filename: 'atelier.mp4', size: big.length }]);
    expect(meta.email.notes).toContain('The attachment "atelier.mp4" is 16 MB, over the 15 MB limit: it is listed but not stored.');
    const res = await owner.request({ method: 'GET', url: `/api/v1/conversations/${message!.conversation_id}` });
    const shown = (res.json().messages as Array<{ id: string; attachments: Array<{ filename: string }>; attachmentsOmitted: unknown[] }>).find((m) => m.id === message!.id)!;
    expect(shown.attachments.map((a) => a.filename)).toEqual(['programme.txt']);
    expect(shown.attachmentsOmitted).toEqual([{ filename: 'atelier.mp4', size: big.length, reason: 'too_large' }]);
  });

  it("files beyond the message's total are listed as not stored, with a note, and later smaller ones still fit", async () => {
    // The nodemailer mail: 23 B, 126 B, 29,361 B and 29 B; a store that keeps 1 KB per message.
    const tight = new BlobStore(t.ctx.config.dataDir, { limits: { maxMessageBytes: 1024 } });
    const { message } = await deliver(withMessageId(fixture(NODEMAILER_MAIL), `total-${dialect}@example.org`), { attachmentStore: tight });
    expect((await rowsOf(message!.id)).map((r) => r.filename)).toEqual(['attachment-1.bin', 'image.png', 'notes.txt']);
    const meta = JSON.parse(message!.meta!);
    // The e-mail's own details, written after ingest, keep what ingest noted.
    expect(meta.email.messageId).toBe(`total-${dialect}@example.org`);
    expect(meta.attachments).toEqual({
      omitted: [{ filename: 'nyan cat ✔.gif', size: 29361, reason: 'total_too_large' }],
      notes: ['The attachment "nyan cat ✔.gif" (29 KB) was not stored: with it, this message\'s attachments would exceed 1 KB together. Open the original message to get it.'],
    });
    const res = await owner.request({ method: 'GET', url: `/api/v1/conversations/${message!.conversation_id}` });
    const shown = (res.json().messages as Array<{ id: string; attachmentsOmitted: unknown[] }>).find((m) => m.id === message!.id)!;
    expect(shown.attachmentsOmitted).toEqual([{ filename: 'nyan cat ✔.gif', size: 29361, reason: 'total_too_large' }]);
  });

  it('hostile file names are harmless: the disk knows only hashes, the header stays one clean line', async () => {
    const long = `${'très-long-nom-'.repeat(300)}.pdf`;
    const { message } = await deliver(
      mailWithParts(`hostile-names-${dialect}@example.org`, [
        { headers: ['Content-Type: text/plain; name="../../etc/passwd"', 'Content-Disposition: attachment; filename="../../etc/passwd"'], content: Buffer.from('root:x:0:0') },
        // RFC 2231 lets a sender put any byte in a name: here CR LF and a header after it.
        { headers: ['Content-Type: application/pdf', "Content-Disposition: attachment; filename*=UTF-8''evil%0D%0ASet-Cookie%3A%20portier_session%3Dstolen.pdf"], content: Buffer.from('%PDF-1.4 evil') },
        { headers: ['Content-Type: application/pdf', `Content-Disposition: attachment; filename*=UTF-8''${encodeURIComponent(long)}`], content: Buffer.from('%PDF-1.4 long') },
      ]),
    );
    // Straight into ingest as well, as another channel might hand names over, uncleaned.
    const direct = await ingestMessage(db, entrance, {
      externalId: `direct-hostile-${dialect}`,
      sender: { name: 'Mallory', identities: [{ kind: 'email', value: 'mallory@example.org', verified: false }] },
      text: 'see attached',
      sentAt: Date.now(),
      attachments: [
        { filename: '..\\..\\..\\windows\\win.ini\r\nX-Injected: 1', contentType: 'text/html\r\nX-Evil: 1', content: Buffer.from('[fonts]') },
        { filename: '/', contentType: 'application/pdf', content: Buffer.from('%PDF slash'), contentId: '<\r\nbad id>' },
      ],
    }, { attachmentStore: store });

    const stored = [...(await rowsOf(message!.id)).map((row) => ({ messageId: message!.id, row })), ...(await rowsOf(direct.messageId)).map((row) => ({ messageId: direct.messageId, row }))];
    const rows = stored.map((s) => s.row);
    expect(rows.map((r) => r.filename.length <= 200)).toEqual([true, true, true, true, true]);
    expect(rows.map((r) => r.filename).slice(0, 2)).toEqual(['passwd', 'evilSet-Cookie: portier_session=stolen.pdf']);
    expect(rows[2]!.filename).toBe(Array.from(long).slice(0, 200).join(''));
    expect(rows.slice(3).map((r) => [r.filename, r.content_type, r.content_id])).toEqual([
      ['win.iniX-Injected: 1', 'application/octet-stream', null],
      ['attachment', 'application/pdf', null],
    ]);

    // On disk: hash-named files in two-character folders, and nothing else anywhere.
    for (const f of filesUnder(store.root)) expect(f).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{64}$/);
    expect(filesUnder(t.ctx.config.dataDir).filter((f) => /passwd|win\.ini|evil|etc\//.test(f))).toEqual([]);

    for (const { messageId, row } of stored) {
      const res = await download(owner, messageId, row.id);
      expect(res.statusCode).toBe(200);
      const disposition = String(res.headers['content-disposition']);
      expect(disposition).toMatch(/^attachment; filename="[^"\\]*"; filename\*=UTF-8''[A-Za-z0-9%._~-]+$/);
      expect(filenameOf(disposition)).toBe(row.filename);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.headers['x-injected']).toBeUndefined();
      expect(res.headers['x-evil']).toBeUndefined();
    }
  });

  it('when a file cannot be written, the message is not stored (and comes again with the next sync)', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'portier-broken-'));
    try {
      writeFileSync(join(broken, 'attachments'), 'a file where the folder should be');
      const raw = withMessageId(fixture(PDF_MAIL), `unwritable-${dialect}@example.org`);
      const err = await deliver(raw, { attachmentStore: new BlobStore(broken) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BlobStoreError);
      expect(await db.selectFrom('message').select('id').where('external_id', '=', `unwritable-${dialect}@example.org`).execute()).toEqual([]);
      // The next try, with a working folder, stores it with its attachment.
      const { outcome, message } = await deliver(raw);
      expect(outcome).toBe('stored');
      expect(await rowsOf(message!.id)).toHaveLength(1);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('a file missing from the data folder is a 404 that says so', async () => {
    const unique = Buffer.from(`only here ${randomBytes(8).toString('hex')}`);
    const { message } = await deliver(mailWithParts(`missing-${dialect}@example.org`, [{ headers: ['Content-Type: text/plain; name="notes.txt"', 'Content-Disposition: attachment; filename="notes.txt"'], content: unique }]));
    const [row] = await rowsOf(message!.id);
    unlinkSync(store.pathOf(row!.sha256));
    const res: LightMyRequestResponse = await download(owner, message!.id, row!.id);
    expect(res.statusCode).toBe(404);
    expect(problemOf(res).detail).toMatch(/The file of "notes.txt" is missing from Portier's data folder/);
    expect(res.body).not.toContain(t.ctx.config.dataDir);
  });

  it('messages without attachments store no row and write no file', async () => {
    const before = filesUnder(store.root).length;
    const r = await ingestMessage(db, entrance, { externalId: `plain-${dialect}`, sender: { identities: [{ kind: 'email', value: 'plain@example.org', verified: false }] }, text: 'Bonjour', sentAt: Date.now() }, { attachmentStore: store });
    expect(await rowsOf(r.messageId)).toEqual([]);
    expect(filesUnder(store.root)).toHaveLength(before);
  });
});
