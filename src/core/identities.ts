// One person, many identities: each normalised so that the same address written differently
// ("Anna.Meier@Example.CH ", "+41 79 123 45 67", "0791234567") is recognised as the same.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { IdentityClaim } from '../channels/contract.ts';

export interface NormalizedIdentity {
  kind: IdentityClaim['kind'];
  value: string;
  normalized: string;
  verified: boolean;
}

/** Returns null when the claimed value is not a valid identity of its kind (it is then dropped). */
export function normalizeIdentity(claim: IdentityClaim, defaultCountry: CountryCode = 'CH'): NormalizedIdentity | null {
  const value = claim.value.trim();
  if (!value) return null;
  let normalized: string | null;
  switch (claim.kind) {
    case 'email':
      normalized = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) ? value.toLowerCase() : null;
      break;
    case 'phone':
    case 'whatsapp': {
      // WhatsApp ids are phone numbers without "+"; other phones may be written in national form.
      const candidate = claim.kind === 'whatsapp' && /^\d+$/.test(value) ? `+${value}` : value;
      const phone = parsePhoneNumberFromString(candidate, defaultCountry);
      normalized = phone?.isValid() ? phone.number : null;
      break;
    }
    case 'url':
    case 'linkedin':
    case 'xing':
      normalized = normalizeProfileUrl(value);
      break;
    default:
      normalized = value.toLowerCase();
  }
  return normalized ? { kind: claim.kind === 'whatsapp' ? 'phone' : claim.kind, value, normalized, verified: claim.verified } : null;
}

/** Profile URLs compare without scheme, "www.", query, fragment, trailing slash or case. */
export function normalizeProfileUrl(value: string): string | null {
  try {
    const u = new URL(/^https?:\/\//i.test(value) ? value : `https://${value}`);
    return `${u.hostname.replace(/^www\./, '').toLowerCase()}${u.pathname.replace(/\/+$/, '').toLowerCase()}`;
  } catch {
    return null;
  }
}

/** Kinds strong enough to link a message to an existing contact when verified. */
export const STRONG_IDENTITY_KINDS = new Set(['email', 'phone']);
