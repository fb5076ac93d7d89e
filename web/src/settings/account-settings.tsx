import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { updateAccount } from '../api/endpoints.ts';
import type { User } from '../api/types.ts';
import { useAnnounce } from '../components/announcer.tsx';
import { SelectField, TextField } from '../components/fields.tsx';
import { FormAlert } from '../components/form-alert.tsx';
import { focusFirstInvalid } from '../forms/validation.ts';
import { useDescribeError } from '../i18n/describe-error.ts';
import { browserLocale, LOCALE_NAMES, storeLocale, SUPPORTED_LOCALES, toLocale } from '../i18n/locales.ts';

export function AccountSettings({ user, onSaved }: { user: User; onSaved(user: User): void }) {
  const { t, i18n } = useTranslation();
  const announce = useAnnounce();
  const describeError = useDescribeError();
  const alertRef = useRef<HTMLDivElement>(null);
  const [displayName, setDisplayName] = useState(user.displayName);
  const [locale, setLocale] = useState(toLocale(user.locale) ?? '');
  const [error, setError] = useState<string | undefined>();
  const [failure, setFailure] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!displayName.trim()) {
      setError(t('validation.required'));
      return focusFirstInvalid(event.currentTarget);
    }
    setError(undefined);
    setSaving(true);
    setFailure(null);
    try {
      const saved = await updateAccount({ displayName: displayName.trim(), locale: locale || null });
      onSaved(saved);
      // Saving a preference is an explicit choice: it applies here at once.
      const next = toLocale(saved.locale);
      storeLocale(next ?? null);
      const shown = next ?? browserLocale();
      if (shown !== i18n.language) await i18n.changeLanguage(shown);
      announce('settings.account.saved');
    } catch (caught) {
      setFailure(caught);
      requestAnimationFrame(() => alertRef.current?.focus());
    } finally {
      setSaving(false);
    }
  }

  return (
    <form onSubmit={(event) => void handleSubmit(event)} noValidate className="stack">
      <FormAlert ref={alertRef}>{failure ? describeError(failure) : null}</FormAlert>
      <TextField
        label={t('settings.account.displayName')}
        value={displayName}
        onChange={setDisplayName}
        error={error}
        autoComplete="name"
        required
      />
      <TextField label={t('settings.account.email')} type="email" value={user.email} onChange={() => undefined} readOnly />
      <SelectField label={t('settings.account.locale')} value={locale} onChange={setLocale}>
        <option value="">{t('settings.account.localeBrowser')}</option>
        {SUPPORTED_LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </SelectField>
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={saving}>
          {saving ? t('common.saving') : t('common.save')}
        </button>
      </div>
    </form>
  );
}
