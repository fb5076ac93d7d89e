import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { changePassword } from '../api/endpoints.ts';
import { useAnnounce } from '../components/announcer.tsx';
import { TextField } from '../components/fields.tsx';
import { FormAlert } from '../components/form-alert.tsx';
import { PasswordFields, validatePasswords } from '../forms/password-fields.tsx';
import { focusFirstInvalid } from '../forms/validation.ts';
import { useDescribeError } from '../i18n/describe-error.ts';

export function PasswordSettings({ email }: { email: string }) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const describeError = useDescribeError();
  const alertRef = useRef<HTMLDivElement>(null);
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<{ current?: string; password?: string; confirm?: string }>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const found = { ...validatePasswords(t, password, confirm), ...(current ? {} : { current: t('validation.required') }) };
    setErrors(found);
    if (Object.keys(found).length) return focusFirstInvalid(form);
    setSaving(true);
    setFailure(null);
    try {
      await changePassword(current, password);
      setCurrent('');
      setPassword('');
      setConfirm('');
      announce('settings.password.changed');
    } catch (error) {
      if (error instanceof ApiError && error.code === 'invalid_credentials') {
        setErrors({ current: t('settings.password.wrongCurrent') });
        focusFirstInvalid(form);
      } else {
        setFailure(error);
        requestAnimationFrame(() => alertRef.current?.focus());
      }
    } finally {
      setSaving(false);
    }
  }

  return (
    <form onSubmit={(event) => void handleSubmit(event)} noValidate className="stack" aria-labelledby="settings-password">
      <h3 id="settings-password">{t('settings.password.title')}</h3>
      <FormAlert ref={alertRef}>{failure ? describeError(failure) : null}</FormAlert>
      {/* Lets password managers tie the new password to the right account. */}
      <input type="text" name="username" autoComplete="username" hidden readOnly value={email} />
      <TextField
        label={t('settings.password.current')}
        type="password"
        value={current}
        onChange={setCurrent}
        error={errors.current}
        autoComplete="current-password"
        required
      />
      <PasswordFields
        password={password}
        confirm={confirm}
        onPassword={setPassword}
        onConfirm={setConfirm}
        errors={errors}
        labels={{ password: t('settings.password.new'), confirm: t('settings.password.confirm') }}
        hint={t('setup.passwordHint')}
      />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={saving}>
          {saving ? t('common.saving') : t('settings.password.submit')}
        </button>
      </div>
    </form>
  );
}
