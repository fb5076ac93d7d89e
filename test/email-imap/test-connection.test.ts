// "Test connection" stops at the first step that fails and says what to do: DNS, TCP, TLS,
// login, folders, SMTP login — checked against the private Dovecot and an SMTP sink.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testEmailConnection } from '../../src/channels/email/imap-test-connection.ts';
import { knownProviderSettings } from '../../src/channels/email/imap-providers.ts';
import { appendMails, buildMail, dovecotAvailable, emailConfig, newMailUser, startSmtpSink } from './support.ts';

const hasDovecot = dovecotAvailable();

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!hasDovecot)('testing an e-mail connection', () => {
  it('says the server name does not exist', async () => {
    const r = await testEmailConnection({ ...emailConfig('x'), imap: { ...emailConfig('x').imap, host: 'imap.portier-test.invalid' } });
    expect(r.ok).toBe(false);
    expect(r.imap).toMatchObject({ step: 'dns', message: expect.stringContaining('"imap.portier-test.invalid" could not be found') });
    expect(r.imap.help).toContain('spelling');
  });

  it('says nothing listens on the port', async () => {
    const port = await closedPort();
    const r = await testEmailConnection({ ...emailConfig('x'), imap: { ...emailConfig('x').imap, port } });
    expect(r.imap).toMatchObject({ ok: false, step: 'tcp', message: `127.0.0.1:${port} refused the connection (ECONNREFUSED).` });
    expect(r.imap.help).toContain('993');
  });

  it('says the port does not speak TLS when implicit TLS meets a plaintext port', async () => {
    const r = await testEmailConnection({ ...emailConfig('x'), imap: { ...emailConfig('x').imap, secure: 'implicit' } }, { timeoutMs: 3000 });
    expect(r.imap).toMatchObject({ ok: false, step: 'tls' });
    expect(r.imap.help).toContain('STARTTLS');
  });

  it.skipIf(!hasOpenssl())('says a self-signed certificate is refused, and what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portier-cert-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    const server = createTlsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (s) => s.end('* OK fake\r\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const r = await testEmailConnection({ ...emailConfig('x'), imap: { ...emailConfig('x').imap, host: 'localhost', port, secure: 'implicit' } });
      expect(r.imap).toMatchObject({ ok: false, step: 'tls', message: expect.stringContaining('DEPTH_ZERO_SELF_SIGNED_CERT') });
      expect(r.imap.help).toContain('self-signed');
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says the login was refused, in the server\'s words', async () => {
    const user = newMailUser('tc');
    const r = await testEmailConnection({ ...emailConfig(user), imap: { ...emailConfig(user).imap, password: 'nope' } });
    expect(r.imap).toMatchObject({ ok: false, step: 'login', message: `The IMAP server refused the login for user ${user}: [AUTHENTICATIONFAILED] Authentication failed.` });
    expect(r.imap.help).toContain('app password');
  });

  it('names a missing folder, lists the folders there and finds the sent folder', async () => {
    const user = newMailUser('tc');
    await appendMails(user, 'INBOX', [buildMail({})]);
    const r = await testEmailConnection(emailConfig(user, { folders: ['INBOX', 'Kunden'] }));
    expect(r.imap).toMatchObject({ ok: false, step: 'folders', message: 'Logged in, but "Kunden" does not exist on the server.' });
    expect(r.imap.help).toContain('INBOX');
    expect(r.suggestedSentFolder).toBe('Sent');
  });

  it('passes with working IMAP and SMTP, and refuses a bad SMTP login', async () => {
    const user = newMailUser('tc');
    const sink = await startSmtpSink();
    const refusing = await startSmtpSink({ refuseAuth: true });
    try {
      const good = await testEmailConnection(emailConfig(user, { sentFolder: 'Sent', smtp: { host: '127.0.0.1', port: sink.port, secure: 'none', user: 'claire', password: 'x' } }));
      expect(good.ok).toBe(true);
      expect(good.imap.message).toBe(`Connected to 127.0.0.1 as ${user}; INBOX, Sent found.`);
      expect(good.smtp).toMatchObject({ ok: true, step: 'send' });
      const bad = await testEmailConnection(emailConfig(user, { smtp: { host: '127.0.0.1', port: refusing.port, secure: 'none', user: 'claire', password: 'x' } }));
      expect(bad.ok).toBe(false);
      expect(bad.smtp).toMatchObject({ ok: false, step: 'login', message: expect.stringContaining('SMTP login refused for user claire') });
    } finally {
      await sink.close();
      await refusing.close();
    }
  });
});

describe('well-known providers', () => {
  it('offers the usual settings by address', () => {
    expect(knownProviderSettings('anna@gmail.com')).toMatchObject({ name: 'Gmail', imap: { host: 'imap.gmail.com', port: 993, secure: 'implicit' } });
    expect(knownProviderSettings('claire@atelier-dubois.ch')).toBeNull();
  });
});

