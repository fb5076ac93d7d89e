// The e-mail entrance's settings and its IMAP connection: how a config becomes an ImapFlow client,
// and how whatever went wrong becomes one precise sentence for the owner. No storage, no jobs.
import { Type, type Static } from '@sinclair/typebox';
import { ImapFlow } from 'imapflow';
import { ChannelError, type ChannelErrorKind } from '../contract.ts';

const TlsMode = Type.Union([Type.Literal('implicit'), Type.Literal('starttls'), Type.Literal('none')], {
  description: 'implicit: TLS from the first byte (IMAP 993, SMTP 465); starttls: upgrade after connecting (IMAP 143, SMTP 587); none: plaintext, for loopback only',
});

const MailServer = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 253 }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    secure: TlsMode,
    user: Type.String({ minLength: 1, maxLength: 320 }),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    /** OAuth2 bearer token (XOAUTH2); whoever holds the refresh token writes a fresh one here. */
    accessToken: Type.Optional(Type.String({ maxLength: 8192 })),
  },
  { additionalProperties: false },
);

const SmtpServer = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 253 }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    secure: TlsMode,
    /** Absent: the server relays without authentication (a local relay). */
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    accessToken: Type.Optional(Type.String({ maxLength: 8192 })),
  },
  { additionalProperties: false },
);

export const EmailConfigSchema = Type.Object(
  {
    imap: MailServer,
    smtp: Type.Optional(SmtpServer),
    /** Folders whose new mail is inquiries; INBOX when absent. */
    folders: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { minItems: 1, maxItems: 20 })),
    /** Where the owner's mail program keeps sent mail: replies found there stop the clock. */
    sentFolder: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    /** The owner's addresses: mail from them is the owner's own, never an inquiry. The first one sends. */
    ownAddresses: Type.Array(Type.String({ minLength: 3, maxLength: 320, pattern: '^[^\\s@]+@[^\\s@]+$' }), { minItems: 1, maxItems: 50 }),
    /** The owner's name on outgoing mail. */
    fromName: Type.Optional(Type.String({ maxLength: 200 })),
    /** How far back the first sync reaches; 30 days by default. */
    initialWindowDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    /** Append a copy of each reply to sentFolder (for servers that do not keep one themselves). */
    appendToSent: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export type EmailConfig = Static<typeof EmailConfigSchema>;
export type ImapServerConfig = EmailConfig['imap'];
export type SmtpServerConfig = NonNullable<EmailConfig['smtp']>;

export const DEFAULT_INITIAL_WINDOW_DAYS = 30;
/** RFC 2177: clients re-issue IDLE at least every 29 minutes; we stay well inside that. */
export const IDLE_RESTART_MS = 25 * 60_000;

export function watchedFolders(config: EmailConfig): string[] {
  const folders = config.folders?.length ? [...config.folders] : ['INBOX'];
  // The sent folder goes last: a reply found there must find the conversation it answers, which
  // the inbound folders create.
  if (config.sentFolder && !folders.includes(config.sentFolder)) folders.push(config.sentFolder);
  return folders;
}

export interface ImapClientOptions {
  /** Off for the sync loop, which starts IDLE itself right after each pass. */
  autoIdle?: boolean;
  maxIdleTime?: number;
  connectionTimeoutMs?: number;
}

/** A new client for each connection: an ImapFlow instance cannot be reconnected once closed. */
export function createImapClient(imap: ImapServerConfig, options: ImapClientOptions = {}): ImapFlow {
  return new ImapFlow({
    host: imap.host,
    port: imap.port,
    secure: imap.secure === 'implicit',
    doSTARTTLS: imap.secure === 'starttls' ? true : imap.secure === 'none' ? false : undefined,
    auth: imap.accessToken ? { user: imap.user, accessToken: imap.accessToken } : { user: imap.user, pass: imap.password ?? '' },
    logger: false,
    disableAutoIdle: options.autoIdle === false,
    maxIdleTime: options.maxIdleTime ?? IDLE_RESTART_MS,
    missingIdleCommand: 'NOOP',
    connectionTimeout: options.connectionTimeoutMs ?? 20_000,
    greetingTimeout: 16_000,
    socketTimeout: 30 * 60_000,
    clientInfo: { name: 'Portier' },
  });
}

export interface DescribedError {
  kind: ChannelErrorKind | 'folder_missing';
  /** One sentence for the owner: what happened, with the server's own words. */
  reason: string;
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_NOT_YET_VALID', 'CERT_REVOKED', 'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** Turns an IMAP (or socket) error into a kind and a sentence naming the server, the user and the server's words. */
export function describeImapError(err: unknown, imap: Pick<ImapServerConfig, 'host' | 'port' | 'user'>): DescribedError {
  const e = (err ?? {}) as { message?: string; code?: string; authenticationFailed?: boolean; serverResponseCode?: string; responseText?: string; response?: string };
  const server = `${imap.host}:${imap.port}`;
  const said = (e.responseText || (typeof e.response === 'string' ? e.response : '') || e.message || String(err)).trim();
  if (e.authenticationFailed) {
    const code = e.serverResponseCode ? `[${e.serverResponseCode}] ` : '';
    return { kind: 'auth_failed', reason: `IMAP login refused for user ${imap.user} on ${server}: ${code}${said.replace(/^\[[A-Z-]+\]\s*/, '')}` };
  }
  if (e.serverResponseCode === 'NONEXISTENT' || e.code === 'NoSuchMailbox' || e.code === 'NotFound') return { kind: 'folder_missing', reason: `${e.message ?? 'A watched folder does not exist'} (on ${server}). Check the folder names in the entrance settings.` };
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return { kind: 'temporary', reason: `The IMAP server name ${imap.host} could not be resolved (DNS ${e.code}).` };
  if (e.code === 'ECONNREFUSED') return { kind: 'temporary', reason: `The IMAP server ${server} refused the connection.` };
  if (e.code === 'ETIMEDOUT' || e.code === 'CONNECT_TIMEOUT' || e.code === 'GREETING_TIMEOUT') return { kind: 'temporary', reason: `The IMAP server ${server} did not answer in time (${e.code}).` };
  if (e.code && TLS_CODES.has(e.code)) return { kind: 'invalid_config', reason: `The TLS certificate of ${server} was refused (${e.code}): ${e.message}` };
  if (e.code === 'NoConnection' || e.code === 'EConnectionClosed' || e.code === 'ECONNRESET' || e.code === 'EPIPE') return { kind: 'temporary', reason: `The connection to ${server} was lost (${e.code}).` };
  return { kind: 'temporary', reason: `IMAP error on ${server}: ${said}${e.code ? ` (${e.code})` : ''}` };
}

export function toChannelError(err: unknown, imap: Pick<ImapServerConfig, 'host' | 'port' | 'user'>): ChannelError {
  const d = describeImapError(err, imap);
  return new ChannelError(d.kind === 'folder_missing' ? 'invalid_config' : d.kind, d.reason, { cause: err });
}
