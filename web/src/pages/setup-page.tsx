// First start: the owner opens the link the server printed (/setup#token=…), creates the
// workspace and their account, and is signed in. The token travels in the fragment so it never
// reaches server logs or Referer headers until the form sends it.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { checkSetupToken, completeSetup } from '../api/endpoints.ts';
import { useAnnounce } from '../components/announcer.tsx';
import { useDocumentTitle } from '../components/document-title.ts';
import { FormAlert } from '../components/form-alert.tsx';
import { TextWithCode } from '../components/with-code.tsx';
import { useDescribeError } from '../i18n/describe-error.ts';
import { useFormatters } from '../i18n/format.ts';
import { initialLocale, toLocale } from '../i18n/locales.ts';
import { navigate } from '../router/router.tsx';
import { useSession } from '../session/session-context.tsx';
import { TextField } from '../components/fields.tsx';
import { PasswordFields, validatePasswords } from '../forms/password-fields.tsx';
import { focusFirstInvalid, isEmail, isHandle, suggestHandle } from '../forms/validation.ts';
import { WorkspaceFields } from '../forms/workspace-fields.tsx';
import type { WorkspaceDraft } from '../forms/workspace-fields.tsx';

const NEW_LINK_COMMAND = 'npx portier setup --link';

type TokenState = { status: 'checking' } | { status: 'valid'; expiresAt: number } | { status: 'invalid'; reason: 'missing' | 'used' };

function readToken(): string | null {
  const params = new URLSearchParams(window.location.hash.slice(1));
  return params.get('token') || new URLSearchParams(window.location.search).get('token');
}

function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

type Errors = Partial<Record<'name' | 'handle' | 'languages' | 'displayName' | 'email' | 'password' | 'confirm', string>>;

export function SetupPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('setup.title'));
  const token = useMemo(readToken, []);
  const [tokenState, setTokenState] = useState<TokenState>(token ? { status: 'checking' } : { status: 'invalid', reason: 'missing' });
  const describeError = useDescribeError();
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    if (!token) return;
    let cancelled = false;
    checkSetupToken(token)
      .then((answer) => !cancelled && setTokenState({ status: 'valid', expiresAt: answer.expiresAt }))
      .catch((error: unknown) => {
        if (cancelled) return;
        if (error instanceof ApiError && (error.status === 410 || error.status === 404 || error.code === 'setup_token_invalid')) {
          setTokenState({ status: 'invalid', reason: 'used' });
        } else {
          setLoadError(describeError(error));
        }
      });
    return () => {
      cancelled = true;
    };
  }, [token, describeError]);

  if (loadError) {
    return (
      <div className="narrow-page">
        <h1>{t('setup.title')}</h1>
        <FormAlert>{loadError}</FormAlert>
        <button type="button" onClick={() => window.location.reload()}>
          {t('common.retry')}
        </button>
      </div>
    );
  }
  if (tokenState.status === 'checking') {
    return (
      <div className="narrow-page" aria-busy="true">
        <h1>{t('setup.title')}</h1>
        <p className="muted">{t('setup.checking')}</p>
      </div>
    );
  }
  if (tokenState.status === 'invalid') {
    return (
      <div className="narrow-page">
        <h1>{t('setup.invalidTitle')}</h1>
        <div className="alert alert-error" role="alert">
          <p>
            <TextWithCode
              text={(command) => t(tokenState.reason === 'missing' ? 'setup.missingToken' : 'setup.invalidToken', { command })}
              code={NEW_LINK_COMMAND}
            />
          </p>
        </div>
        <p>
          <a href="/signin">{t('setup.signInInstead')}</a>
        </p>
      </div>
    );
  }
  return <SetupForm token={token ?? ''} expiresAt={tokenState.expiresAt} onTokenRejected={() => setTokenState({ status: 'invalid', reason: 'used' })} />;
}

function SetupForm({ token, expiresAt, onTokenRejected }: { token: string; expiresAt: number; onTokenRejected(): void }) {
  const { t, i18n } = useTranslation();
  const format = useFormatters();
  const session = useSession();
  const announce = useAnnounce();
  const describeError = useDescribeError();
  const alertRef = useRef<HTMLDivElement>(null);

  const [workspace, setWorkspace] = useState<WorkspaceDraft>(() => {
    const locale = initialLocale();
    return { name: '', handle: '', locale, languages: [locale], timeZone: browserTimeZone() };
  });
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [handleTouched, setHandleTouched] = useState(false);
  // Until the owner picks languages themselves, they follow the interface language.
  const [languagesTouched, setLanguagesTouched] = useState(false);
  const interfaceLocale = toLocale(i18n.resolvedLanguage ?? i18n.language);
  useEffect(() => {
    if (languagesTouched || !interfaceLocale) return;
    setWorkspace((draft) =>
      draft.locale === interfaceLocale && draft.languages.length === 1 && draft.languages[0] === interfaceLocale
        ? draft
        : { ...draft, locale: interfaceLocale, languages: [interfaceLocale] },
    );
  }, [interfaceLocale, languagesTouched]);

  function validate(): Errors {
    const found: Errors = {};
    if (!workspace.name.trim()) found.name = t('validation.required');
    if (!isHandle(workspace.handle)) found.handle = t('validation.handle');
    if (workspace.languages.length === 0) found.languages = t('validation.languages');
    if (!displayName.trim()) found.displayName = t('validation.required');
    if (!isEmail(email)) found.email = t('validation.email');
    Object.assign(found, validatePasswords(t, password, confirm));
    return found;
  }

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const found = validate();
    setErrors(found);
    const count = Object.keys(found).length;
    if (count > 0) {
      setFormError(t('validation.summary', { count }));
      focusFirstInvalid(event.currentTarget as HTMLFormElement);
      return;
    }
    setFormError(null);
    setSubmitting(true);
    try {
      const created = await completeSetup({
        token,
        workspace: { ...workspace, name: workspace.name.trim() },
        owner: { email: email.trim(), password, displayName: displayName.trim() },
      });
      session.signedIn(created);
      announce('setup.created');
      history.replaceState(null, '', '/setup'); // drop the spent token from the address bar
      navigate('/inbox', { replace: true });
    } catch (error) {
      setSubmitting(false);
      if (error instanceof ApiError && error.code === 'setup_token_invalid') return onTokenRejected();
      if (error instanceof ApiError && error.code === 'conflict') setFormError(t('setup.conflict'));
      else setFormError(describeError(error));
      if (error instanceof ApiError) setErrors(serverFieldErrors(error));
      requestAnimationFrame(() => alertRef.current?.focus());
    }
  }

  return (
    <div className="narrow-page setup-page">
      <h1>{t('setup.title')}</h1>
      <p className="lead">{t('setup.intro')}</p>
      <p className="muted small">{t('setup.expiresAt', { time: format.dateTime(expiresAt) })}</p>
      <FormAlert ref={alertRef}>{formError}</FormAlert>
      <form onSubmit={(event) => void handleSubmit(event)} noValidate className="stack">
        <section className="card" aria-labelledby="setup-workspace">
          <h2 id="setup-workspace">{t('setup.workspaceSection')}</h2>
          <WorkspaceFields
            draft={workspace}
            errors={errors}
            onChange={(next) => {
              // Suggest a handle from the name until the owner edits the handle themselves.
              if (!handleTouched && next.name !== workspace.name) next = { ...next, handle: suggestHandle(next.name) };
              if (next.locale !== workspace.locale || next.languages.join() !== workspace.languages.join()) {
                setLanguagesTouched(true);
              }
              setWorkspace(next);
            }}
            onHandleEdited={() => setHandleTouched(true)}
            handleEditable
          />
        </section>
        <section className="card" aria-labelledby="setup-account">
          <h2 id="setup-account">{t('setup.accountSection')}</h2>
          <TextField
            label={t('setup.displayName')}
            value={displayName}
            onChange={setDisplayName}
            error={errors.displayName}
            autoComplete="name"
            required
          />
          <TextField
            label={t('setup.email')}
            type="email"
            value={email}
            onChange={setEmail}
            error={errors.email}
            autoComplete="email"
            spellCheck={false}
            required
          />
          <PasswordFields
            password={password}
            confirm={confirm}
            onPassword={setPassword}
            onConfirm={setConfirm}
            errors={errors}
            labels={{ password: t('setup.password'), confirm: t('setup.confirmPassword') }}
            hint={t('setup.passwordHint')}
          />
        </section>
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={submitting}>
            {submitting ? t('setup.submitting') : t('setup.submit')}
          </button>
        </div>
      </form>
    </div>
  );
}

function serverFieldErrors(error: ApiError): Errors {
  const found: Errors = {};
  const map: Array<[keyof Errors, string]> = [
    ['name', 'name'],
    ['handle', 'handle'],
    ['languages', 'languages'],
    ['displayName', 'displayName'],
    ['email', 'email'],
    ['password', 'password'],
  ];
  for (const [key, field] of map) {
    const message = error.fieldError(field);
    if (message) found[key] = message;
  }
  return found;
}
