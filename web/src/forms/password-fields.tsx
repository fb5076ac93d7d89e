// A new password typed twice. Used by setup and by "Change password".
import type { TFunction } from 'i18next';
import { TextField } from '../components/fields.tsx';
import { MIN_PASSWORD_LENGTH } from './validation.ts';

export function validatePasswords(t: TFunction, password: string, confirm: string): { password?: string; confirm?: string } {
  const errors: { password?: string; confirm?: string } = {};
  if (password.length < MIN_PASSWORD_LENGTH) errors.password = t('validation.passwordLength');
  else if (password !== confirm) errors.confirm = t('validation.passwordMismatch');
  return errors;
}

export function PasswordFields({
  password,
  confirm,
  onPassword,
  onConfirm,
  errors,
  labels,
  hint,
}: {
  password: string;
  confirm: string;
  onPassword(value: string): void;
  onConfirm(value: string): void;
  errors: { password?: string | undefined; confirm?: string | undefined };
  labels: { password: string; confirm: string };
  hint: string;
}) {
  return (
    <>
      <TextField
        label={labels.password}
        type="password"
        value={password}
        onChange={onPassword}
        error={errors.password}
        hint={hint}
        autoComplete="new-password"
        minLength={MIN_PASSWORD_LENGTH}
        required
      />
      <TextField
        label={labels.confirm}
        type="password"
        value={confirm}
        onChange={onConfirm}
        error={errors.confirm}
        autoComplete="new-password"
        required
      />
    </>
  );
}
