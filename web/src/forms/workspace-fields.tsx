// The workspace's name, handle, languages, main language and time zone: filled in at setup and
// edited in the settings.
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Checkbox, CheckboxGroup, SelectField, TextField } from '../components/fields.tsx';
import { TextWithCode } from '../components/with-code.tsx';
import { LOCALE_NAMES, SUPPORTED_LOCALES } from '../i18n/locales.ts';
import type { Locale } from '../i18n/locales.ts';
import { listTimeZones, timeZoneLabel } from './time-zones.ts';

export interface WorkspaceDraft {
  name: string;
  handle: string;
  locale: string;
  languages: string[];
  timeZone: string;
}

export function storefrontUrl(handle: string): string {
  return `${window.location.origin}/@${handle || '…'}`;
}

export function WorkspaceFields({
  draft,
  errors,
  onChange,
  onHandleEdited,
  handleEditable,
  disabled = false,
}: {
  draft: WorkspaceDraft;
  errors: { name?: string | undefined; handle?: string | undefined; languages?: string | undefined };
  onChange(draft: WorkspaceDraft): void;
  onHandleEdited?(): void;
  handleEditable: boolean;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const zones = useMemo(() => listTimeZones(draft.timeZone), [draft.timeZone]);

  function toggleLanguage(locale: Locale, on: boolean) {
    const languages = SUPPORTED_LOCALES.filter((l) => (l === locale ? on : draft.languages.includes(l)));
    // The main language is always one of the offered ones.
    const mainLocale = languages.includes(draft.locale as Locale) ? draft.locale : (languages[0] ?? draft.locale);
    onChange({ ...draft, languages, locale: mainLocale });
  }

  return (
    <>
      <TextField
        label={t('setup.workspaceName')}
        hint={t('setup.workspaceNameHint')}
        value={draft.name}
        onChange={(name) => onChange({ ...draft, name })}
        error={errors.name}
        autoComplete="organization"
        maxLength={120}
        required
        disabled={disabled}
      />
      {handleEditable ? (
        <TextField
          label={t('setup.handle')}
          hint={<TextWithCode text={(url) => t('setup.handleHint', { url })} code={storefrontUrl(draft.handle)} />}
          value={draft.handle}
          onChange={(handle) => {
            onHandleEdited?.();
            onChange({ ...draft, handle: handle.toLowerCase() });
          }}
          error={errors.handle}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          pattern="[a-z0-9-]+"
          maxLength={40}
          required
        />
      ) : (
        <TextField
          label={t('settings.workspace.handle')}
          hint={<TextWithCode text={(url) => t('settings.workspace.handleHint', { url })} code={storefrontUrl(draft.handle)} />}
          value={draft.handle}
          onChange={() => undefined}
          readOnly
        />
      )}
      <CheckboxGroup legend={t('setup.languages')} hint={t('setup.languagesHint')} error={errors.languages}>
        {SUPPORTED_LOCALES.map((locale) => (
          <Checkbox
            key={locale}
            label={<span lang={locale}>{LOCALE_NAMES[locale]}</span>}
            checked={draft.languages.includes(locale)}
            onChange={(on) => toggleLanguage(locale, on)}
            disabled={disabled}
          />
        ))}
      </CheckboxGroup>
      <div className="field-row">
        <SelectField
          label={t('setup.mainLocale')}
          value={draft.locale}
          onChange={(locale) => onChange({ ...draft, locale })}
          disabled={disabled}
        >
          {(draft.languages.length ? draft.languages : [draft.locale]).map((locale) => (
            <option key={locale} value={locale} lang={locale}>
              {LOCALE_NAMES[locale as Locale] ?? locale}
            </option>
          ))}
        </SelectField>
        <SelectField
          label={t('setup.timeZone')}
          value={draft.timeZone}
          onChange={(timeZone) => onChange({ ...draft, timeZone })}
          disabled={disabled}
        >
          {zones.map((zone) => (
            <option key={zone} value={zone}>
              {timeZoneLabel(zone)}
            </option>
          ))}
        </SelectField>
      </div>
    </>
  );
}
