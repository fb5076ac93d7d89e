// Keyboard shortcuts of the inbox, in the style of mail apps: single keys, only when no field has
// the focus, so typing a reply never triggers one. Actions are found by data-shortcut attributes,
// so each shortcut does exactly what clicking the visible control does.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { navigate } from '../router/router.tsx';

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  return Boolean(target.closest('input, textarea, select, [role="listbox"], [role="menu"], dialog'));
}

function stepThroughList(step: 1 | -1): void {
  const rows = [...document.querySelectorAll<HTMLAnchorElement>('.inbox-list-pane a.conversation-row[href*="/inbox/c/"]')];
  if (!rows.length) return;
  const current = rows.findIndex((row) => row.getAttribute('aria-current'));
  const next = current < 0 ? (step === 1 ? 0 : rows.length - 1) : Math.min(rows.length - 1, Math.max(0, current + step));
  const row = rows[next];
  if (!row || next === current) return;
  const url = new URL(row.href);
  navigate(url.pathname + url.search);
  row.scrollIntoView({ block: 'nearest' });
}

function activate(name: string, how: 'click' | 'focus'): boolean {
  const element = document.querySelector<HTMLElement>(`[data-shortcut="${name}"]`);
  if (!element || (element instanceof HTMLButtonElement && element.disabled)) return false;
  if (how === 'click') element.click();
  else element.focus();
  return true;
}

export function useInboxShortcuts(): { helpOpen: boolean; closeHelp(): void } {
  const [helpOpen, setHelpOpen] = useState(false);
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      let handled = true;
      switch (event.key) {
        case 'j':
          stepThroughList(1);
          break;
        case 'k':
          stepThroughList(-1);
          break;
        case 'e':
          handled = activate('done', 'click');
          break;
        case 'r':
          handled = activate('reply', 'focus');
          break;
        case 's':
          handled = activate('snooze', 'click');
          break;
        case '/':
          handled = activate('search', 'focus');
          break;
        case '?':
          setHelpOpen(true);
          break;
        default:
          handled = false;
      }
      if (handled) event.preventDefault();
    }
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);
  const closeHelp = useCallback(() => setHelpOpen(false), []);
  return { helpOpen, closeHelp };
}

const SHORTCUTS = [
  ['j', 'next'],
  ['k', 'previous'],
  ['e', 'done'],
  ['r', 'reply'],
  ['s', 'snooze'],
  ['/', 'search'],
  ['?', 'help'],
] as const;

export function ShortcutHelp({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t } = useTranslation();
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="shortcuts-title" onClose={onClose}>
      <h2 id="shortcuts-title">{t('shortcuts.title')}</h2>
      <dl className="shortcut-list">
        {SHORTCUTS.map(([key, action]) => (
          <div key={key}>
            <dt>
              <kbd>{key}</kbd>
            </dt>
            <dd>{t(`shortcuts.${action}`)}</dd>
          </div>
        ))}
        <div>
          <dt>
            <kbd>Ctrl</kbd> + <kbd>Enter</kbd>
          </dt>
          <dd>{t('shortcuts.send')}</dd>
        </div>
      </dl>
      <form method="dialog" className="form-actions">
        <button type="submit" className="button-primary">
          {t('common.close')}
        </button>
      </form>
    </dialog>
  );
}
