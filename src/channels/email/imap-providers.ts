// The usual settings of well-known mail providers, offered when the owner types an address. Taken
// from each provider's published help pages; the sent folder is not listed because its name is
// localised (Gmail: "[Gmail]/Gesendet"): "Test connection" finds it by its \Sent attribute instead.
import type { EmailConfig } from './imap-connection.ts';

export interface ProviderSettings {
  name: string;
  imap: Pick<EmailConfig['imap'], 'host' | 'port' | 'secure'>;
  smtp: Pick<NonNullable<EmailConfig['smtp']>, 'host' | 'port' | 'secure'>;
  /** What the owner must know to log in: app passwords, OAuth2. */
  note?: string;
}

const APP_PASSWORD = 'With two-step verification on, log in with an app password created in the account settings, not the usual password.';

const PROVIDERS: { domains: string[]; settings: ProviderSettings }[] = [
  { domains: ['gmail.com', 'googlemail.com'], settings: { name: 'Gmail', imap: { host: 'imap.gmail.com', port: 993, secure: 'implicit' }, smtp: { host: 'smtp.gmail.com', port: 465, secure: 'implicit' }, note: APP_PASSWORD } },
  { domains: ['outlook.com', 'hotmail.com', 'live.com', 'msn.com'], settings: { name: 'Outlook.com', imap: { host: 'outlook.office365.com', port: 993, secure: 'implicit' }, smtp: { host: 'smtp-mail.outlook.com', port: 587, secure: 'starttls' }, note: 'Microsoft accepts OAuth2 (an access token) only; passwords are refused.' } },
  { domains: ['icloud.com', 'me.com', 'mac.com'], settings: { name: 'iCloud Mail', imap: { host: 'imap.mail.me.com', port: 993, secure: 'implicit' }, smtp: { host: 'smtp.mail.me.com', port: 587, secure: 'starttls' }, note: `${APP_PASSWORD} The user name is the part before @icloud.com.` } },
  { domains: ['yahoo.com', 'yahoo.de', 'yahoo.fr'], settings: { name: 'Yahoo Mail', imap: { host: 'imap.mail.yahoo.com', port: 993, secure: 'implicit' }, smtp: { host: 'smtp.mail.yahoo.com', port: 465, secure: 'implicit' }, note: APP_PASSWORD } },
  { domains: ['gmx.ch', 'gmx.de', 'gmx.net', 'gmx.at'], settings: { name: 'GMX', imap: { host: 'imap.gmx.net', port: 993, secure: 'implicit' }, smtp: { host: 'mail.gmx.net', port: 587, secure: 'starttls' }, note: 'Allow IMAP access in the GMX settings (POP3 & IMAP) first.' } },
  { domains: ['web.de'], settings: { name: 'WEB.DE', imap: { host: 'imap.web.de', port: 993, secure: 'implicit' }, smtp: { host: 'smtp.web.de', port: 587, secure: 'starttls' }, note: 'Allow IMAP access in the WEB.DE settings (POP3 & IMAP) first.' } },
  { domains: ['posteo.de', 'posteo.net'], settings: { name: 'Posteo', imap: { host: 'posteo.de', port: 993, secure: 'implicit' }, smtp: { host: 'posteo.de', port: 587, secure: 'starttls' } } },
  { domains: ['mailbox.org'], settings: { name: 'mailbox.org', imap: { host: 'imap.mailbox.org', port: 993, secure: 'implicit' }, smtp: { host: 'smtp.mailbox.org', port: 465, secure: 'implicit' } } },
  { domains: ['bluewin.ch'], settings: { name: 'Bluewin (Swisscom)', imap: { host: 'imaps.bluewin.ch', port: 993, secure: 'implicit' }, smtp: { host: 'smtpauths.bluewin.ch', port: 465, secure: 'implicit' } } },
  { domains: ['ik.me', 'etik.com', 'ikmail.com'], settings: { name: 'Infomaniak', imap: { host: 'mail.infomaniak.com', port: 993, secure: 'implicit' }, smtp: { host: 'mail.infomaniak.com', port: 465, secure: 'implicit' } } },
];

/** The usual settings for this address's provider, when it is a well-known one. */
export function knownProviderSettings(address: string): ProviderSettings | null {
  const domain = address.split('@')[1]?.trim().toLowerCase();
  if (!domain) return null;
  return PROVIDERS.find((p) => p.domains.includes(domain))?.settings ?? null;
}
