// The "Mail server" section of an e-mail entrance's form: the owner's addresses, IMAP and SMTP,
// folders; the usual settings of well-known providers filled in from the address; and "Test
// connection", whose result is read out step by step (✓/✗ as text, in a live region).
import { useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { fetchEmailProvider, testEmailConnection } from '../api/endpoints.ts';
import type { ConnectionCheck, ConnectionReport, ConnectionStep, ProviderSettings, TlsMode } from '../api/types.ts';
import { Checkbox, SelectField, TextField } from '../components/fields.tsx';
import { useDescribeError } from '../i18n/describe-error.ts';
import {
  addressesOf,
  mailServerChange,
  portForMode,
  validateMailServer,
  withProvider,
  type MailServerErrors,
  type MailServerFields,
  type SavedSecrets,
} from './mail-server.ts';
import './mail-server.css';

const MODES: TlsMode[] = ['implicit', 'starttls', 'none'];

export function MailServerSection({
  fields,
  onChange,
  saved,
  errors,
  onErrors,
  entranceId,
}: {
  fields: MailServerFields;
  onChange(fields: MailServerFields): void;
  saved: SavedSecrets;
  /** Message keys by field (entrances.mail.errors.*). */
  errors: MailServerErrors;
  onErrors(errors: MailServerErrors): void;
  /** Null for an entrance not added yet: the settings are tested whole. */
  entranceId: string | null;
}) {
  const { t } = useTranslation();
  const describeError = useDescribeError();
  const [provider, setProvider] = useState<ProviderSettings | null>(null);
  const [report, setReport] = useState<ConnectionReport | null>(null);
  const [testFailure, setTestFailure] = useState<unknown>(null);
  const [testing, setTesting] = useState(false);
  const latest = useRef(fields);
  latest.current = fields;
  const autofilled = useRef<string | null>(null);
  const firstAddress = addressesOf(fields.addresses)[0] ?? '';

  const set = <K extends keyof MailServerFields>(key: K, value: MailServerFields[K]) => onChange({ ...latest.current, [key]: value });
  const err = (key: keyof MailServerFields) => (errors[key] ? t(`entrances.mail.errors.${errors[key]}`) : undefined);

  // Typing the address offers the provider's usual settings (without overwriting servers typed by hand).
  useEffect(() => {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(firstAddress)) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      fetchEmailProvider(firstAddress, controller.signal).then(
        ({ provider: found }) => {
          setProvider(found);
          const now = latest.current;
          if (found && (!now.imapHost.trim() || now.imapHost === autofilled.current)) {
            autofilled.current = found.imap.host;
            onChange(withProvider(now, found, firstAddress));
          }
        },
        () => {},
      );
    }, 400);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // onChange changes identity on every render of the parent; the address is what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [firstAddress]);

  async function runTest() {
    const found = validateMailServer(fields, saved);
    onErrors(found);
    setReport(null);
    setTestFailure(null);
    if (Object.keys(found).length) {
      setTestFailure(t('entrances.mail.fixFirst'));
      return;
    }
    setTesting(true);
    try {
      setReport(await testEmailConnection(entranceId, mailServerChange(fields)));
    } catch (error) {
      setTestFailure(error);
    } finally {
      setTesting(false);
    }
  }

  const secretLabel = (auth: 'password' | 'token') => (auth === 'token' ? t('entrances.mail.token') : t('entrances.mail.password'));
  const modeSelect = (protocol: 'imap' | 'smtp') => {
    const value = protocol === 'imap' ? fields.imapSecure : fields.smtpSecure;
    return (
      <SelectField
        label={t('entrances.mail.security')}
        value={value}
        onChange={(mode) => {
          const m = mode as TlsMode;
          onChange(
            protocol === 'imap'
              ? { ...latest.current, imapSecure: m, imapPort: portForMode('imap', m, latest.current.imapPort) }
              : { ...latest.current, smtpSecure: m, smtpPort: portForMode('smtp', m, latest.current.smtpPort) },
          );
        }}
      >
        {MODES.map((m) => (
          <option key={m} value={m}>
            {t(`entrances.mail.secure.${m}`)}
          </option>
        ))}
      </SelectField>
    );
  };

  return (
    <fieldset className="mail-server">
      <legend>{t('entrances.mail.title')}</legend>
      <p className="field-hint">{t('entrances.mail.intro')}</p>
      <div className="field-row">
        <TextField
          label={t('entrances.mail.addresses')}
          hint={t('entrances.mail.addressesHint')}
          type="email"
          inputMode="email"
          autoComplete="email"
          multiple
          spellCheck={false}
          autoCapitalize="none"
          value={fields.addresses}
          onChange={(v) => set('addresses', v)}
          error={err('addresses')}
          required
        />
        <TextField label={t('entrances.mail.fromName')} autoComplete="name" value={fields.fromName} onChange={(v) => set('fromName', v)} maxLength={200} />
      </div>
      {provider ? (
        <p className="mail-provider" role="note">
          {t('entrances.mail.provider', { name: provider.name })}
          {provider.note ? ` ${t(`entrances.mail.providerNote.${noteKey(provider.note)}`, { defaultValue: provider.note })}` : ''}
        </p>
      ) : null}

      <fieldset className="mail-server-part">
        <legend>{t('entrances.mail.incoming')}</legend>
        <div className="mail-server-grid">
          <TextField className="mail-host" label={t('entrances.mail.host')} value={fields.imapHost} onChange={(v) => set('imapHost', v)} error={err('imapHost')} spellCheck={false} autoCapitalize="none" placeholder="imap.example.ch" required />
          <TextField className="mail-port" label={t('entrances.mail.port')} inputMode="numeric" value={fields.imapPort} onChange={(v) => set('imapPort', v)} error={err('imapPort')} required />
          {modeSelect('imap')}
        </div>
        <div className="field-row">
          <TextField label={t('entrances.mail.user')} hint={t('entrances.mail.userHint')} autoComplete="username" spellCheck={false} autoCapitalize="none" value={fields.imapUser} onChange={(v) => set('imapUser', v)} error={err('imapUser')} required />
          <SelectField label={t('entrances.mail.auth')} value={fields.imapAuth} onChange={(v) => set('imapAuth', v as 'password' | 'token')}>
            <option value="password">{t('entrances.mail.authMethod.password')}</option>
            <option value="token">{t('entrances.mail.authMethod.token')}</option>
          </SelectField>
        </div>
        <TextField
          label={secretLabel(fields.imapAuth)}
          hint={saved.imap === fields.imapAuth ? t('entrances.mail.secretSaved') : fields.imapAuth === 'token' ? t('entrances.mail.tokenHint') : undefined}
          type="password"
          autoComplete="new-password"
          value={fields.imapSecret}
          onChange={(v) => set('imapSecret', v)}
          error={err('imapSecret')}
          placeholder={saved.imap === fields.imapAuth ? '••••••••' : undefined}
        />
      </fieldset>

      <fieldset className="mail-server-part">
        <legend>{t('entrances.mail.outgoing')}</legend>
        <p className="field-hint">{t('entrances.mail.outgoingHint')}</p>
        <div className="mail-server-grid">
          <TextField className="mail-host" label={t('entrances.mail.host')} value={fields.smtpHost} onChange={(v) => set('smtpHost', v)} error={err('smtpHost')} spellCheck={false} autoCapitalize="none" placeholder="smtp.example.ch" />
          <TextField className="mail-port" label={t('entrances.mail.port')} inputMode="numeric" value={fields.smtpPort} onChange={(v) => set('smtpPort', v)} error={err('smtpPort')} />
          {modeSelect('smtp')}
        </div>
        <Checkbox label={t('entrances.mail.sameAsImap')} checked={fields.smtpSame} onChange={(v) => set('smtpSame', v)} />
        {fields.smtpSame ? null : (
          <div className="field-row">
            <TextField label={t('entrances.mail.user')} spellCheck={false} autoCapitalize="none" value={fields.smtpUser} onChange={(v) => set('smtpUser', v)} error={err('smtpUser')} />
            <TextField
              label={t('entrances.mail.password')}
              hint={saved.smtp ? t('entrances.mail.secretSaved') : undefined}
              type="password"
              autoComplete="new-password"
              value={fields.smtpSecret}
              onChange={(v) => set('smtpSecret', v)}
              error={err('smtpSecret')}
              placeholder={saved.smtp ? '••••••••' : undefined}
            />
          </div>
        )}
      </fieldset>

      <div className="field-row">
        <TextField label={t('entrances.mail.folders')} hint={t('entrances.mail.foldersHint')} spellCheck={false} value={fields.folders} onChange={(v) => set('folders', v)} error={err('folders')} />
        <TextField
          label={
            <>
              {t('entrances.mail.sentFolder')} <span className="label-optional">({t('common.optional')})</span>
            </>
          }
          hint={t('entrances.mail.sentFolderHint')}
          spellCheck={false}
          value={fields.sentFolder}
          onChange={(v) => set('sentFolder', v)}
        />
      </div>

      <div className="mail-test">
        <button type="button" className="button-outline" onClick={() => void runTest()} disabled={testing} aria-describedby="mail-test-result">
          {testing ? t('entrances.mail.testing') : t('entrances.mail.test')}
        </button>
        <div id="mail-test-result" className="mail-test-result" aria-live="polite" aria-busy={testing}>
          {testFailure ? <p className="field-error">{typeof testFailure === 'string' ? testFailure : describeError(testFailure)}</p> : null}
          {report ? (
            <TestReport
              report={report}
              fields={fields}
              onUseSent={(folder) => set('sentFolder', folder)}
            />
          ) : null}
        </div>
      </div>
    </fieldset>
  );
}

/** The provider notes the server sends, by the words they start with, for translation. */
function noteKey(note: string): string {
  if (note.startsWith('With two-step')) return note.includes('@icloud.com') ? 'icloud' : 'appPassword';
  if (note.startsWith('Microsoft')) return 'oauthOnly';
  if (note.includes('GMX')) return 'gmx';
  if (note.includes('WEB.DE')) return 'webde';
  return 'other';
}

function stepsFor(protocol: 'imap' | 'smtp', fields: MailServerFields): ConnectionStep[] {
  const secure = protocol === 'imap' ? fields.imapSecure : fields.smtpSecure;
  const tls: ConnectionStep[] = secure === 'none' ? [] : ['tls'];
  if (protocol === 'imap') return ['dns', 'tcp', ...tls, 'login', 'folders'];
  const login: ConnectionStep[] = fields.smtpSame || fields.smtpUser.trim() ? ['login'] : [];
  return ['dns', 'tcp', ...tls, ...login, 'send'];
}

function CheckList({ title, check, steps }: { title: string; check: ConnectionCheck; steps: ConnectionStep[] }) {
  const { t } = useTranslation();
  const failedAt = check.ok ? steps.length : Math.max(0, steps.indexOf(check.step));
  const shown = check.ok ? steps : [...steps.slice(0, failedAt), check.step];
  const line = (ok: boolean, children: ReactNode, key: string) => (
    <li key={key} className={ok ? 'check-ok' : 'check-failed'}>
      <span className="check-mark" aria-hidden="true">
        {ok ? '✓' : '✗'}
      </span>
      <span className="visually-hidden">{ok ? t('entrances.mail.passed') : t('entrances.mail.failed')}: </span>
      {children}
    </li>
  );
  return (
    <div className="check-group">
      <h4>{title}</h4>
      <ul className="check-list">
        {shown.map((step, i) => {
          const ok = check.ok || i < shown.length - 1;
          const last = i === shown.length - 1;
          return line(
            ok,
            <>
              <span className="check-step">{t(`entrances.mail.step.${step}`)}</span>
              {last ? <span className="check-message">{check.message}</span> : null}
              {last && check.help ? <span className="check-help">{check.help}</span> : null}
            </>,
            step,
          );
        })}
      </ul>
    </div>
  );
}

function TestReport({ report, fields, onUseSent }: { report: ConnectionReport; fields: MailServerFields; onUseSent(folder: string): void }) {
  const { t } = useTranslation();
  return (
    <div className={`mail-report ${report.ok ? 'mail-report-ok' : 'mail-report-failed'}`}>
      <p className="mail-report-summary">
        {report.ok ? t('entrances.mail.result.ok') : t('entrances.mail.result.failed')}
      </p>
      <CheckList title={t('entrances.mail.incoming')} check={report.imap} steps={stepsFor('imap', fields)} />
      {report.smtp ? <CheckList title={t('entrances.mail.outgoing')} check={report.smtp} steps={stepsFor('smtp', fields)} /> : null}
      {report.suggestedSentFolder && report.suggestedSentFolder !== fields.sentFolder.trim() ? (
        <p>
          {t('entrances.mail.sentFound', { folder: report.suggestedSentFolder })}{' '}
          <button type="button" className="button-quiet" onClick={() => onUseSent(report.suggestedSentFolder!)}>
            {t('entrances.mail.useSentFolder', { folder: report.suggestedSentFolder })}
          </button>
        </p>
      ) : null}
    </div>
  );
}
