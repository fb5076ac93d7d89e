// The mailbox the e-mail benchmark syncs: messages shaped like a trainer's inbox (a few hundred
// people writing in French, German and English, a quarter of the messages answering an earlier one,
// text and HTML alternatives like most mail programs send), APPENDed to a fresh user of the private
// test Dovecot (scripts/dovecot-test-server.sh: any user name, one password).
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { ImapFlow } from 'imapflow';
import { TextGenerator } from './seed.ts';

export interface ImapTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

export const TEST_IMAP_PASSWORD = 'portier-test';

export function imapClient(target: ImapTarget): ImapFlow {
  const client = new ImapFlow({ host: target.host, port: target.port, secure: false, doSTARTTLS: false, auth: { user: target.user, pass: target.password }, logger: false, disableAutoIdle: true });
  client.on('error', () => {});
  return client;
}

/** True when an IMAP server greets on host:port ("* OK"). */
export function imapAnswers(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (chunk) => done(chunk.toString('latin1').startsWith('* OK')));
  });
}

export function newBenchUser(): string {
  return `bench-${process.pid}-${randomBytes(4).toString('hex')}`;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One message as a mail program writes it: multipart/alternative, quoted-printable-free 8bit UTF-8. */
function buildMessage(m: { from: string; fromName: string; to: string; subject: string; messageId: string; inReplyTo: string | null; date: Date; text: string }): string {
  const boundary = `b${randomBytes(8).toString('hex')}`;
  const paragraphs = m.text.split(/(?<=\.) /);
  return [
    `From: "${m.fromName}" <${m.from}>`,
    `To: <${m.to}>`,
    `Subject: ${m.subject}`,
    `Date: ${m.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${m.messageId}>`,
    ...(m.inReplyTo ? [`In-Reply-To: <${m.inReplyTo}>`, `References: <${m.inReplyTo}>`] : []),
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    m.text,
    '',
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    `<html><body><div dir="ltr">${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}</div></body></html>`,
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

const FIRST = ['Anna', 'Luca', 'Sophie', 'Marc', 'Elena', 'Jonas', 'Chiara', 'Nicolas', 'Lea', 'Matteo', 'Julie', 'David', 'Nina', 'Paul', 'Sara', 'Tom'];
const LAST = ['Keller', 'Rossi', 'Favre', 'Meier', 'Bianchi', 'Dubois', 'Huber', 'Moretti', 'Girard', 'Weber', 'Brunner', 'Fontana', 'Morel', 'Schmid'];

export interface GeneratedMail {
  raw: string;
  messageId: string;
}

/** `count` messages from `people` senders, deterministic but for the Message-IDs (unique per run). */
export function generateMails(count: number, options: { people?: number; prefix?: string; seed?: number; to?: string } = {}): GeneratedMail[] {
  const people = options.people ?? 300;
  const prefix = options.prefix ?? randomBytes(4).toString('hex');
  const text = new TextGenerator(options.seed ?? 7);
  const lastOf = new Map<number, string>();
  const now = Date.now();
  const mails: GeneratedMail[] = [];
  for (let i = 0; i < count; i++) {
    // A deterministic spread over the people; a quarter answer their own previous message.
    const k = (i * 7919) % people;
    const name = `${FIRST[k % FIRST.length]} ${LAST[Math.floor(k / FIRST.length) % LAST.length]}`;
    const from = `${name.toLowerCase().replace(' ', '.')}.${k}@example.org`;
    const parent = i % 4 === 3 ? (lastOf.get(k) ?? null) : null;
    const messageId = `${prefix}-${i}@bench.example`;
    const body = text.message();
    const subject = parent ? `Re: ${body.split(' ').slice(0, 4).join(' ')}` : body.split(' ').slice(0, 5).join(' ');
    mails.push({ messageId, raw: buildMessage({ from, fromName: name, to: options.to ?? 'owner@bench.example', subject, messageId, inReplyTo: parent, date: new Date(now - (count - i) * 60_000), text: body }) });
    lastOf.set(k, messageId);
  }
  return mails;
}

/** APPENDs in order over one connection; returns the UIDs. */
export async function appendAll(target: ImapTarget, folder: string, raws: string[]): Promise<number[]> {
  const client = imapClient(target);
  await client.connect();
  try {
    const uids: number[] = [];
    for (const raw of raws) {
      const r = await client.append(folder, raw);
      if (r && r.uid) uids.push(r.uid);
    }
    return uids;
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Removes every message of the folder (the benchmark's mailbox is thrown away afterwards). */
export async function emptyFolder(target: ImapTarget, folder: string): Promise<void> {
  const client = imapClient(target);
  await client.connect();
  try {
    await client.mailboxOpen(folder);
    await client.messageDelete('1:*', { uid: true });
  } finally {
    await client.logout().catch(() => client.close());
  }
}
