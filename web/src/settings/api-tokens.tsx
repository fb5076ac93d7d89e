// API tokens: listed by name and prefix, created with chosen scopes, revoked at once. The secret
// exists only in the creation answer, so it is shown once, with a warning and a copy button.
import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { createToken, listTokens, revokeToken } from '../api/endpoints.ts';
import type { ApiToken, TokenScope } from '../api/types.ts';
import { useAnnounce } from '../components/announcer.tsx';
import { Checkbox, CheckboxGroup, SelectField, TextField } from '../components/fields.tsx';
import { FormAlert } from '../components/form-alert.tsx';
import { LoadFailed } from '../components/load-failed.tsx';
import { useLoad } from '../components/use-load.ts';
import { TextWithCode } from '../components/with-code.tsx';
import { focusFirstInvalid } from '../forms/validation.ts';
import { describeError as explainError, useDescribeError } from '../i18n/describe-error.ts';
import { useFormatters } from '../i18n/format.ts';

const EXPIRY_CHOICES = ['30', '90', '365', 'never'] as const;

function scopeKey(scopes: TokenScope[]): string {
  if (scopes.includes('read') && scopes.includes('write')) return 'both';
  return scopes[0] ?? 'none';
}

export function ApiTokens() {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const describeError = useDescribeError();
  const tokens = useLoad(() => listTokens().then((r) => r.items), []);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);

  async function revoke(token: ApiToken) {
    if (!window.confirm(t('settings.tokens.revokeConfirm', { name: token.name }))) return;
    try {
      await revokeToken(token.id);
      if (tokens.status === 'loaded') tokens.replace(tokens.data.filter((item) => item.id !== token.id));
      announce('settings.tokens.revoked', { name: token.name });
    } catch (error) {
      announce((t) => explainError(t, error));
    }
  }

  return (
    <section className="card page-section" aria-labelledby="settings-tokens">
      <h2 id="settings-tokens">{t('settings.tokens.title')}</h2>
      <p className="muted">{t('settings.tokens.intro')}</p>
      {created ? <NewTokenSecret name={created.name} secret={created.secret} onDismiss={() => setCreated(null)} /> : null}
      {tokens.status === 'loading' ? (
        <p className="muted" aria-busy="true">
          {t('app.loading')}
        </p>
      ) : tokens.status === 'failed' ? (
        <LoadFailed error={tokens.error} onRetry={tokens.reload} />
      ) : tokens.data.length === 0 ? (
        <p className="empty-state">{t('settings.tokens.empty')}</p>
      ) : (
        <TokenList tokens={tokens.data} onRevoke={(token) => void revoke(token)} />
      )}
      <CreateTokenForm
        onCreated={(token, secret) => {
          if (tokens.status === 'loaded') tokens.replace([token, ...tokens.data]);
          else tokens.reload();
          setCreated({ name: token.name, secret });
          announce('settings.tokens.created', { name: token.name });
        }}
      />
    </section>
  );
}

function TokenList({ tokens, onRevoke }: { tokens: ApiToken[]; onRevoke(token: ApiToken): void }) {
  const { t } = useTranslation();
  const format = useFormatters();
  return (
    <ul className="token-list" aria-label={t('settings.tokens.listLabel')}>
      {tokens.map((token) => (
        <li key={token.id} className="token-row">
          <div className="token-main">
            <span className="token-name">{token.name}</span>
            <span className="token-scopes">{t('settings.tokens.scopeNames', { scopes: scopeKey(token.scopes) })}</span>
          </div>
          <p className="token-meta">
            <span>
              <TextWithCode text={(prefix) => t('settings.tokens.prefix', { prefix })} code={`${token.prefix}…`} />
            </span>
            <span>{t('settings.tokens.createdAt', { date: format.dateTime(token.createdAt) })}</span>
            <span>
              {token.lastUsedAt
                ? t('settings.tokens.lastUsed', { date: format.relative(token.lastUsedAt) })
                : t('settings.tokens.neverUsed')}
            </span>
            <span>
              {token.expiresAt
                ? t('settings.tokens.expiresAt', { date: format.dateTime(token.expiresAt) })
                : t('settings.tokens.noExpiry')}
            </span>
          </p>
          <button
            type="button"
            className="button-quiet button-danger"
            aria-label={t('settings.tokens.revokeNamed', { name: token.name })}
            onClick={() => onRevoke(token)}
          >
            {t('settings.tokens.revoke')}
          </button>
        </li>
      ))}
    </ul>
  );
}

function NewTokenSecret({ name, secret, onDismiss }: { name: string; secret: string; onDismiss(): void }) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const inputRef = useRef<HTMLInputElement>(null);
  const titleRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => titleRef.current?.focus(), [secret]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      announce('settings.tokens.copied');
    } catch {
      inputRef.current?.select();
      announce('settings.tokens.copyFailed');
    }
  }

  return (
    <div className="new-token" role="region" aria-labelledby="new-token-title">
      <h3 id="new-token-title" tabIndex={-1} ref={titleRef}>
        {t('settings.tokens.secretTitle', { name })}
      </h3>
      <p className="new-token-warning">{t('settings.tokens.secretWarning')}</p>
      <div className="copy-row">
        <label htmlFor="new-token-secret" className="visually-hidden">
          {t('settings.tokens.secretLabel')}
        </label>
        <input
          id="new-token-secret"
          ref={inputRef}
          className="secret"
          value={secret}
          readOnly
          spellCheck={false}
          onFocus={(event) => event.target.select()}
        />
        <button type="button" className="button-primary" onClick={() => void copy()}>
          {t('settings.tokens.copy')}
        </button>
      </div>
      <button type="button" className="button-quiet" onClick={onDismiss}>
        {t('settings.tokens.dismiss')}
      </button>
    </div>
  );
}

function CreateTokenForm({ onCreated }: { onCreated(token: ApiToken, secret: string): void }) {
  const { t } = useTranslation();
  const describeError = useDescribeError();
  const alertRef = useRef<HTMLDivElement>(null);
  const [name, setName] = useState('');
  const [read, setRead] = useState(true);
  const [write, setWrite] = useState(false);
  const [expiry, setExpiry] = useState<string>('365');
  const [errors, setErrors] = useState<{ name?: string; scopes?: string }>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const scopes: TokenScope[] = [...(read ? (['read'] as const) : []), ...(write ? (['write'] as const) : [])];
    const found: typeof errors = {};
    if (!name.trim()) found.name = t('validation.required');
    if (!scopes.length) found.scopes = t('validation.scopes');
    setErrors(found);
    if (Object.keys(found).length) return focusFirstInvalid(form);
    setCreating(true);
    setFailure(null);
    try {
      const answer = await createToken({
        name: name.trim(),
        scopes,
        ...(expiry === 'never' ? {} : { expiresInDays: Number(expiry) }),
      });
      setName('');
      onCreated(answer.token, answer.secret);
    } catch (error) {
      setFailure(error);
      requestAnimationFrame(() => alertRef.current?.focus());
    } finally {
      setCreating(false);
    }
  }

  return (
    <form onSubmit={(event) => void handleSubmit(event)} noValidate className="stack token-form" aria-labelledby="create-token-title">
      <h3 id="create-token-title">{t('settings.tokens.create')}</h3>
      <FormAlert ref={alertRef}>{failure ? describeError(failure) : null}</FormAlert>
      <TextField
        label={t('settings.tokens.name')}
        hint={t('settings.tokens.nameHint')}
        value={name}
        onChange={setName}
        error={errors.name}
        maxLength={80}
        autoComplete="off"
        required
      />
      <CheckboxGroup legend={t('settings.tokens.scopes')} error={errors.scopes}>
        <Checkbox label={t('settings.tokens.scopeRead')} checked={read} onChange={setRead} />
        <Checkbox label={t('settings.tokens.scopeWrite')} checked={write} onChange={setWrite} />
      </CheckboxGroup>
      <SelectField className="field-narrow" label={t('settings.tokens.expiry')} value={expiry} onChange={setExpiry}>
        {EXPIRY_CHOICES.map((choice) => (
          <option key={choice} value={choice}>
            {choice === 'never' ? t('settings.tokens.expiryNever') : t('settings.tokens.expiryDays', { days: Number(choice) })}
          </option>
        ))}
      </SelectField>
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={creating}>
          {creating ? t('settings.tokens.creating') : t('settings.tokens.create')}
        </button>
      </div>
    </form>
  );
}
