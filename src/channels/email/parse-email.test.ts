import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sanitizeInboundHtml } from '../../core/sanitize.ts';
import { classifyEmail } from './classify-email.ts';
import { buildEml, buildMimeBomb } from './fixtures/build-eml.ts';
import { parseEmail, type ParsedEmail } from './parse-email.ts';
import { splitQuoted } from './parse-quoted.ts';

const REAL = new URL('./fixtures/real/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, REAL));
const parse = (name: string) => parseEmail(read(name));

// Every published fixture, each with what it is there to check. A fixture added to the folder
// without a line here fails the completeness test below.
const CHECKS: Record<string, [string, (p: ParsedEmail) => void]> = {
  'chatwoot__mail_with_quote.eml': ['a Gmail reply keeps its threading ids and splits off the two-line "On … wrote:" quote', (p) => {
    expect(p.inReplyTo).toEqual(['0100017b5d8efc70-c7f18809-aa55-48f6-91fd-b626092ed8b3-000000@email.amazonses.com']);
    expect(splitQuoted(p.text).visible).toBe('Yes, I am providing you step how to reproduce this issue');
  }],
  'chatwoot__multiple_in_reply_to.eml': ['an In-Reply-To folded over two lines yields both ids', (p) => {
    expect(p.inReplyTo).toEqual(['4e6e35f5a38b4_479f13bb90078171@small-app-01.mail', '4e6e35f5a38b4_479f13bb90078131@small-app-01.mail']);
    expect(p.references).toEqual(['4e6e35f5a38b4_479f13bb90078178@small-app-01.mail']);
  }],
  'chatwoot__non_utf_encoded_mail.eml': ['B/Q encoded-word Arabic sender and subject decode; it is an auto-reply', (p) => {
    expect(p.from?.name).toBe('متجر سوق نت');
    expect(p.subject).toBe('أهلين عميلنا الكريم');
    expect(classifyEmail(p).kind).toBe('auto_reply');
  }],
  'chatwoot__only_html.eml': ['an HTML-only message gets a text version from its HTML', (p) => {
    expect(p.textFromHtml).toBe(true);
    expect(p.text).toContain('This is html only mail');
  }],
  'mail__attachment_emails__attachment_message_rfc822_inline_image.eml': ['an inline cid image and an attached forwarded message (message/rfc822) are both listed', (p) => {
    expect(p.attachments.map((a) => [a.filename, a.contentType, a.inline])).toEqual([['img.png', 'image/png', true], ['Testmail.eml', 'message/rfc822', false]]);
    expect(p.attachments[0]!.contentId).toBe('emedfeb92f-a786-4718-a446-98db8afb53fb@kronos');
    expect(p.attachments[1]!.forwarded?.subject).toContain('Another PDF');
  }],
  'mail__attachment_emails__attachment_pdf.eml': ['a base64 PDF attachment decodes to PDF bytes; raw 8-bit UTF-8 subject reads', (p) => {
    const pdf = p.attachments.find((a) => a.filename === 'broken.pdf');
    expect(pdf?.contentType).toBe('application/pdf');
    expect(Buffer.from(pdf!.content!).subarray(0, 4).toString()).toBe('%PDF');
    expect(p.subject).toBe('Another PDF with 🎉 Unicode chars in it 🍿');
  }],
  'mail__attachment_emails__attachment_with_quoted_filename.eml': ['ISO-8859-1 encoded-word subject and quoted attachment file name with umlauts', (p) => {
    expect(p.subject).toBe('Eelanalüüsi päring');
    expect(p.attachments[0]!.filename).toBe('Eelanalüüsi päring.jpg');
  }],
  'mail__error_emails__bad_date_header.eml': ['an unreadable Date header gives date null, and Precedence: junk files it as bulk', (p) => {
    expect(p.date).toBeNull();
    expect(classifyEmail(p)).toMatchObject({ kind: 'bulk', reason: 'Precedence: junk' });
  }],
  'mail__error_emails__content_transfer_encoding_empty.eml': ['an empty Content-Transfer-Encoding and a raw 8-bit Big5 subject are read in the body charset', (p) => {
    expect(p.subject).toContain('大家說英語');
    expect(p.textFromHtml).toBe(true);
  }],
  'mail__error_emails__new_line_in_to_header.eml': ['a To list with an empty continuation line still yields its recipients', (p) => {
    expect(p.to.length).toBeGreaterThan(1);
    expect(p.subject).toBe('[Online Lead] Online Lead #1111111');
  }],
  'mail__mime_emails__raw_email2.eml': ['a Gmail forward keeps the forwarded text visible and lists the S/MIME signature', (p) => {
    expect(splitQuoted(p.text).visible).toContain('Forwarded message');
    expect(p.attachments.map((a) => a.filename)).toEqual(['smime.p7s']);
  }],
  'mail__multi_charset__japanese_iso_2022.eml': ['an ISO-2022-JP body and UTF-8 encoded-word subject decode', (p) => {
    expect(p.subject).toBe('まみむめも');
    expect(p.text).toContain('すみません。');
  }],
  'mail__multi_charset__japanese_shift_jis.eml': ['a raw 8-bit Shift_JIS body decodes', (p) => {
    expect(p.text).toContain('このメールはテスト用のメールです。');
  }],
  'mail__plain_emails__basic_email_lf.eml': ['bare LF line endings parse like CRLF', (p) => {
    expect(p.from).toEqual({ name: 'Mikel Lindsaar', address: 'test@lindsaar.net' });
    expect(p.text).toBe('Plain email.\n\nHope it works well!\n\nMikel\n');
  }],
  'mail__plain_emails__raw_email.eml': ['an EUC-KR body and EUC-KR encoded-word subject decode', (p) => {
    expect(p.subject).toBe('NOTE: 한국말로 하는 것');
    expect(p.text).toContain('제 이름은 Jamis입니다.');
  }],
  'mail__plain_emails__raw_email_bad_time.eml': ['a windows-1251 sender name decodes; an absurd year is kept for ingest to clamp', (p) => {
    expect(p.from?.name).toBe('Атиковa');
    expect(new Date(p.date!).getUTCFullYear()).toBe(3609);
  }],
  'mail__plain_emails__raw_email_reply.eml': ['a format=flowed reply keeps In-Reply-To and References', (p) => {
    expect(p.inReplyTo).toEqual(['348F04F142D69C21-291E56D292BC@xxxx.net']);
    expect(p.references).toEqual(['473FF3B8.9020707@xxx.org', '348F04F142D69C21-291E56D292BC@xxxx.net']);
    expect(p.text).toContain('Message body');
  }],
  'mail__plain_emails__raw_email_with_partially_quoted_subject.eml': ['a subject mixing plain words and several encoded words decodes whole', (p) => {
    expect(p.subject).toBe('Re: Test: "漢字" mid "漢字" tail');
  }],
  'mail__rfc2822__example06.eml': ['the RFC 2822 reply example yields its parent id', (p) => {
    expect(p.inReplyTo).toEqual(['1234@local.machine.example']);
    expect(p.from?.address).toBe('mary@example.net');
  }],
  'mail__rfc6532__utf8_headers.eml': ['raw UTF-8 headers (RFC 6532) read as UTF-8', (p) => {
    expect(p.subject).toBe('Säying Hello');
    expect(p.from?.name).toBe('Jöhn Doe');
  }],
  'mailparser__decoderended.eml': ['an empty message/rfc822 attachment is listed, not a crash', (p) => {
    expect(p.subject).toBe('Fwd: fotos');
    expect(p.attachments).toEqual([expect.objectContaining({ contentType: 'message/rfc822', filename: 'forwarded-message.eml', size: 0 })]);
  }],
  'mailparser__delivery-status.eml': ['an SES DSN is a bounce naming the returned message', (p) => {
    const c = classifyEmail(p);
    expect(c.kind).toBe('bounce');
    expect(c.bounce?.status).toBe('failed');
    expect(c.bounce?.originalMessageId).toBeTruthy();
  }],
  'mailparser__mixed.eml': ['a message with no From or Subject still yields its text', (p) => {
    expect(p.from).toBeNull();
    expect(p.subject).toBeNull();
    expect(p.text).toContain('Good Morning;');
  }],
  'mailparser__nested.eml': ['mixed > related > alternative: the plain branch is the body', (p) => {
    expect(p.text).toContain('Dear Sir,');
    expect(p.html).toContain('Dear Sir');
  }],
  'mailparser__nodemailer.eml': ['emoji encoded-word subject, inline images by Content-ID and a UTF-8 attachment name', (p) => {
    expect(p.subject).toMatch(/^Nodemailer is unicode friendly ✔/);
    expect(p.attachments.map((a) => a.filename)).toContain('nyan cat ✔.gif');
    expect(p.attachments.find((a) => a.filename === 'image.png')?.contentId).toBe('note@example.com');
  }],
  'mimekit__body.5.eml': ['an alternative whose HTML branch is multipart/related: text body plus inline images', (p) => {
    expect(p.text.trim()).toBe('This is the text body.');
    expect(p.attachments.map((a) => a.filename)).toEqual(['empty.gif', 'empty.jpg']);
  }],
  'mimekit__disposition-notification.eml': ['a read receipt never waits for an answer', (p) => {
    expect(classifyEmail(p)).toMatchObject({ kind: 'auto_reply', reason: expect.stringContaining('Read receipt') });
  }],
  'mimekit__epilogue.eml': ['text after the final boundary is ignored; an inline answer under a quote stays visible', (p) => {
    expect(p.references).toHaveLength(4);
    expect(splitQuoted(p.text).visible).toContain("Don't you mean");
  }],
  'mimekit__issue358.eml': ['Italian Outlook "R: R: R: I:" chain in ISO-8859-1 quoted-printable', (p) => {
    expect(p.subject).toBe('R: R: R: I: FR-selca LA selcaE');
    expect(p.inReplyTo).toHaveLength(1);
    expect(p.text).toContain('Test headers');
  }],
  'mimekit__japanese.eml': ['ISO-2022-JP encoded-word subject and body decode', (p) => {
    expect(p.subject).toBe('日本語メールテスト (testing Japanese emails)');
    expect(p.text).toContain('日本語が');
  }],
  'mimekit__multipart-related-mhtml.eml': ['MHTML-style related HTML: text from the HTML, the image listed', (p) => {
    expect(p.textFromHtml).toBe(true);
    expect(p.attachments.map((a) => a.contentType)).toEqual(['image/png']);
  }],
  'postal-mime__bounce.eml': ['a Postfix bounce names the failed recipient, its status and the returned Message-ID', (p) => {
    const c = classifyEmail(p);
    expect(c.kind).toBe('bounce');
    expect(c.bounce?.recipients[0]).toMatchObject({ address: 'htfgvhyufthdgcvhgjyfthgc@ethereal.email', action: 'failed', status: '5.0.0' });
    expect(c.bounce?.originalMessageId).toBe('e85f1c9b-9b51-4028-8ec0-0a657155028e@app.fastmail.com');
  }],
  'postal-mime__calendar-event.eml': ['a calendar invitation keeps its text/calendar part and .ics attachment', (p) => {
    expect(p.subject).toContain('Test event ⏰');
    expect(p.attachments.map((a) => a.contentType)).toEqual(['text/calendar', 'application/ics']);
  }],
  'talon__apple_mail.eml': ['Apple Mail "On <date>, at <time>, <name> wrote:" is folded', (p) => {
    expect(splitQuoted(p.text)).toMatchObject({ visible: 'Hello', quoted: expect.stringContaining('> Hi') });
  }],
  'talon__comcast.eml': ['a "----- Original Message -----" block is folded', (p) => {
    expect(splitQuoted(p.text).visible).toBe('Hello');
  }],
  'talon__gmail.eml': ['a Gmail attribution with ">" quotes is folded', (p) => {
    expect(splitQuoted(p.text).visible).toBe('Hello');
  }],
  'talon__hotmail.eml': ['a Hotmail quote of ">" header lines is folded', (p) => {
    expect(splitQuoted(p.text).visible).toBe('Hello');
  }],
  'talon__outlook.eml': ['an Outlook "From:/Sent:/To:/Subject:" block is folded; ISO-8859-1 decodes', (p) => {
    const s = splitQuoted(p.text);
    expect(s.visible).toBe('Hello');
    expect(s.quoted).toMatch(/^From: /);
  }],
  'talon__reply-quotations-share-block.eml': ['a Yahoo base64 reply to a booking inquiry keeps its answer visible', (p) => {
    expect(p.subject).toBe("Re: You've got a new booking inquiry!");
    expect(splitQuoted(p.text).visible).toMatch(/^Hi Katharine\./);
  }],
  'talon__yahoo.eml': ['a Yahoo "----- Original Message -----" reply is folded and keeps In-Reply-To', (p) => {
    expect(splitQuoted(p.text).visible).toBe('Hello');
    expect(p.inReplyTo).toEqual(['1333374262.7063.15.camel@mg5']);
  }],
};

describe('real e-mails (fixtures/real, see SOURCES.md)', () => {
  const files = readdirSync(REAL).filter((f) => f.endsWith('.eml')).sort();

  it('every fixture in the folder has a named check here', () => {
    expect(files).toEqual(Object.keys(CHECKS).sort());
  });

  for (const file of files) {
    const [what, check] = CHECKS[file] ?? ['(no check)', () => {}];
    it(`${file}: ${what}`, async () => {
      const p = await parse(file);
      // What every message must yield, whatever it is.
      expect(p.complete).toBe(true);
      expect(p.notes).toEqual([]);
      expect(typeof p.text).toBe('string');
      expect(Array.isArray(p.attachments)).toBe(true);
      for (const a of p.attachments) expect(a.filename).not.toMatch(/[\\/]/);
      check(p);
    });
  }
});

describe('limits: hostile and oversized mail', () => {
  it('a MIME bomb nested 5,000 levels deep is refused after its headers, with a note, in bounded memory', async () => {
    const bomb = buildMimeBomb(5000);
    const before = process.memoryUsage().heapUsed;
    const p = await parseEmail(bomb);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(50 * 1024 * 1024);
    expect(p.complete).toBe(false);
    expect(p.notes[0]!.code).toBe('nesting_too_deep');
    expect(p.notes[0]!.message).toMatch(/nested more than 32 levels/);
    expect(p.subject).toBe('nested');
    expect(p.from?.address).toBe('bomb@example.org');
    expect(p.text).toBe('');
  });

  it('ordinary nesting (20 levels) is read completely', async () => {
    const p = await parseEmail(buildMimeBomb(20));
    expect(p.complete).toBe(true);
    expect(p.text.trim()).toBe('bottom');
  });

  it('a 50 MB message is read as headers only, with a note, without decoding its attachment', async () => {
    const base64 = Buffer.alloc(38 * 1024 * 1024, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
    const raw = buildEml({ From: 'big@example.org', To: 'owner@example.ch', Subject: 'Huge', 'Message-ID': '<huge@example.org>', 'Content-Type': 'multipart/mixed; boundary="x"' }, `--x\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n--x\r\nContent-Type: application/octet-stream; name="video.mov"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64}\r\n--x--\r\n`);
    expect(raw.byteLength).toBeGreaterThan(50 * 1024 * 1024);
    const before = process.memoryUsage().heapUsed;
    const p = await parseEmail(raw);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(20 * 1024 * 1024);
    expect(p).toMatchObject({ complete: false, subject: 'Huge', messageId: 'huge@example.org', text: '', attachments: [] });
    expect(p.notes[0]).toMatchObject({ code: 'too_large', message: expect.stringMatching(/^The message is 5\d MB, over the 25 MB limit/) });
  });

  it('headers fetched alone with the server-declared size give the same answer (for IMAP)', async () => {
    const head = buildEml({ From: 'big@example.org', Subject: 'Huge', 'Message-ID': '<huge@example.org>' }, '');
    const p = await parseEmail(head, { declaredSize: 60 * 1024 * 1024 });
    expect(p.notes[0]?.code).toBe('too_large');
    expect(p.size).toBe(60 * 1024 * 1024);
  });

  it('an attachment over the attachment limit is listed with its size but not kept', async () => {
    const raw = buildEml({ From: 'a@example.org', Subject: 'Slides', 'Content-Type': 'multipart/mixed; boundary="x"' }, `--x\r\nContent-Type: text/plain\r\n\r\nhere\r\n--x\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="slides.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.alloc(3000, 1).toString('base64')}\r\n--x--\r\n`);
    const p = await parseEmail(raw, { maxAttachmentBytes: 1000 });
    expect(p.attachments[0]).toMatchObject({ filename: 'slides.pdf', size: 3000, omitted: 'too_large' });
    expect(p.attachments[0]!.content).toBeUndefined();
    expect(p.notes.map((n) => n.code)).toEqual(['attachment_too_large']);
    expect(p.complete).toBe(true);
  });

  it('RFC 2231 file names, TNEF left as an attachment, path separators stripped', async () => {
    const raw = buildEml({ From: 'outlook@example.org', Subject: 'Unterlagen', 'Content-Type': 'multipart/mixed; boundary="x"' }, [
      '--x', 'Content-Type: text/plain; charset=utf-8', '', 'Anbei die Unterlagen.',
      '--x', "Content-Type: application/pdf", "Content-Disposition: attachment; filename*0*=utf-8''Kursunterlagen%20f%C3%BCr%20; filename*1*=Z%C3%BCrich.pdf", 'Content-Transfer-Encoding: base64', '', Buffer.from('%PDF-1.4').toString('base64'),
      '--x', 'Content-Type: application/ms-tnef; name="winmail.dat"', 'Content-Disposition: attachment; filename="winmail.dat"', 'Content-Transfer-Encoding: base64', '', Buffer.from([0x78, 0x9f, 0x3e, 0x22]).toString('base64'),
      '--x', 'Content-Type: text/plain', 'Content-Disposition: attachment; filename="../../etc/passwd"', '', 'nope',
      '--x--', '',
    ].join('\r\n'));
    const p = await parseEmail(raw);
    expect(p.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['Kursunterlagen für Zürich.pdf', 'application/pdf'],
      ['winmail.dat', 'application/ms-tnef'],
      ['passwd', 'text/plain'],
    ]);
  });

  it('format=flowed soft line breaks are joined', async () => {
    const p = await parseEmail(buildEml({ From: 'a@example.org', Subject: 'flowed', 'Content-Type': 'text/plain; charset=utf-8; format=flowed' }, 'Guten Tag, ich interessiere mich für \r\nIhren Kurs im Mai.\r\n'));
    expect(p.text.trim()).toBe('Guten Tag, ich interessiere mich für Ihren Kurs im Mai.');
  });

  it('a message with no structure at all (random bytes) yields an empty, complete-looking result, not an exception', async () => {
    const p = await parseEmail(Buffer.from([0, 255, 13, 10, 13, 10, 1, 2, 3, 0xc3, 0x28]));
    expect(p.from).toBeNull();
    expect(typeof p.text).toBe('string');
  });

  it('hostile HTML passes through sanitizeInboundHtml inert: no script, handler, javascript: URL, style, form or remote image', async () => {
    const html = `<html><head><style>body{background:url(https://evil.example/css)}</style><script>alert(1)</script></head><body onload="alert(2)">
      <p style="position:fixed">Hi <a href="javascript:alert(3)">click</a> <a href="https://ok.example/x" onclick="alert(4)">ok</a></p>
      <img src="https://tracker.example/pixel.gif" onerror="alert(5)"><img src="cid:logo@x">
      <form action="https://evil.example/steal"><input name="password"></form><iframe src="https://evil.example"></iframe>
      <svg><script>alert(6)</script></svg><math><mtext><table><mglyph><style><img src=x onerror=alert(7)></style></math>
      <meta http-equiv="refresh" content="0;url=https://evil.example"><base href="https://evil.example/"></body></html>`;
    const p = await parseEmail(buildEml({ From: 'x@example.org', Subject: 'hostile', 'Content-Type': 'text/html; charset=utf-8' }, html));
    expect(p.html).toContain('<script>');
    expect(p.text).not.toMatch(/alert|background/);
    const safe = sanitizeInboundHtml(p.html!);
    expect(safe).not.toMatch(/<script|onload|onclick|onerror|javascript:|<style|style=|<form|<input|<iframe|<svg|<math|<meta|<base|evil\.example/i);
    expect(safe).not.toMatch(/\ssrc="https?:/);
    expect(safe).toContain('data-remote-src="https://tracker.example/pixel.gif"');
    expect(safe).toContain('href="https://ok.example/x"');
  });
});
