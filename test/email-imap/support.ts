// A real IMAP server (a private Dovecot on loopback, see scripts/dovecot-test-server.sh), an SMTP
// sink (npm smtp-server, in-process) and e-mail entrances wired to them. Locally a missing Dovecot
// skips these tests with a message; under CI (CI=true) it is a failure.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ImapFlow } from 'imapflow';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import type { EmailConfig } from '../../src/channels/email/imap-connection.ts';
import { startEmailSync, type EmailSync, type EmailSyncOptions } from '../../src/channels/email/sync-manager.ts';
import { createEntrance } from '../../src/entrances/create-entrance.ts';
import { sealEntranceConfig } from '../../src/entrances/entrance-config.ts';
import type { AppContext } from '../../src/http/context.ts';
import type { Entrance } from '../../src/storage/schema.ts';
import { IN_CI } from '../support/databases.ts';

export const IMAP_PORT = Number(process.env.PORTIER_TEST_IMAP_PORT ?? 10143);
export const IMAP_PASSWORD = 'portier-test';
const BASE_DIR = process.env.PORTIER_TEST_DOVECOT_DIR ?? '/tmp/portier-dovecot';
const SCRIPT = fileURLToPath(new URL('../../scripts/dovecot-test-server.sh', import.meta.url));

let available: boolean | undefined;

/** Starts the private Dovecot (idempotent). False, with a warning, when it cannot run here. */
export function dovecotAvailable(): boolean {
  if (available !== undefined) return available;
  const installed = existsSync('/usr/sbin/dovecot') || spawnSync('sh', ['-c', 'command -v dovecot']).status === 0;
  const fail = (why: string) => {
    if (IN_CI) throw new Error(`Dovecot is required under CI: ${why}`);
    console.warn(`${why}: the IMAP tests are skipped. Install Debian's dovecot-imapd and run as root, or start it with scripts/dovecot-test-server.sh start.`);
    return (available = false);
  };
  if (!installed) return fail('dovecot is not installed');
  const run = spawnSync('bash', [SCRIPT, 'start', BASE_DIR, String(IMAP_PORT)], { encoding: 'utf8' });
  if (run.status !== 0) return fail(`scripts/dovecot-test-server.sh start failed: ${(run.stderr || run.stdout).trim()}`);
  return (available = true);
}

/** Each test its own mailbox: the test Dovecot accepts any user name with the test password. */
export function newMailUser(prefix = 'u'): string {
  return `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export function imapClient(user: string, password = IMAP_PASSWORD): ImapFlow {
  const c = new ImapFlow({ host: '127.0.0.1', port: IMAP_PORT, secure: false, doSTARTTLS: false, auth: { user, pass: password }, logger: false });
  c.on('error', () => {});
  return c;
}

export interface TestMail {
  from?: string;
  fromName?: string;
  to?: string;
  subject?: string;
  messageId?: string | null;
  inReplyTo?: string;
  references?: string[];
  date?: Date;
  body?: string;
  headers?: Record<string, string>;
}

export function buildMail(m: TestMail): string {
  const lines = [
    `From: ${m.fromName ? `"${m.fromName}" ` : ''}<${m.from ?? 'anna.meier@example.org'}>`,
    `To: <${m.to ?? 'claire@atelier-dubois.ch'}>`,
    `Subject: ${m.subject ?? 'Anfrage Kurs'}`,
    `Date: ${(m.date ?? new Date()).toUTCString().replace('GMT', '+0000')}`,
    ...(m.messageId === null ? [] : [`Message-ID: <${m.messageId ?? `${randomBytes(8).toString('hex')}@example.org`}>`]),
    ...(m.inReplyTo ? [`In-Reply-To: <${m.inReplyTo}>`] : []),
    ...(m.references?.length ? [`References: ${m.references.map((r) => `<${r}>`).join(' ')}`] : []),
    ...Object.entries(m.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    m.body ?? 'Guten Tag, ich interessiere mich für Ihren Kurs.',
    '',
  ];
  return lines.join('\r\n');
}

/** APPENDs the messages in order over one connection; returns the UIDs the server gave them. */
export async function appendMails(user: string, folder: string, mails: string[]): Promise<number[]> {
  const c = imapClient(user);
  await c.connect();
  try {
    if (folder !== 'INBOX') await c.mailboxCreate(folder).catch(() => {});
    const uids: number[] = [];
    for (const raw of mails) {
      const r = await c.append(folder, raw);
      if (r && r.uid) uids.push(r.uid);
    }
    return uids;
  } finally {
    await c.logout().catch(() => c.close());
  }
}

export function emailConfig(user: string, over: Partial<EmailConfig> = {}): EmailConfig {
  return {
    imap: { host: '127.0.0.1', port: IMAP_PORT, secure: 'none', user, password: IMAP_PASSWORD },
    ownAddresses: ['claire@atelier-dubois.ch'],
    fromName: 'Claire Dubois',
    ...over,
  };
}

/** An e-mail entrance created the way the app creates one, with its settings sealed. */
export async function createEmailEntrance(ctx: AppContext, workspaceId: string, config: EmailConfig, label = 'E-mail'): Promise<Entrance> {
  const { entrance } = await createEntrance(ctx, workspaceId, null, { kind: 'email', label });
  const sealed = sealEntranceConfig(ctx.secrets, config);
  await ctx.storage.db.updateTable('entrance').set({ config_encrypted: sealed }).where('id', '=', entrance.id).execute();
  return { ...entrance, config_encrypted: sealed };
}

/** The sync manager with test-sized timers (the production defaults are minutes). */
export function startTestSync(ctx: AppContext, over: EmailSyncOptions = {}): EmailSync {
  return startEmailSync(
    { storage: ctx.storage, secrets: ctx.secrets, logger: process.env.TEST_LOG_LEVEL ? pino({ level: process.env.TEST_LOG_LEVEL }) : ctx.logger, live: ctx.live },
    { refreshMs: 200, leaseMs: 5_000, ...over, account: { otherFoldersPollMs: 300, backoff: { baseMs: 100, maxMs: 1_000 }, ...over.account } },
  );
}

export async function waitFor<T>(what: string, probe: () => Promise<T | false | null | undefined>, timeoutMs = 20_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    last = await probe();
    if (last) return last as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function countMessages(ctx: AppContext, entranceId: string): Promise<number> {
  const r = await ctx.storage.db.selectFrom('message').select((eb) => eb.fn.countAll<number>().as('n')).where('entrance_id', '=', entranceId).executeTakeFirstOrThrow();
  return Number(r.n);
}

export interface SinkMessage {
  from: string;
  to: string[];
  raw: string;
  user?: string;
}

/** An SMTP server that accepts (and keeps) everything, or refuses logins with 535 when told to. */
export async function startSmtpSink(options: { refuseAuth?: boolean; refuseRcpt?: { code: number; message: string } } = {}) {
  const messages: SinkMessage[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (options.refuseAuth) return cb(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
      cb(null, { user: auth.username });
    },
    onRcptTo(_addr, _session, cb) {
      if (options.refuseRcpt) return cb(Object.assign(new Error(options.refuseRcpt.message), { responseCode: options.refuseRcpt.code }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8'), user: session.user as string | undefined });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return { port, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export function headerOf(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  return head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim();
}
