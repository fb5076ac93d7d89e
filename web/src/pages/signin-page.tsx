import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { signIn } from '../api/endpoints.ts';
import { useDocumentTitle } from '../components/document-title.ts';
import { TextField } from '../components/fields.tsx';
import { FormAlert } from '../components/form-alert.tsx';
import { focusFirstInvalid, isEmail } from '../forms/validation.ts';
import { describeWait, useDescribeError } from '../i18n/describe-error.ts';
import { navigate } from '../router/router.tsx';
import { useSession } from '../session/session-context.tsx';

/** Where to go after signing in: the page that asked for it, if it is one of ours. */
export function nextPath(): string {
  const next = new URLSearchParams(window.location.search).get('next');
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/signin') ? next : '/inbox';
}

export function SignInPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('signin.title'));
  const session = useSession();
  const describeError = useDescribeError();
  const alertRef = useRef<HTMLDivElement>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ email?: string; password?: string }>({});
  // The failure itself is kept, not its text, so switching the language re-translates it.
  const [failure, setFailure] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found: typeof errors = {};
    if (!isEmail(email)) found.email = t('validation.email');
    if (!password) found.password = t('validation.required');
    setErrors(found);
    if (Object.keys(found).length) {
      setFailure(null);
      focusFirstInvalid(event.currentTarget);
      return;
    }
    setSubmitting(true);
    setFailure(null);
    try {
      session.signedIn(await signIn(email.trim(), password));
      navigate(nextPath(), { replace: true });
    } catch (error) {
      setSubmitting(false);
      setFailure(error);
      requestAnimationFrame(() => alertRef.current?.focus());
    }
  }

  function signInProblem(error: unknown): string {
    if (error instanceof ApiError && error.code === 'invalid_credentials') return t('signin.invalidCredentials');
    if (error instanceof ApiError && error.status === 429) return describeWait(t, error.retryAfterSeconds);
    return describeError(error);
  }

  return (
    <div className="narrow-page signin-page">
      <div className="card">
        <h1>{t('signin.title')}</h1>
        <p className="muted">{t('signin.intro')}</p>
        <FormAlert ref={alertRef}>
          {failure ? signInProblem(failure) : session.expired ? t('errors.unauthenticated') : null}
        </FormAlert>
        <form onSubmit={(event) => void handleSubmit(event)} noValidate className="stack">
          <TextField
            label={t('signin.email')}
            type="email"
            value={email}
            onChange={setEmail}
            error={errors.email}
            autoComplete="username"
            spellCheck={false}
            required
            autoFocus
            data-route-focus
          />
          <TextField
            label={t('signin.password')}
            type="password"
            value={password}
            onChange={setPassword}
            error={errors.password}
            autoComplete="current-password"
            required
          />
          <div className="form-actions">
            <button type="submit" className="button-primary button-block" disabled={submitting}>
              {submitting ? t('signin.submitting') : t('signin.submit')}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
