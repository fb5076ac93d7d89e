// Rules for the values a person chooses at setup, shared by the HTTP API and the CLI.
import { MIN_PASSWORD_LENGTH } from '../security/passwords.ts';

export const LOCALES = ['en', 'fr', 'de', 'it'] as const;
export type Locale = (typeof LOCALES)[number];

export const HANDLE_PATTERN = '^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$';
const HANDLE_RE = new RegExp(HANDLE_PATTERN);
/** Handles that would shadow Portier's own paths or mislead visitors. */
const RESERVED_HANDLES = new Set(['api', 'admin', 'setup', 'signin', 'login', 'inbox', 'settings', 'entrances', 'portier', 'www', 'static', 'assets', 'docs', 'healthz', 'readyz', 'support', 'help']);

export function checkHandle(handle: string): string | null {
  if (!HANDLE_RE.test(handle)) return 'must be 3 to 40 characters: lower-case letters, digits and inner hyphens';
  if (RESERVED_HANDLES.has(handle)) return 'is reserved; choose another';
  return null;
}

export function checkTimeZone(tz: string): string | null {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz.includes('/') || tz === 'UTC' ? null : 'must be an IANA time zone such as Europe/Zurich';
  } catch {
    return 'is not a known time zone (use an IANA name such as Europe/Zurich)';
  }
}

export function checkPassword(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters long`;
  if (password.length > 1024) return 'must be at most 1024 characters long';
  return null;
}

export function checkEmail(email: string): string | null {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim()) ? null : 'is not an e-mail address';
}
