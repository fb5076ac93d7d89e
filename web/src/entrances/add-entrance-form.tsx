import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { createEntrance } from '../api/endpoints.ts';
import { ENTRANCE_KINDS } from '../api/types.ts';
import type { Entrance, EntranceKind, WebhookConnection } from '../api/types.ts';
import { useAnnounce } from '../components/announcer.tsx';
import { Checkbox, SelectField, TextField } from '../components/fields.tsx';
import { FormAlert } from '../components/form-alert.tsx';
import { focusFirstInvalid, isHttpUrl } from '../forms/validation.ts';
import { useDescribeError } from '../i18n/describe-error.ts';
import { emptyMailServer, mailServerChange, validateMailServer, type MailServerErrors } from './mail-server.ts';
import { MailServerSection } from './mail-server-section.tsx';

const NOTHING_SAVED = { imap: null, smtp: null } as const;

// Kinds reached through a public profile page, where the URL is what the storefront links to.
const PROFILE_KINDS = new Set<EntranceKind>(['linkedin', 'xing', 'x', 'bluesky', 'mastodon', 'instagram', 'messenger', 'booking']);

const DEFAULT_TARGET_HOURS = '24';

export function AddEntranceForm({ onAdded }: { onAdded(entrance: Entrance, connection?: WebhookConnection): void }) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const describeError = useDescribeError();
  const alertRef = useRef<HTMLDivElement>(null);
  const [kind, setKind] = useState<EntranceKind>('email');
  const [label, setLabel] = useState('');
  const [publicUrl, setPublicUrl] = useState('');
  const [targetHours, setTargetHours] = useState(DEFAULT_TARGET_HOURS);
  const [showOnStorefront, setShowOnStorefront] = useState(true);
  const [errors, setErrors] = useState<{ label?: string; publicUrl?: string; targetHours?: string }>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [submitting, setSubmitting] = useState(false);
  const [mail, setMail] = useState(emptyMailServer);
  const [mailErrors, setMailErrors] = useState<MailServerErrors>({});
  // The mail server can be set later (edit the entrance); once anything is typed, it must be whole.
  const mailInUse = kind === 'email' && Boolean(mail.addresses.trim() || mail.imapHost.trim() || mail.imapUser.trim());

  const sortedKinds = [...ENTRANCE_KINDS].sort((a, b) => t(`entrances.kind.${a}`).localeCompare(t(`entrances.kind.${b}`)));

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const found: typeof errors = {};
    const hours = Number(targetHours.replace(',', '.'));
    if (!label.trim()) found.label = t('validation.required');
    if (publicUrl.trim() && !isHttpUrl(publicUrl.trim())) found.publicUrl = t('validation.url');
    if (!Number.isFinite(hours) || hours <= 0) found.targetHours = t('validation.positiveNumber');
    const foundMail = mailInUse ? validateMailServer(mail, NOTHING_SAVED) : {};
    setErrors(found);
    setMailErrors(foundMail);
    if (Object.keys(found).length || Object.keys(foundMail).length) return focusFirstInvalid(form);

    setSubmitting(true);
    setFailure(null);
    try {
      // One request: a refused mail server setting leaves no half-made entrance behind to retry into.
      const { connection, ...entrance } = await createEntrance({
        kind,
        label: label.trim(),
        ...(publicUrl.trim() ? { publicUrl: publicUrl.trim() } : {}),
        showOnStorefront,
        responseTargetMinutes: Math.round(hours * 60),
        ...(mailInUse ? { config: mailServerChange(mail) } : {}),
      });
      onAdded(entrance, connection);
      setMail(emptyMailServer());
      announce('entrances.add.added', { label: entrance.label });
      setLabel('');
      setPublicUrl('');
      setTargetHours(DEFAULT_TARGET_HOURS);
    } catch (error) {
      setFailure(error);
      if (error instanceof ApiError) {
        const fromServer = {
          label: error.fieldError('label'),
          publicUrl: error.fieldError('publicUrl'),
          targetHours: error.fieldError('responseTargetMinutes'),
        };
        setErrors(Object.fromEntries(Object.entries(fromServer).filter(([, v]) => v)));
      }
      requestAnimationFrame(() => alertRef.current?.focus());
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <form onSubmit={(event) => void handleSubmit(event)} noValidate className="stack">
      <FormAlert ref={alertRef}>{failure ? describeError(failure) : null}</FormAlert>
      <div className="field-row">
        <SelectField label={t('entrances.add.kind')} value={kind} onChange={(value) => setKind(value as EntranceKind)}>
          {sortedKinds.map((k) => (
            <option key={k} value={k}>
              {t(`entrances.kind.${k}`)}
            </option>
          ))}
        </SelectField>
        <TextField
          label={t('entrances.add.label')}
          hint={t('entrances.add.labelHint')}
          value={label}
          onChange={setLabel}
          error={errors.label}
          maxLength={120}
          required
        />
      </div>
      <TextField
        label={
          <>
            {t('entrances.add.publicUrl')}
            {PROFILE_KINDS.has(kind) ? null : <span className="label-optional"> ({t('common.optional')})</span>}
          </>
        }
        hint={t('entrances.add.publicUrlHint')}
        type="url"
        inputMode="url"
        value={publicUrl}
        onChange={setPublicUrl}
        error={errors.publicUrl}
        spellCheck={false}
        autoCapitalize="none"
        placeholder="https://"
      />
      <TextField
        className="field-narrow"
        label={t('entrances.add.responseTarget')}
        hint={t('entrances.add.responseTargetHint')}
        type="number"
        inputMode="decimal"
        min="0.25"
        step="any"
        value={targetHours}
        onChange={setTargetHours}
        error={errors.targetHours}
        required
      />
      <Checkbox label={t('entrances.add.showOnStorefront')} checked={showOnStorefront} onChange={setShowOnStorefront} />
      {kind === 'email' ? (
        <MailServerSection fields={mail} onChange={setMail} saved={NOTHING_SAVED} errors={mailErrors} onErrors={setMailErrors} entranceId={null} />
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={submitting}>
          {submitting ? t('entrances.add.submitting') : t('entrances.add.submit')}
        </button>
      </div>
    </form>
  );
}
