// The languages of the app, how the first one is chosen, and where the choice is remembered.

export const SUPPORTED_LOCALES = ['en', 'fr', 'de', 'it'] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];

/** Each language named in itself, so a person can find their own in any interface language. */
export const LOCALE_NAMES: Record<Locale, string> = {
  en: 'English',
  fr: 'Français',
  de: 'Deutsch',
  it: 'Italiano',
};

const STORAGE_KEY = 'portier.locale';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (SUPPORTED_LOCALES as readonly string[]).includes(value);
}

/** "de-CH" → "de"; anything unsupported → undefined. */
export function toLocale(tag: string | null | undefined): Locale | undefined {
  const base = tag?.toLowerCase().split(/[-_]/)[0];
  return isLocale(base) ? base : undefined;
}

export function readStoredLocale(): Locale | undefined {
  try {
    return toLocale(localStorage.getItem(STORAGE_KEY));
  } catch {
    return undefined; // storage disabled (private mode, strict settings)
  }
}

export function storeLocale(locale: Locale | null): void {
  try {
    if (locale) localStorage.setItem(STORAGE_KEY, locale);
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // The choice then lasts for this page only, which is acceptable.
  }
}

export function browserLocale(): Locale {
  const tags = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of tags) {
    const locale = toLocale(tag);
    if (locale) return locale;
  }
  return 'en';
}

/** A choice made in this browser wins, then the browser's own languages. */
export function initialLocale(): Locale {
  return readStoredLocale() ?? browserLocale();
}
