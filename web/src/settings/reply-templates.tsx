// Reply templates: short texts the composer inserts when you type "/" and their shortcut. Each has
// a language, so the same shortcut can exist in French and German and the right one is chosen.
import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { createTemplate, deleteTemplate, listTemplates, updateTemplate } from '../api/endpoints.ts';
import type { NewTemplate, Template } from '../api/types.ts';
import { useAnnounce } from '../components/announcer.tsx';
import { SelectField, TextAreaField, TextField } from '../components/fields.tsx';
import { FormAlert } from '../components/form-alert.tsx';
import { LoadFailed } from '../components/load-failed.tsx';
import { useLoad } from '../components/use-load.ts';
import { TEMPLATE_VARIABLES } from '../inbox/reply-templates.ts';
import { focusFirstInvalid } from '../forms/validation.ts';
import { describeError as explainError, useDescribeError } from '../i18n/describe-error.ts';
import { LOCALE_NAMES, isLocale } from '../i18n/locales.ts';
import { useSignedInSession } from '../session/session-context.tsx';

// Mirrors the server's rule: lowercase letters, digits and inner hyphens.
const SHORTCUT = /^[a-z0-9][a-z0-9-]{0,30}$/;

export function ReplyTemplates() {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const describeError = useDescribeError();
  const templates = useLoad((signal) => listTemplates(signal).then((r) => r.items), []);
  const [editing, setEditing] = useState<string | null>(null);

  async function remove(template: Template) {
    if (!window.confirm(t('settings.templates.removeConfirm', { name: template.name }))) return;
    try {
      await deleteTemplate(template.id);
      if (templates.status === 'loaded') templates.replace(templates.data.filter((item) => item.id !== template.id));
      announce('settings.templates.removed', { name: template.name });
    } catch (error) {
      announce((t) => explainError(t, error));
    }
  }

  const unavailable = templates.status === 'failed' && templates.error instanceof ApiError && templates.error.status === 404;

  return (
    <section className="card page-section" aria-labelledby="settings-templates">
      <h2 id="settings-templates">{t('settings.templates.title')}</h2>
      <p className="muted">{t('settings.templates.intro')}</p>
      {templates.status === 'loading' ? (
        <p className="muted" aria-busy="true">
          {t('app.loading')}
        </p>
      ) : unavailable ? (
        <p className="empty-state">{t('settings.templates.unavailable')}</p>
      ) : templates.status === 'failed' ? (
        <LoadFailed error={templates.error} onRetry={templates.reload} />
      ) : templates.data.length === 0 ? (
        <p className="empty-state">{t('settings.templates.empty')}</p>
      ) : (
        <ul className="template-admin-list" aria-label={t('settings.templates.listLabel')}>
          {templates.data.map((template) =>
            editing === template.id ? (
              <li key={template.id} className="template-row is-editing">
                <TemplateForm
                  template={template}
                  onSaved={(saved) => {
                    templates.replace(templates.data.map((item) => (item.id === saved.id ? saved : item)));
                    setEditing(null);
                  }}
                  onCancel={() => setEditing(null)}
                />
              </li>
            ) : (
              <li key={template.id} className="template-row">
                <div className="template-row-head">
                  <span className="template-shortcut">/{template.shortcut}</span>
                  <span className="template-name">{template.name}</span>
                  <span className="template-locale">{template.locale.toUpperCase()}</span>
                </div>
                <p className="template-body">{template.body}</p>
                <div className="template-row-actions">
                  <button
                    type="button"
                    className="button-quiet"
                    aria-label={t('settings.templates.editNamed', { name: template.name })}
                    onClick={() => setEditing(template.id)}
                  >
                    {t('settings.templates.edit')}
                  </button>
                  <button
                    type="button"
                    className="button-quiet button-danger"
                    aria-label={t('settings.templates.removeNamed', { name: template.name })}
                    onClick={() => void remove(template)}
                  >
                    {t('settings.templates.remove')}
                  </button>
                </div>
              </li>
            ),
          )}
        </ul>
      )}
      {unavailable ? null : (
        <div className="token-form">
          <h3 id="template-new-title">{t('settings.templates.new')}</h3>
          <TemplateForm
            onSaved={(created) => {
              if (templates.status === 'loaded') templates.replace([...templates.data, created]);
              else templates.reload();
            }}
          />
        </div>
      )}
    </section>
  );
}

function TemplateForm({
  template,
  onSaved,
  onCancel,
}: {
  template?: Template;
  onSaved(template: Template): void;
  onCancel?(): void;
}) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const describeError = useDescribeError();
  const { workspace } = useSignedInSession();
  const alertRef = useRef<HTMLDivElement>(null);
  const [draft, setDraft] = useState<NewTemplate>(
    () => template ?? { name: '', shortcut: '', locale: workspace.locale, body: '' },
  );
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const set = (changes: Partial<NewTemplate>) => setDraft((d) => ({ ...d, ...changes }));
  const locales = [...new Set([...workspace.languages, workspace.locale, draft.locale])].filter(isLocale);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const shortcut = draft.shortcut.trim().replace(/^\//, '').toLowerCase();
    const found: Record<string, string> = {};
    if (!draft.name.trim()) found.name = t('validation.required');
    if (!SHORTCUT.test(shortcut)) found.shortcut = t('settings.templates.shortcutRule');
    if (!draft.body.trim()) found.body = t('validation.required');
    setErrors(found);
    if (Object.keys(found).length) return focusFirstInvalid(form);
    const input = { name: draft.name.trim(), shortcut, locale: draft.locale, body: draft.body.trim() };
    setSaving(true);
    setFailure(null);
    try {
      const saved = template ? await updateTemplate(template.id, input) : await createTemplate(input);
      announce('settings.templates.saved', { name: saved.name });
      if (!template) setDraft({ name: '', shortcut: '', locale: draft.locale, body: '' });
      onSaved(saved);
    } catch (error) {
      setFailure(error);
      if (error instanceof ApiError) {
        setErrors({ name: error.fieldError('name'), shortcut: error.fieldError('shortcut'), body: error.fieldError('body') });
      }
      requestAnimationFrame(() => alertRef.current?.focus());
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="stack" onSubmit={(event) => void handleSubmit(event)} noValidate>
      <FormAlert ref={alertRef}>{failure ? describeError(failure) : null}</FormAlert>
      <div className="field-row">
        <TextField
          label={t('settings.templates.name')}
          value={draft.name}
          onChange={(name) => set({ name })}
          error={errors.name}
          maxLength={80}
          autoComplete="off"
        />
        <TextField
          label={t('settings.templates.shortcut')}
          hint={t('settings.templates.shortcutHint')}
          value={draft.shortcut}
          onChange={(shortcut) => set({ shortcut })}
          error={errors.shortcut}
          maxLength={31}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
        />
        <SelectField label={t('settings.templates.locale')} value={draft.locale} onChange={(locale) => set({ locale })}>
          {locales.map((locale) => (
            <option key={locale} value={locale}>
              {LOCALE_NAMES[locale]}
            </option>
          ))}
        </SelectField>
      </div>
      <TextAreaField
        label={t('settings.templates.body')}
        hint={t('settings.templates.bodyHint', { variables: TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(', ') })}
        value={draft.body}
        onChange={(body) => set({ body })}
        error={errors.body}
        rows={5}
      />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={saving}>
          {saving ? t('common.saving') : template ? t('common.save') : t('settings.templates.create')}
        </button>
        {onCancel ? (
          <button type="button" className="button-quiet" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        ) : null}
      </div>
    </form>
  );
}
