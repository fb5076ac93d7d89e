// "Possibly the same person: Anna Meier (LinkedIn) — because: same name  [Merge…] [Not the same]".
// Weak evidence is only ever suggested: the owner merges (recorded, undoable) or says no, and a
// "no" is remembered for the pair. Nothing shows when there is nothing to suggest or the list
// cannot load: the rest of the contact page does not depend on it.
import { useRef, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { confirmContactSuggestion, dismissContactSuggestion, fetchContactSuggestions } from '../api/endpoints.ts';
import type { Contact, ContactSuggestion, SuggestionReason } from '../api/types.ts';
import { useAnnounce } from '../components/announcer.tsx';
import { useLoad } from '../components/use-load.ts';
import { describeError } from '../i18n/describe-error.ts';
import { useRefreshOnChange } from '../inbox/inbox-live.tsx';
import { Link } from '../router/router.tsx';

/** One reason in plain words ("the name “Anna Meier” matches the e-mail address anna.meier@…"). */
export function reasonText(t: TFunction, reason: SuggestionReason): string {
  return t(`contacts.suggestions.reason.${reason.kind}`, { name: reason.name ?? '', address: reason.address ?? '', otherAddress: reason.otherAddress ?? '' });
}

export function SuggestionNotice({ contact, onMerged }: { contact: Contact; onMerged(): void }) {
  const { t, i18n } = useTranslation();
  const announce = useAnnounce();
  const suggestions = useLoad((signal) => fetchContactSuggestions(contact.id, signal), [contact.id]);
  useRefreshOnChange(suggestions.refresh);
  const [busy, setBusy] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const headingId = `suggestions-${contact.id}`;

  if (suggestions.status !== 'loaded' || suggestions.data.items.length === 0) return null;
  const items = suggestions.data.items;
  const list = new Intl.ListFormat(i18n.language, { type: 'conjunction' });

  /** Focus stays on the notice, or goes to the page heading once the notice is gone. */
  function afterAnswer(rest: ContactSuggestion[]) {
    suggestions.replace({ items: rest });
    requestAnimationFrame(() => {
      const target = rest.length ? headingRef.current : document.querySelector<HTMLElement>('.contact-header h1');
      if (!target) return;
      if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
      target.focus();
    });
  }

  async function merge(suggestion: ContactSuggestion) {
    if (!window.confirm(t('contacts.merge.confirm', { from: suggestion.contact.displayName, into: contact.displayName }))) return;
    setBusy(true);
    try {
      await confirmContactSuggestion(suggestion.id, contact.id);
      announce('contacts.merge.done', { from: suggestion.contact.displayName });
      afterAnswer(items.filter((s) => s.id !== suggestion.id));
      onMerged();
    } catch (error) {
      announce((t) => describeError(t, error));
      suggestions.refresh();
    } finally {
      setBusy(false);
    }
  }

  async function dismiss(suggestion: ContactSuggestion) {
    setBusy(true);
    try {
      await dismissContactSuggestion(suggestion.id);
      announce('contacts.suggestions.dismissed', { name: suggestion.contact.displayName });
      afterAnswer(items.filter((s) => s.id !== suggestion.id));
    } catch (error) {
      announce((t) => describeError(t, error));
      suggestions.refresh();
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="alert alert-info suggestion-notice" aria-labelledby={headingId}>
      <h2 id={headingId} ref={headingRef} className="suggestion-title">
        {t('contacts.suggestions.title')}
      </h2>
      <ul className="suggestion-list">
        {items.map((suggestion) => {
          const whyId = `suggestion-${suggestion.id}`;
          return (
            <li key={suggestion.id}>
              <p id={whyId}>
                <Link to={`/contacts/${encodeURIComponent(suggestion.contact.id)}`} className="merge-name">
                  {suggestion.contact.displayName}
                </Link>
                {suggestion.contact.firstEntrance ? <span className="muted"> ({suggestion.contact.firstEntrance.label})</span> : null}
                {' — '}
                {t('contacts.suggestions.because', { reasons: list.format(suggestion.reasons.map((r) => reasonText(t, r))) })}
              </p>
              <div className="form-actions">
                {/* The buttons say what they do; their description names who and why. */}
                <button type="button" className="button-primary" disabled={busy} aria-describedby={whyId} onClick={() => void merge(suggestion)}>
                  {t('contacts.suggestions.merge')}
                </button>
                <button type="button" disabled={busy} aria-describedby={whyId} onClick={() => void dismiss(suggestion)}>
                  {t('contacts.suggestions.notSame')}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
