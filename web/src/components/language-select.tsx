import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { isLocale, LOCALE_NAMES, storeLocale, SUPPORTED_LOCALES } from '../i18n/locales.ts';

/** Switches the interface language at once and remembers the choice in this browser. */
export function LanguageSelect() {
  const { t, i18n } = useTranslation();
  const id = useId();
  return (
    <div className="language-select">
      <label htmlFor={id}>{t('nav.language')}</label>
      <select
        id={id}
        value={i18n.resolvedLanguage ?? i18n.language}
        onChange={(event) => {
          const locale = event.target.value;
          if (!isLocale(locale)) return;
          storeLocale(locale);
          void i18n.changeLanguage(locale);
        }}
      >
        {SUPPORTED_LOCALES.map((locale) => (
          <option key={locale} value={locale} lang={locale}>
            {LOCALE_NAMES[locale]}
          </option>
        ))}
      </select>
    </div>
  );
}
