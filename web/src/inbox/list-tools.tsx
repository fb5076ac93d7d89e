// Above the list: the search field ("/" from anywhere in the inbox) and the filters by stage and
// label. Both write to the address, so they survive opening a conversation and going back.
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CONTACT_STAGES } from '../api/types.ts';
import type { ContactStage } from '../api/types.ts';
import { Icon } from '../components/icon.tsx';
import type { ListQuery } from './list-query.ts';
import { replaceListQuery } from './list-query.ts';

const TYPING_PAUSE_MS = 250;

export function ListTools({ query }: { query: ListQuery }) {
  const { t } = useTranslation();
  const searchId = useId();
  const [text, setText] = useState(query.q);
  const [label, setLabel] = useState(query.label ?? '');
  const typed = useRef(query.q);

  // The address changed by itself (back button, a link): show what it says.
  useEffect(() => {
    if (query.q !== typed.current) {
      typed.current = query.q;
      setText(query.q);
    }
  }, [query.q]);
  useEffect(() => setLabel(query.label ?? ''), [query.label]);

  useEffect(() => {
    if (text === typed.current) return;
    const timer = setTimeout(() => {
      typed.current = text;
      replaceListQuery({ q: text });
    }, TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  const activeFilters = (query.stage ? 1 : 0) + (query.label ? 1 : 0);
  // Filters in use stay in view, so what narrows the list is never hidden.
  const [filtersOpen, setFiltersOpen] = useState(activeFilters > 0);
  useEffect(() => {
    if (activeFilters > 0) setFiltersOpen(true);
  }, [activeFilters]);
  const filterPanelId = `${searchId}-filters`;
  const searching = Boolean(query.q);

  return (
    <div className="list-tools">
      <div className="list-tools-row">
        <form
          role="search"
          className="search-form"
          onSubmit={(event) => {
            event.preventDefault();
            typed.current = text;
            replaceListQuery({ q: text });
          }}
        >
          <label htmlFor={searchId} className="visually-hidden">
            {t('inbox.search.label')}
          </label>
          <span className="search-icon">
            <Icon name="search" />
          </span>
          <input
            id={searchId}
            type="search"
            data-shortcut="search"
            className="search-input"
            placeholder={t('inbox.search.placeholder')}
            value={text}
            onChange={(event) => setText(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape' && text) {
                event.preventDefault();
                setText('');
                typed.current = '';
                replaceListQuery({ q: '' });
              }
            }}
            enterKeyHint="search"
            autoComplete="off"
            spellCheck={false}
          />
          {text ? null : (
            <kbd className="search-shortcut" aria-hidden="true">
              /
            </kbd>
          )}
        </form>
        {searching ? null : (
          <button
            type="button"
            className={`filter-toggle${activeFilters ? ' is-active' : ''}`}
            aria-expanded={filtersOpen}
            aria-controls={filterPanelId}
            onClick={() => setFiltersOpen((open) => !open)}
          >
            <Icon name="filter" />
            <span>{t('inbox.filters.title')}</span>
            {activeFilters ? (
              <span className="filter-count">
                <span className="visually-hidden">: </span>
                {activeFilters}
              </span>
            ) : null}
          </button>
        )}
      </div>
      {searching || !filtersOpen ? null : (
        <div className="filter-row" id={filterPanelId}>
          <div className="field">
            <label htmlFor={`${searchId}-stage`}>{t('inbox.filters.stage')}</label>
            <select
              id={`${searchId}-stage`}
              value={query.stage ?? ''}
              onChange={(event) => replaceListQuery({ stage: (event.target.value || undefined) as ContactStage | undefined })}
            >
              <option value="">{t('inbox.filters.anyStage')}</option>
              {CONTACT_STAGES.map((stage) => (
                <option key={stage} value={stage}>
                  {t(`contacts.stage.${stage}`)}
                </option>
              ))}
            </select>
          </div>
          <form
            className="field"
            onSubmit={(event) => {
              event.preventDefault();
              replaceListQuery({ label: label.trim() || undefined });
            }}
          >
            <label htmlFor={`${searchId}-label`}>{t('inbox.filters.label')}</label>
            <input
              id={`${searchId}-label`}
              type="text"
              value={label}
              onChange={(event) => setLabel(event.target.value)}
              onBlur={() => replaceListQuery({ label: label.trim() || undefined })}
              enterKeyHint="done"
              autoComplete="off"
            />
          </form>
          {activeFilters ? (
            <button
              type="button"
              className="button-quiet filter-clear"
              onClick={() => replaceListQuery({ stage: undefined, label: undefined })}
            >
              {t('inbox.filters.clear')}
            </button>
          ) : null}
        </div>
      )}
    </div>
  );
}
