// The "Mail server" part of an e-mail entrance's form as plain data: what the fields hold, how
// saved settings fill them, what they must satisfy, and the settings change they send. Secrets are
// write-only: an empty password field keeps the saved one.
import type { EmailSettings, ProviderSettings, TlsMode } from '../api/types.ts';

export type AuthMethod = 'password' | 'token';

export interface MailServerFields {
  addresses: string;
  fromName: string;
  imapHost: string;
  imapPort: string;
  imapSecure: TlsMode;
  imapUser: string;
  imapAuth: AuthMethod;
  imapSecret: string;
  smtpHost: string;
  smtpPort: string;
  smtpSecure: TlsMode;
  /** SMTP logs in with the IMAP user and password. */
  smtpSame: boolean;
  smtpUser: string;
  smtpSecret: string;
  folders: string;
  sentFolder: string;
}

/** What is saved already and cannot be shown: whether each secret is set. */
export interface SavedSecrets {
  imap: AuthMethod | null;
  smtp: AuthMethod | null;
}

export type MailServerErrors = Partial<Record<keyof MailServerFields, string>>;

export const DEFAULT_FOLDER = 'INBOX';

export function emptyMailServer(): MailServerFields {
  return {
    addresses: '',
    fromName: '',
    imapHost: '',
    imapPort: '993',
    imapSecure: 'implicit',
    imapUser: '',
    imapAuth: 'password',
    imapSecret: '',
    smtpHost: '',
    smtpPort: '465',
    smtpSecure: 'implicit',
    smtpSame: true,
    smtpUser: '',
    smtpSecret: '',
    folders: DEFAULT_FOLDER,
    sentFolder: '',
  };
}

export function fieldsFromSettings(s: EmailSettings | null): { fields: MailServerFields; saved: SavedSecrets } {
  const f = emptyMailServer();
  if (!s) return { fields: f, saved: { imap: null, smtp: null } };
  const imapAuth: AuthMethod | null = s.imap?.accessToken ? 'token' : s.imap?.password ? 'password' : null;
  const smtpAuth: AuthMethod | null = s.smtp?.accessToken ? 'token' : s.smtp?.password ? 'password' : null;
  return {
    fields: {
      ...f,
      addresses: (s.ownAddresses ?? []).join(', '),
      fromName: s.fromName ?? '',
      imapHost: s.imap?.host ?? '',
      imapPort: s.imap ? String(s.imap.port) : f.imapPort,
      imapSecure: s.imap?.secure ?? f.imapSecure,
      imapUser: s.imap?.user ?? '',
      imapAuth: imapAuth ?? 'password',
      smtpHost: s.smtp?.host ?? '',
      smtpPort: s.smtp ? String(s.smtp.port) : f.smtpPort,
      smtpSecure: s.smtp?.secure ?? f.smtpSecure,
      smtpSame: !s.smtp || !s.smtp.user || (s.smtp.user === s.imap?.user && smtpAuth === imapAuth),
      smtpUser: s.smtp?.user ?? '',
      folders: (s.folders?.length ? s.folders : [DEFAULT_FOLDER]).join(', '),
      sentFolder: s.sentFolder ?? '',
    },
    saved: { imap: imapAuth, smtp: smtpAuth },
  };
}

/** The provider's usual servers filled in; the user name becomes the address when empty. */
export function withProvider(f: MailServerFields, provider: ProviderSettings, address: string): MailServerFields {
  return {
    ...f,
    imapHost: provider.imap.host,
    imapPort: String(provider.imap.port),
    imapSecure: provider.imap.secure,
    smtpHost: provider.smtp.host,
    smtpPort: String(provider.smtp.port),
    smtpSecure: provider.smtp.secure,
    imapUser: f.imapUser.trim() ? f.imapUser : address,
  };
}

export const addressesOf = (text: string) => text.split(/[\s,;]+/).map((a) => a.trim()).filter(Boolean);
export const foldersOf = (text: string) => text.split(',').map((a) => a.trim()).filter(Boolean);
const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const isPort = (p: string) => /^\d{1,5}$/.test(p.trim()) && Number(p) >= 1 && Number(p) <= 65535;

/** The usual port for a TLS mode, when the port still holds another mode's usual one. */
export function portForMode(protocol: 'imap' | 'smtp', mode: TlsMode, current: string): string {
  const usual = protocol === 'imap' ? { implicit: '993', starttls: '143', none: '143' } : { implicit: '465', starttls: '587', none: '25' };
  return Object.values(usual).includes(current.trim()) || !current.trim() ? usual[mode] : current;
}

/** Problems as message keys (entrances.mail.errors.*), by field. */
export function validateMailServer(f: MailServerFields, saved: SavedSecrets): Partial<Record<keyof MailServerFields, string>> {
  const e: MailServerErrors = {};
  const addresses = addressesOf(f.addresses);
  if (!addresses.length) e.addresses = 'required';
  else if (addresses.some((a) => !ADDRESS.test(a))) e.addresses = 'address';
  if (!f.imapHost.trim()) e.imapHost = 'required';
  if (!isPort(f.imapPort)) e.imapPort = 'port';
  if (!f.imapUser.trim()) e.imapUser = 'required';
  if (!f.imapSecret && saved.imap !== f.imapAuth) e.imapSecret = f.imapAuth === 'token' ? 'tokenRequired' : 'required';
  if (f.smtpHost.trim()) {
    if (!isPort(f.smtpPort)) e.smtpPort = 'port';
    if (!f.smtpSame && f.smtpUser.trim() && !f.smtpSecret && !saved.smtp) e.smtpSecret = 'required';
    // The saved IMAP password cannot be copied by the browser (it never sees it): type it again.
    if (f.smtpSame && !f.imapSecret && saved.smtp !== f.imapAuth && !e.imapSecret) e.imapSecret = 'retypeForSmtp';
  }
  if (!foldersOf(f.folders).length) e.folders = 'required';
  return e;
}

/** The settings change for PATCH …/entrances/{id} (and "Test connection"): empty secrets keep the saved ones. */
export function mailServerChange(f: MailServerFields): Record<string, unknown> {
  const secret = (auth: AuthMethod, value: string) => (value ? (auth === 'token' ? { accessToken: value, password: null } : { password: value, accessToken: null }) : {});
  const folders = foldersOf(f.folders);
  const smtp = f.smtpHost.trim()
    ? {
        host: f.smtpHost.trim(),
        port: Number(f.smtpPort),
        secure: f.smtpSecure,
        ...(f.smtpSame
          ? { user: f.imapUser.trim(), ...secret(f.imapAuth, f.imapSecret) }
          : f.smtpUser.trim()
            ? { user: f.smtpUser.trim(), ...secret('password', f.smtpSecret) }
            : { user: null, password: null, accessToken: null }),
      }
    : null;
  return {
    ownAddresses: addressesOf(f.addresses),
    fromName: f.fromName.trim() || null,
    imap: { host: f.imapHost.trim(), port: Number(f.imapPort), secure: f.imapSecure, user: f.imapUser.trim(), ...secret(f.imapAuth, f.imapSecret) },
    smtp,
    folders: folders.length === 1 && folders[0]!.toUpperCase() === DEFAULT_FOLDER ? null : folders,
    sentFolder: f.sentFolder.trim() || null,
  };
}
