// "Log a call": a phone call, a talk after a seminar or a recommendation, entered by hand in a few
// seconds so the contact, its first entrance and the reply clock are right like for any channel.
import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { listEntrances, logManualMessage } from '../api/endpoints.ts';
import type { EntranceKind } from '../api/types.ts';
import { useAnnounce } from '../components/announcer.tsx';
import { Checkbox, SelectField, TextAreaField, TextField } from '../components/fields.tsx';
import { FormAlert } from '../components/form-alert.tsx';
import { LoadFailed } from '../components/load-failed.tsx';
import { useLoad } from '../components/use-load.ts';
import { focusFirstInvalid } from '../forms/validation.ts';
import { useDescribeError } from '../i18n/describe-error.ts';
import { fromLocalInput, toLocalInput } from '../i18n/zoned-time.ts';
import { Link, navigate } from '../router/router.tsx';
import { useSignedInSession } from '../session/session-context.tsx';
import { useInboxLive } from './inbox-live.tsx';

const MANUAL_KINDS = new Set<EntranceKind>(['phone', 'manual', 'referral']);

export function LogEntryForm({ backTo }: { backTo: string }) {
  const { t } = useTranslation();
  const entrances = useLoad(() => listEntrances().then((r) => r.items.filter((e) => MANUAL_KINDS.has(e.kind))), []);

  return (
    <div className="conversation-pane log-entry">
      <Link to={backTo} className="back-link">
        <span aria-hidden="true">←</span> {t('inbox.backToList')}
      </Link>
      <h2 id="log-entry-title" data-route-focus tabIndex={-1}>
        {t('inbox.log.title')}
      </h2>
      <p className="muted">{t('inbox.log.intro')}</p>
      {entrances.status === 'loading' ? (
        <p className="muted" aria-busy="true">
          {t('app.loading')}
        </p>
      ) : entrances.status === 'failed' ? (
        <LoadFailed error={entrances.error} onRetry={entrances.reload} />
      ) : entrances.data.length === 0 ? (
        <div className="empty-state">
          <p>{t('inbox.log.noEntrance')}</p>
          <p>
            <Link to="/entrances" className="button button-primary">
              {t('inbox.log.addEntrance')}
            </Link>
          </p>
        </div>
      ) : (
        <EntryForm entrances={entrances.data} />
      )}
    </div>
  );
}

function EntryForm({ entrances }: { entrances: { id: string; kind: EntranceKind; label: string }[] }) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const describeError = useDescribeError();
  const live = useInboxLive();
  const { workspace } = useSignedInSession();
  const zone = workspace.timeZone;
  const alertRef = useRef<HTMLDivElement>(null);
  const preferred = entrances.find((e) => e.kind === 'phone') ?? entrances[0];
  const [entranceId, setEntranceId] = useState(preferred?.id ?? '');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [text, setText] = useState('');
  const [referral, setReferral] = useState('');
  const [when, setWhen] = useState(() => toLocalInput(Date.now(), zone));
  const [awaitingReply, setAwaitingReply] = useState(true);
  const [errors, setErrors] = useState<{ name?: string; text?: string; when?: string }>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const kind = entrances.find((e) => e.id === entranceId)?.kind;

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const found: typeof errors = {};
    const sentAt = when ? fromLocalInput(when, zone) : Date.now();
    if (!name.trim()) found.name = t('validation.required');
    if (!text.trim()) found.text = t('validation.required');
    if (sentAt === null || sentAt > Date.now() + 60_000) found.when = t('inbox.log.whenPast');
    setErrors(found);
    if (Object.keys(found).length) return focusFirstInvalid(form);
    setSaving(true);
    setFailure(null);
    try {
      const result = await live.writeMessage(() => logManualMessage(entranceId, {
        sender: {
          name: name.trim(),
          ...(email.trim() ? { email: email.trim() } : {}),
          ...(phone.trim() ? { phone: phone.trim() } : {}),
        },
        text: text.trim(),
        ...(sentAt !== null ? { sentAt: Math.min(sentAt, Date.now()) } : {}),
        ...(referral.trim() ? { referral: referral.trim() } : {}),
        awaitingReply,
      }));
      live.changed();
      announce('inbox.log.saved', { name: name.trim() });
      navigate(`/inbox/c/${encodeURIComponent(result.conversationId)}`);
    } catch (error) {
      setFailure(error);
      if (error instanceof ApiError) {
        const fromServer = { name: error.fieldError('name'), text: error.fieldError('text') };
        setErrors(Object.fromEntries(Object.entries(fromServer).filter(([, v]) => v)));
      }
      requestAnimationFrame(() => alertRef.current?.focus());
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="stack" onSubmit={(event) => void handleSubmit(event)} noValidate aria-labelledby="log-entry-title">
      <FormAlert ref={alertRef}>{failure ? describeError(failure) : null}</FormAlert>
      <SelectField label={t('inbox.log.entrance')} value={entranceId} onChange={setEntranceId}>
        {entrances.map((entrance) => (
          <option key={entrance.id} value={entrance.id}>
            {entrance.label} ({t(`entrances.kind.${entrance.kind}`)})
          </option>
        ))}
      </SelectField>
      <TextField
        label={t('inbox.log.name')}
        value={name}
        onChange={setName}
        error={errors.name}
        autoComplete="off"
        maxLength={200}
        required
      />
      <div className="field-row">
        <TextField
          label={
            <>
              {t('inbox.log.phone')} <span className="label-optional">({t('common.optional')})</span>
            </>
          }
          type="tel"
          inputMode="tel"
          value={phone}
          onChange={setPhone}
          autoComplete="off"
          maxLength={40}
        />
        <TextField
          label={
            <>
              {t('inbox.log.email')} <span className="label-optional">({t('common.optional')})</span>
            </>
          }
          type="email"
          inputMode="email"
          value={email}
          onChange={setEmail}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          maxLength={254}
        />
      </div>
      <TextAreaField
        label={t('inbox.log.text')}
        hint={t('inbox.log.textHint')}
        value={text}
        onChange={setText}
        error={errors.text}
      />
      <TextField
        label={
          <>
            {t('inbox.log.referral')}
            {kind === 'referral' ? null : <span className="label-optional"> ({t('common.optional')})</span>}
          </>
        }
        hint={t('inbox.log.referralHint')}
        value={referral}
        onChange={setReferral}
        maxLength={500}
        autoComplete="off"
      />
      <TextField
        className="field-narrow"
        label={t('inbox.log.when')}
        type="datetime-local"
        value={when}
        onChange={setWhen}
        error={errors.when}
      />
      <Checkbox label={t('inbox.log.awaitingReply')} checked={awaitingReply} onChange={setAwaitingReply} />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={saving}>
          {saving ? t('common.saving') : t('inbox.log.submit')}
        </button>
      </div>
    </form>
  );
}
