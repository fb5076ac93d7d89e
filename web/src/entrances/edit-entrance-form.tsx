// Changing an entrance in place: its name, public address, response target, review interval,
// storefront visibility, and for a webhook the address replies are posted to.
import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { fetchEntranceSettings, updateEntrance } from '../api/endpoints.ts';
import type { EmailSettings, Entrance, EntranceChanges } from '../api/types.ts';
import { useAnnounce } from '../components/announcer.tsx';
import { Checkbox, TextField } from '../components/fields.tsx';
import { FormAlert } from '../components/form-alert.tsx';
import { focusFirstInvalid, isHttpUrl } from '../forms/validation.ts';
import { useDescribeError } from '../i18n/describe-error.ts';
import { emptyMailServer, fieldsFromSettings, mailServerChange, validateMailServer, type MailServerErrors, type SavedSecrets } from './mail-server.ts';
import { MailServerSection } from './mail-server-section.tsx';
import { DomainCheck } from './domain-check.tsx';

const hoursOf = (minutes: number) => String(Math.round((minutes / 60) * 100) / 100);

export function EditEntranceForm({
  entrance,
  onSaved,
  onCancel,
}: {
  entrance: Entrance;
  onSaved(entrance: Entrance): void;
  onCancel(): void;
}) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const describeError = useDescribeError();
  const alertRef = useRef<HTMLDivElement>(null);
  const [label, setLabel] = useState(entrance.label);
  const [publicUrl, setPublicUrl] = useState(entrance.publicUrl ?? '');
  const [targetHours, setTargetHours] = useState(hoursOf(entrance.responseTargetMinutes));
  const [reviewDays, setReviewDays] = useState(entrance.reviewIntervalDays ? String(entrance.reviewIntervalDays) : '');
  const [showOnStorefront, setShowOnStorefront] = useState(entrance.showOnStorefront);
  const [replyUrl, setReplyUrl] = useState('');
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const isWebhook = entrance.kind === 'webhook';
  const isEmail = entrance.kind === 'email';
  const [mail, setMail] = useState(emptyMailServer);
  const [mailSaved, setMailSaved] = useState<SavedSecrets>({ imap: null, smtp: null });
  const [mailConfigured, setMailConfigured] = useState(false);
  const [mailLoaded, setMailLoaded] = useState(!isEmail);
  const [mailErrors, setMailErrors] = useState<MailServerErrors>({});

  useEffect(() => {
    if (!isEmail) return;
    let live = true;
    fetchEntranceSettings(entrance.id).then(
      ({ config }) => {
        if (!live) return;
        const { fields, saved } = fieldsFromSettings(config as EmailSettings | null);
        setMail(fields);
        setMailSaved(saved);
        setMailConfigured(Boolean(config));
        setMailLoaded(true);
      },
      (error: unknown) => {
        if (!live) return;
        setFailure(error);
        setMailLoaded(true);
      },
    );
    return () => {
      live = false;
    };
  }, [entrance.id, isEmail]);
  // An e-mail entrance without settings may just be renamed; once anything is typed, it must be whole.
  const mailInUse = isEmail && (mailConfigured || Boolean(mail.addresses.trim() || mail.imapHost.trim() || mail.imapUser.trim()));

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const found: Record<string, string> = {};
    const hours = Number(targetHours.replace(',', '.'));
    const days = reviewDays.trim() ? Number(reviewDays) : null;
    if (!label.trim()) found.label = t('validation.required');
    if (publicUrl.trim() && !isHttpUrl(publicUrl.trim())) found.publicUrl = t('validation.url');
    if (!Number.isFinite(hours) || hours <= 0) found.targetHours = t('validation.positiveNumber');
    if (days !== null && (!Number.isInteger(days) || days < 1 || days > 730)) found.reviewDays = t('entrances.edit.reviewRange');
    if (replyUrl.trim() && !isHttpUrl(replyUrl.trim())) found.replyUrl = t('validation.url');
    const foundMail = mailInUse ? validateMailServer(mail, mailSaved) : {};
    setErrors(found);
    setMailErrors(foundMail);
    if (Object.keys(found).length || Object.keys(foundMail).length) return focusFirstInvalid(form);

    const changes: EntranceChanges = {
      label: label.trim(),
      publicUrl: publicUrl.trim() || null,
      showOnStorefront,
      responseTargetMinutes: Math.max(5, Math.round(hours * 60)),
      reviewIntervalDays: days,
      ...(isWebhook && replyUrl.trim() ? { config: { replyUrl: replyUrl.trim() } } : {}),
      ...(mailInUse ? { config: mailServerChange(mail) } : {}),
    };
    setSaving(true);
    setFailure(null);
    try {
      const saved = await updateEntrance(entrance.id, changes);
      announce('entrances.edit.saved', { label: saved.label });
      onSaved(saved);
    } catch (error) {
      setFailure(error);
      if (error instanceof ApiError) {
        setErrors({
          label: error.fieldError('label'),
          publicUrl: error.fieldError('publicUrl'),
          targetHours: error.fieldError('responseTargetMinutes'),
          reviewDays: error.fieldError('reviewIntervalDays'),
          replyUrl: error.fieldError('replyUrl'),
        });
        if (isEmail && error.errors.some((e) => e.field.startsWith('body.config'))) setFailure(new Error(error.errors.map((e) => `${e.field.replace('body.config.', '')}: ${e.message}`).join('; ')));
      }
      requestAnimationFrame(() => alertRef.current?.focus());
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="stack entrance-edit" onSubmit={(event) => void handleSubmit(event)} noValidate>
      <FormAlert ref={alertRef}>{failure ? describeError(failure) : null}</FormAlert>
      <TextField label={t('entrances.add.label')} value={label} onChange={setLabel} error={errors.label} maxLength={80} required />
      <TextField
        label={
          <>
            {t('entrances.add.publicUrl')} <span className="label-optional">({t('common.optional')})</span>
          </>
        }
        type="url"
        inputMode="url"
        value={publicUrl}
        onChange={setPublicUrl}
        error={errors.publicUrl}
        spellCheck={false}
        autoCapitalize="none"
        placeholder="https://"
      />
      <div className="field-row">
        <TextField
          label={t('entrances.add.responseTarget')}
          type="number"
          inputMode="decimal"
          min="0.25"
          step="any"
          value={targetHours}
          onChange={setTargetHours}
          error={errors.targetHours}
        />
        <TextField
          label={
            <>
              {t('entrances.edit.reviewDays')} <span className="label-optional">({t('common.optional')})</span>
            </>
          }
          hint={t('entrances.edit.reviewDaysHint')}
          type="number"
          inputMode="numeric"
          min="1"
          max="730"
          value={reviewDays}
          onChange={setReviewDays}
          error={errors.reviewDays}
        />
      </div>
      {isWebhook ? (
        <TextField
          label={t('entrances.edit.replyUrl')}
          hint={t('entrances.edit.replyUrlHint')}
          type="url"
          inputMode="url"
          value={replyUrl}
          onChange={setReplyUrl}
          error={errors.replyUrl}
          spellCheck={false}
          autoCapitalize="none"
          placeholder="https://"
        />
      ) : null}
      <Checkbox label={t('entrances.add.showOnStorefront')} checked={showOnStorefront} onChange={setShowOnStorefront} />
      {isEmail ? (
        mailLoaded ? (
          <MailServerSection fields={mail} onChange={setMail} saved={mailSaved} errors={mailErrors} onErrors={setMailErrors} entranceId={entrance.id} />
        ) : (
          <p className="muted" aria-busy="true">
            {t('app.loading')}
          </p>
        )
      ) : null}
      {isEmail && mailLoaded ? <DomainCheck entranceId={entrance.id} configured={mailConfigured} /> : null}
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={saving || !mailLoaded}>
          {saving ? t('common.saving') : t('common.save')}
        </button>
        <button type="button" className="button-quiet" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
