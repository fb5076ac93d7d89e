import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { updateWorkspace } from '../api/endpoints.ts';
import type { Workspace } from '../api/types.ts';
import { useAnnounce } from '../components/announcer.tsx';
import { FormAlert } from '../components/form-alert.tsx';
import { focusFirstInvalid } from '../forms/validation.ts';
import { WorkspaceFields } from '../forms/workspace-fields.tsx';
import type { WorkspaceDraft } from '../forms/workspace-fields.tsx';
import { useDescribeError } from '../i18n/describe-error.ts';

export function WorkspaceSettings({
  workspace,
  isOwner,
  onSaved,
}: {
  workspace: Workspace;
  isOwner: boolean;
  onSaved(workspace: Workspace): void;
}) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const describeError = useDescribeError();
  const alertRef = useRef<HTMLDivElement>(null);
  const [draft, setDraft] = useState<WorkspaceDraft>(() => ({ ...workspace }));
  const [errors, setErrors] = useState<{ name?: string; languages?: string }>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found: typeof errors = {};
    if (!draft.name.trim()) found.name = t('validation.required');
    if (!draft.languages.length) found.languages = t('validation.languages');
    setErrors(found);
    if (Object.keys(found).length) return focusFirstInvalid(event.currentTarget);
    setSaving(true);
    setFailure(null);
    try {
      const saved = await updateWorkspace({
        name: draft.name.trim(),
        locale: draft.locale,
        languages: draft.languages,
        timeZone: draft.timeZone,
      });
      onSaved(saved);
      setDraft({ ...saved });
      announce('settings.workspace.saved');
    } catch (error) {
      setFailure(error);
      requestAnimationFrame(() => alertRef.current?.focus());
    } finally {
      setSaving(false);
    }
  }

  return (
    <section className="card page-section" aria-labelledby="settings-workspace">
      <h2 id="settings-workspace">{t('settings.workspace.title')}</h2>
      {isOwner ? null : <p className="alert alert-info">{t('settings.workspace.ownerOnly')}</p>}
      <FormAlert ref={alertRef}>{failure ? describeError(failure) : null}</FormAlert>
      <form onSubmit={(event) => void handleSubmit(event)} noValidate className="stack">
        <WorkspaceFields draft={draft} errors={errors} onChange={setDraft} handleEditable={false} disabled={!isOwner} />
        {isOwner ? (
          <div className="form-actions">
            <button type="submit" className="button-primary" disabled={saving}>
              {saving ? t('common.saving') : t('common.save')}
            </button>
          </div>
        ) : null}
      </form>
    </section>
  );
}
