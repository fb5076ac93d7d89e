// "Test connection": walks the way a connection goes — name lookup, TCP, TLS, login, folders — and
// stops at the first step that fails, saying in plain words what happened and what to do. The same
// for SMTP when one is set. Used by the entrance settings before saving, and by support.
import { lookup } from 'node:dns/promises';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import nodemailer from 'nodemailer';
import { createImapClient, watchedFolders, type EmailConfig } from './imap-connection.ts';
import { knownProviderSettings, type ProviderSettings } from './imap-providers.ts';
import { toSendError } from './smtp-send.ts';

export type CheckStep = 'dns' | 'tcp' | 'tls' | 'login' | 'folders' | 'send';

export interface CheckResult {
  ok: boolean;
  /** The step that failed, or the last one that passed. */
  step: CheckStep;
  message: string;
  /** What to do about it; absent when all is well. */
  help?: string;
}

export interface ConnectionReport {
  ok: boolean;
  imap: CheckResult;
  smtp: CheckResult | null;
  /** Folders found on the server, and the one marked \Sent, to offer in the settings. */
  folders?: string[];
  suggestedSentFolder?: string;
  /** The usual settings when the address belongs to a well-known provider. */
  provider?: ProviderSettings;
}

const CERT_HELP: Record<string, string> = {
  CERT_HAS_EXPIRED: 'The server\'s certificate has expired. Tell your mail provider; do not turn certificate checks off.',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'The server presents a self-signed certificate. Use the provider\'s official server name, whose certificate is trusted.',
  SELF_SIGNED_CERT_IN_CHAIN: 'The certificate chain ends in an untrusted (self-signed) root. Use the provider\'s official server name.',
  ERR_TLS_CERT_ALTNAME_INVALID: 'The certificate belongs to another name than the one entered. Use the server name your provider documents (the one on the certificate).',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'The server does not send its full certificate chain. Tell your mail provider.',
};

type Server = { host: string; port: number; secure: 'implicit' | 'starttls' | 'none' };

async function checkReachable(server: Server, protocol: 'IMAP' | 'SMTP', timeoutMs: number): Promise<CheckResult | null> {
  const where = `${server.host}:${server.port}`;
  try {
    await lookup(server.host);
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    return { ok: false, step: 'dns', message: `The ${protocol} server name "${server.host}" could not be found (DNS: ${code}).`, help: code === 'EAI_AGAIN' ? 'The name server did not answer: check this machine\'s network, then try again.' : 'Check the spelling of the server name; your provider\'s help pages give it (for example imap.gmail.com).' };
  }
  const tcp = await new Promise<{ code: string } | null>((resolve) => {
    const socket = tcpConnect({ host: server.host, port: server.port });
    const done = (r: { code: string } | null) => {
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(timeoutMs, () => done({ code: 'TIMEOUT' }));
    socket.once('connect', () => done(null));
    socket.once('error', (err: NodeJS.ErrnoException) => done({ code: err.code ?? 'error' }));
  });
  if (tcp) {
    const usual = protocol === 'IMAP' ? '993 (TLS) or 143 (STARTTLS)' : '465 (TLS) or 587 (STARTTLS)';
    return tcp.code === 'TIMEOUT'
      ? { ok: false, step: 'tcp', message: `${where} did not answer within ${Math.round(timeoutMs / 1000)} s.`, help: `A firewall may block the port, or the port is wrong: ${protocol} usually uses ${usual}.` }
      : { ok: false, step: 'tcp', message: `${where} refused the connection (${tcp.code}).`, help: `Nothing listens there: check the port (${protocol} usually uses ${usual}) and the server name.` };
  }
  if (server.secure !== 'implicit') return null;
  const tls = await new Promise<{ code: string; message: string } | null>((resolve) => {
    const socket = tlsConnect({ host: server.host, port: server.port, servername: server.host, timeout: timeoutMs });
    const done = (r: { code: string; message: string } | null) => {
      socket.destroy();
      resolve(r);
    };
    socket.once('secureConnect', () => done(null));
    socket.once('timeout', () => done({ code: 'TIMEOUT', message: 'no TLS handshake' }));
    socket.once('error', (err: NodeJS.ErrnoException) => done({ code: err.code ?? 'error', message: err.message }));
  });
  if (!tls) return null;
  if (tls.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || tls.code === 'EPROTO' || tls.code === 'TIMEOUT' || tls.code === 'ECONNRESET') {
    return { ok: false, step: 'tls', message: `${where} does not speak TLS from the first byte (${tls.code}).`, help: `Choose STARTTLS for this port, or the TLS port (${protocol === 'IMAP' ? '993' : '465'}).` };
  }
  return { ok: false, step: 'tls', message: `The TLS certificate of ${where} was refused: ${tls.message} (${tls.code}).`, help: CERT_HELP[tls.code] ?? 'The certificate cannot be trusted. Use the provider\'s official server name, or ask the provider.' };
}

async function checkImap(config: EmailConfig, timeoutMs: number): Promise<{ result: CheckResult; folders?: string[]; sent?: string }> {
  const unreachable = await checkReachable(config.imap, 'IMAP', timeoutMs);
  if (unreachable) return { result: unreachable };
  const client = createImapClient(config.imap, { autoIdle: false, connectionTimeoutMs: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    client.close();
    const e = err as { authenticationFailed?: boolean; serverResponseCode?: string; responseText?: string; code?: string; message?: string };
    if (e.authenticationFailed) {
      const said = `${e.serverResponseCode ? `[${e.serverResponseCode}] ` : ''}${(e.responseText ?? e.message ?? '').replace(/^\[[A-Z-]+\]\s*/, '')}`;
      return {
        result: {
          ok: false,
          step: 'login',
          message: `The IMAP server refused the login for user ${config.imap.user}: ${said}`,
          help: config.imap.accessToken ? 'The access token was refused: it may have expired; fetch a fresh one.' : 'Check the user name (often the full e-mail address) and the password. Providers with two-step verification need an app password.',
        },
      };
    }
    if (e.code && CERT_HELP[e.code]) return { result: { ok: false, step: 'tls', message: `The TLS certificate of ${config.imap.host} was refused after STARTTLS (${e.code}).`, help: CERT_HELP[e.code] } };
    return { result: { ok: false, step: 'login', message: `The IMAP server ${config.imap.host}:${config.imap.port} answered but the session failed: ${e.responseText ?? e.message ?? String(err)}`, help: 'Check the TLS mode (implicit TLS, STARTTLS) for this port.' } };
  }
  try {
    const list = await client.list();
    const folders = list.map((f) => f.path);
    const sent = list.find((f) => f.specialUse === '\\Sent')?.path;
    const missing = watchedFolders(config).filter((f) => !folders.some((p) => p === f || (f.toUpperCase() === 'INBOX' && p.toUpperCase() === 'INBOX')));
    if (missing.length) {
      return {
        folders,
        sent,
        result: { ok: false, step: 'folders', message: `Logged in, but ${missing.map((m) => `"${m}"`).join(' and ')} ${missing.length === 1 ? 'does' : 'do'} not exist on the server.`, help: `Folders there: ${folders.slice(0, 30).join(', ')}.${sent ? ` The sent folder is "${sent}".` : ''}` },
      };
    }
    return { folders, sent, result: { ok: true, step: 'folders', message: `Connected to ${config.imap.host} as ${config.imap.user}; ${watchedFolders(config).join(', ')} found.` } };
  } finally {
    await client.logout().catch(() => client.close());
  }
}

async function checkSmtp(config: EmailConfig, timeoutMs: number): Promise<CheckResult | null> {
  const smtp = config.smtp;
  if (!smtp) return null;
  const unreachable = await checkReachable(smtp, 'SMTP', timeoutMs);
  if (unreachable) return unreachable;
  const auth = smtp.user ? (smtp.accessToken ? { type: 'OAuth2' as const, user: smtp.user, accessToken: smtp.accessToken } : { user: smtp.user, pass: smtp.password ?? '' }) : undefined;
  const transport = nodemailer.createTransport({ host: smtp.host, port: smtp.port, secure: smtp.secure === 'implicit', requireTLS: smtp.secure === 'starttls', ignoreTLS: smtp.secure === 'none', ...(auth ? { auth } : {}), connectionTimeout: timeoutMs, greetingTimeout: timeoutMs });
  try {
    await transport.verify();
    return { ok: true, step: 'send', message: `The SMTP server ${smtp.host}:${smtp.port} accepts ${smtp.user ? `the login of ${smtp.user}` : 'connections'}.` };
  } catch (err) {
    const e = toSendError(err, smtp);
    return { ok: false, step: e.kind === 'auth_failed' ? 'login' : 'send', message: e.message, help: e.kind === 'auth_failed' ? 'Check the SMTP user and password (often the same as for IMAP; some providers need an app password).' : 'Check the SMTP server, port and TLS mode.' };
  } finally {
    transport.close();
  }
}

export async function testEmailConnection(config: EmailConfig, options: { timeoutMs?: number } = {}): Promise<ConnectionReport> {
  const timeoutMs = options.timeoutMs ?? 8_000;
  const [imap, smtp] = await Promise.all([checkImap(config, timeoutMs), checkSmtp(config, timeoutMs)]);
  const provider = knownProviderSettings(config.ownAddresses[0] ?? config.imap.user) ?? undefined;
  return {
    ok: imap.result.ok && (smtp?.ok ?? true),
    imap: imap.result,
    smtp,
    ...(imap.folders ? { folders: imap.folders } : {}),
    ...(imap.sent ? { suggestedSentFolder: imap.sent } : {}),
    ...(provider ? { provider } : {}),
  };
}
