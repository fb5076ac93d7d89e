// Sending a reply over the owner's own SMTP server (nodemailer): From the owner's address, threaded
// with In-Reply-To and References, a Message-ID on the owner's domain. The message is composed to
// bytes once, so that the copy appended to the sent folder is exactly what went out.
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { ChannelError, type OutboundMessage, type SendResult } from '../contract.ts';
import { createImapClient, type EmailConfig, type SmtpServerConfig } from './imap-connection.ts';
import { bareMessageId } from './imap-fetch.ts';
import { PORTIER_OUTBOX_HEADER } from './sync-message.ts';
import { isReplySubject } from './thread-keys.ts';

const SEND_TIMEOUT_MS = 30_000;

/** The thread root an e-mail conversation is keyed by ("mid:<Message-ID>", see thread-keys.ts), if it is one. */
export function rootMessageId(threadKey: string): string | null {
  if (!threadKey.startsWith('mid:') || threadKey.startsWith('mid:sha256:')) return null;
  return bareMessageId(threadKey.slice('mid:'.length));
}

export function newMessageId(fromAddress: string): string {
  const domain = fromAddress.split('@')[1]?.toLowerCase() || 'portier.invalid';
  return `${randomBytes(16).toString('hex')}@${domain}`;
}

function replySubject(subject: string | undefined): string {
  const s = (subject ?? '').trim();
  if (!s) return 'Re:';
  return isReplySubject(s) ? s : `Re: ${s}`;
}

function smtpTransport(smtp: SmtpServerConfig) {
  const auth = smtp.user ? (smtp.accessToken ? { type: 'OAuth2' as const, user: smtp.user, accessToken: smtp.accessToken } : { user: smtp.user, pass: smtp.password ?? '' }) : undefined;
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure === 'implicit',
    requireTLS: smtp.secure === 'starttls',
    ignoreTLS: smtp.secure === 'none',
    ...(auth ? { auth } : {}),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: SEND_TIMEOUT_MS,
  });
}

const NETWORK_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH']);

/** SMTP's own classes: 535 is a refused login, 4xx "try later", any other 5xx a refusal that will repeat. */
export function toSendError(err: unknown, smtp: Pick<SmtpServerConfig, 'host' | 'port' | 'user'>): ChannelError {
  const e = (err ?? {}) as { code?: string; responseCode?: number; response?: string; message?: string };
  const server = `${smtp.host}:${smtp.port}`;
  const said = (e.response || e.message || String(err)).trim();
  if (e.responseCode === 535 || e.responseCode === 534 || e.code === 'EAUTH') return new ChannelError('auth_failed', `SMTP login refused for user ${smtp.user ?? '(none)'} on ${server}: ${said}`, { cause: err });
  if (e.responseCode !== undefined && e.responseCode >= 400 && e.responseCode < 500) return new ChannelError('temporary', `The SMTP server ${server} asked to try later: ${said}`, { cause: err });
  if (e.code && NETWORK_CODES.has(e.code)) return new ChannelError('temporary', `The SMTP server ${server} could not be reached (${e.code}): ${said}`, { cause: err });
  if (e.responseCode !== undefined && e.responseCode >= 500) return new ChannelError('invalid_payload', `The SMTP server ${server} refused the message: ${said}`, { cause: err });
  if (e.code === 'EENVELOPE') return new ChannelError('invalid_payload', `The SMTP server ${server} refused the recipient: ${said}`, { cause: err });
  return new ChannelError('temporary', `Sending through ${server} failed: ${said}`, { cause: err });
}

export interface ComposedReply {
  messageId: string;
  from: string;
  to: string;
  raw: Buffer;
  headers: { inReplyTo: string | null; references: string[] };
}

/** Builds the reply's bytes: the same ones are sent and appended to the sent folder. */
export async function composeReply(config: EmailConfig, message: OutboundMessage & { references?: string[] }, now = new Date()): Promise<ComposedReply> {
  const from = config.ownAddresses[0]!;
  const emails = message.to.filter((i) => i.kind === 'email');
  const to = (emails.find((i) => i.verified) ?? emails[0])?.value;
  if (!to) throw new ChannelError('invalid_payload', 'This contact has no e-mail address to reply to: add one on the contact, or answer elsewhere and mark the conversation as answered.');

  const root = rootMessageId(message.threadKey);
  const inReplyTo = bareMessageId(message.inReplyToExternalId) ?? root;
  // References: the thread's chain, root first, ending with the message answered (RFC 5322 3.6.4).
  const references = [...new Set([...(root ? [root] : []), ...(message.references ?? []).map((r) => bareMessageId(r)).filter((r): r is string => r !== null), ...(inReplyTo ? [inReplyTo] : [])])];
  const messageId = newMessageId(from);
  const composer = new MailComposer({
    from: config.fromName ? { name: config.fromName, address: from } : from,
    to,
    subject: replySubject(message.subject),
    text: message.text,
    messageId: `<${messageId}>`,
    date: now,
    ...(inReplyTo ? { inReplyTo: `<${inReplyTo}>` } : {}),
    ...(references.length ? { references: references.map((r) => `<${r}>`) } : {}),
    // Marks the copy in the sent folder as already recorded by the outbox (see sync-store.ts).
    headers: { [PORTIER_OUTBOX_HEADER]: '1' },
  });
  const raw = await composer.compile().build();
  return { messageId, from, to, raw, headers: { inReplyTo, references } };
}

/** Appends the sent bytes to the sent folder; best effort, because the mail has already gone out. */
export async function appendToSentFolder(config: EmailConfig, raw: Buffer): Promise<boolean> {
  if (!config.sentFolder) return false;
  const client = createImapClient(config.imap, { autoIdle: false, connectionTimeoutMs: 10_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.append(config.sentFolder, raw, ['\\Seen']);
    await client.logout();
    return true;
  } catch {
    client.close();
    return false;
  }
}

/**
 * Sends the reply. Resolves with the Message-ID the message carries (the outbox stores it as the
 * message's external id, so the contact's answer finds the conversation through In-Reply-To).
 */
export async function sendEmailReply(config: EmailConfig, message: OutboundMessage & { references?: string[] }): Promise<SendResult & { raw: Buffer; appendedToSent: boolean }> {
  if (!config.smtp) throw new ChannelError('invalid_config', 'This e-mail entrance has no SMTP server: add one in the entrance settings to send replies from Portier.');
  const composed = await composeReply(config, message);
  const transport = smtpTransport(config.smtp);
  try {
    await transport.sendMail({ envelope: { from: composed.from, to: [composed.to] }, raw: composed.raw });
  } catch (err) {
    throw toSendError(err, config.smtp);
  } finally {
    transport.close();
  }
  const appendedToSent = config.appendToSent ? await appendToSentFolder(config, composed.raw) : false;
  return { externalId: composed.messageId, raw: composed.raw, appendedToSent };
}
