// i18next with ICU MessageFormat (i18next-icu → intl-messageformat): plurals, selects and
// numbers follow CLDR rules per language, and translators write one standard syntax.
import i18next from 'i18next';
import ICU from 'i18next-icu';
import { initReactI18next } from 'react-i18next';
import { de } from './messages/de.ts';
import { en } from './messages/en.ts';
import { fr } from './messages/fr.ts';
import { it } from './messages/it.ts';
import { initialLocale, SUPPORTED_LOCALES } from './locales.ts';

export const resources = {
  en: { translation: en },
  fr: { translation: fr },
  de: { translation: de },
  it: { translation: it },
};

export function setDocumentLanguage(locale: string): void {
  document.documentElement.lang = locale;
}

export async function startI18n(): Promise<typeof i18next> {
  i18next.on('languageChanged', setDocumentLanguage);
  await i18next
    .use(ICU)
    .use(initReactI18next)
    .init({
      resources,
      lng: initialLocale(),
      fallbackLng: 'en',
      supportedLngs: [...SUPPORTED_LOCALES],
      // React escapes text itself.
      interpolation: { escapeValue: false },
      returnNull: false,
      react: { useSuspense: false },
    });
  setDocumentLanguage(i18next.language);
  return i18next;
}
