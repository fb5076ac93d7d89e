// A read-only value with a copy button, for secrets and addresses to paste elsewhere. When the
// clipboard is refused (an insecure origin, a strict browser) the value is selected instead.
import { useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useAnnounce } from './announcer.tsx';

export function CopyField({ label, value, secret = false }: { label: string; value: string; secret?: boolean }) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      announce('common.copied', { label });
    } catch {
      inputRef.current?.select();
      announce('common.copyFailed');
    }
  }
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input
          id={id}
          ref={inputRef}
          className={secret ? 'secret' : 'copy-value'}
          value={value}
          readOnly
          spellCheck={false}
          onFocus={(event) => event.target.select()}
        />
        <button type="button" onClick={() => void copy()} aria-label={t('common.copyNamed', { label })}>
          {t('common.copy')}
        </button>
      </div>
    </div>
  );
}
