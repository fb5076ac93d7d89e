import { describe, expect, it } from 'vitest';
import { emptyMailServer, fieldsFromSettings, mailServerChange, portForMode, validateMailServer, withProvider } from './mail-server.ts';

const filled = () => ({
  ...emptyMailServer(),
  addresses: 'claire@atelier-dubois.ch, info@atelier-dubois.ch',
  fromName: 'Claire Dubois',
  imapHost: 'imap.example.ch',
  imapUser: 'claire',
  imapSecret: 'pw',
  smtpHost: 'smtp.example.ch',
});

describe('the mail server form', () => {
  it('turns the fields into a nested settings change; the SMTP login follows IMAP when asked', () => {
    expect(mailServerChange(filled())).toEqual({
      ownAddresses: ['claire@atelier-dubois.ch', 'info@atelier-dubois.ch'],
      fromName: 'Claire Dubois',
      imap: { host: 'imap.example.ch', port: 993, secure: 'implicit', user: 'claire', password: 'pw', accessToken: null },
      smtp: { host: 'smtp.example.ch', port: 465, secure: 'implicit', user: 'claire', password: 'pw', accessToken: null },
      folders: null,
      sentFolder: null,
    });
  });

  it('an empty password keeps the saved one; no SMTP server removes SMTP', () => {
    const change = mailServerChange({ ...filled(), imapSecret: '', smtpHost: '', folders: 'INBOX, Kunden', sentFolder: 'Sent' });
    expect(change.imap).toEqual({ host: 'imap.example.ch', port: 993, secure: 'implicit', user: 'claire' });
    expect(change).toMatchObject({ smtp: null, folders: ['INBOX', 'Kunden'], sentFolder: 'Sent' });
  });

  it('says what is missing, and asks for the password again when SMTP must reuse a saved one', () => {
    expect(validateMailServer(emptyMailServer(), { imap: null, smtp: null })).toEqual({ addresses: 'required', imapHost: 'required', imapUser: 'required', imapSecret: 'required' });
    expect(validateMailServer({ ...filled(), addresses: 'claire', imapPort: '99999' }, { imap: null, smtp: null })).toEqual({ addresses: 'address', imapPort: 'port' });
    expect(validateMailServer({ ...filled(), imapSecret: '' }, { imap: 'password', smtp: null })).toEqual({ imapSecret: 'retypeForSmtp' });
    expect(validateMailServer({ ...filled(), imapSecret: '' }, { imap: 'password', smtp: 'password' })).toEqual({});
    expect(validateMailServer({ ...filled(), imapSecret: '', imapAuth: 'token' }, { imap: 'password', smtp: 'password' })).toEqual({ imapSecret: 'tokenRequired' });
  });

  it('fills the fields from the settings shown (secrets only as "saved")', () => {
    const { fields, saved } = fieldsFromSettings({
      ownAddresses: ['claire@atelier-dubois.ch'],
      imap: { host: 'imap.example.ch', port: 143, secure: 'starttls', user: 'claire', password: { set: true } },
      smtp: { host: 'smtp.example.ch', port: 587, secure: 'starttls', user: 'other', password: { set: true } },
      sentFolder: 'Sent',
    });
    expect(saved).toEqual({ imap: 'password', smtp: 'password' });
    expect(fields).toMatchObject({ addresses: 'claire@atelier-dubois.ch', imapPort: '143', imapSecret: '', smtpSame: false, smtpUser: 'other', folders: 'INBOX', sentFolder: 'Sent' });
  });

  it('fills a provider\'s usual servers and follows the TLS mode with the usual port', () => {
    const f = withProvider(emptyMailServer(), { name: 'Gmail', imap: { host: 'imap.gmail.com', port: 993, secure: 'implicit' }, smtp: { host: 'smtp.gmail.com', port: 465, secure: 'implicit' } }, 'anna@gmail.com');
    expect(f).toMatchObject({ imapHost: 'imap.gmail.com', imapUser: 'anna@gmail.com', smtpHost: 'smtp.gmail.com', smtpPort: '465' });
    expect(portForMode('imap', 'starttls', '993')).toBe('143');
    expect(portForMode('smtp', 'starttls', '465')).toBe('587');
    expect(portForMode('imap', 'starttls', '10143')).toBe('10143');
  });
});
