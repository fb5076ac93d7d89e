// The entrances as cards: what kind of door, its name, whether it works, how fast you answer.
import { useEffect, useRef, useState } from 'react';
import { fetchEntrance } from '../api/endpoints.ts';
import { useTranslation } from 'react-i18next';
import type { Entrance } from '../api/types.ts';
import { EntranceKindIcon } from '../components/entrance-kind-icon.tsx';
import { EditEntranceForm } from './edit-entrance-form.tsx';
import { describeResponseTarget } from './entrance-labels.ts';

export function EntranceList({
  entrances,
  onRemove,
  onUpdated,
}: {
  entrances: Entrance[];
  onRemove(entrance: Entrance): void;
  onUpdated(entrance: Entrance): void;
}) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState<string | null>(null);
  const [justSaved, setJustSaved] = useState<Record<string, number>>({});
  useHealthWatch(entrances, justSaved, onUpdated);
  return (
    <ul className="entrance-list">
      {entrances.map((entrance) =>
        editing === entrance.id ? (
          <li key={entrance.id} className="entrance-card entrance-card-editing">
            <div className="entrance-head">
              <span className="entrance-kind">
                <EntranceKindIcon kind={entrance.kind} />
                {t(`entrances.kind.${entrance.kind}`, { defaultValue: entrance.kind })}
              </span>
              <h3 className="entrance-label">{t('entrances.edit.title', { label: entrance.label })}</h3>
            </div>
            <EditEntranceForm
              entrance={entrance}
              onSaved={(saved) => {
                onUpdated(saved);
                if (saved.kind === 'email') setJustSaved((m) => ({ ...m, [saved.id]: Date.now() }));
                setEditing(null);
              }}
              onCancel={() => setEditing(null)}
            />
          </li>
        ) : (
        <li key={entrance.id} className="entrance-card">
          <div className="entrance-head">
            <span className="entrance-kind">
              <EntranceKindIcon kind={entrance.kind} />
              {t(`entrances.kind.${entrance.kind}`, { defaultValue: entrance.kind })}
            </span>
            <h3 className="entrance-label">{entrance.label}</h3>
          </div>
          <dl className="entrance-facts">
            <div>
              <dt>{t('entrances.healthLabel')}</dt>
              <dd>
                <span className={`health health-${entrance.health}`}>
                  <span className="health-dot" aria-hidden="true" />
                  {t(`entrances.health.${entrance.health}`)}
                </span>
                {entrance.healthReason ? <span className="health-reason">{entrance.healthReason}</span> : null}
                {entrance.kind === 'email' && entrance.health === 'unknown' && !entrance.healthReason ? <span className="health-reason">{t('entrances.mail.healthPending')}</span> : null}
              </dd>
            </div>
            <div>
              <dt>{t('entrances.targetLabel')}</dt>
              <dd>{describeResponseTarget(t, entrance.responseTargetMinutes)}</dd>
            </div>
            <div>
              <dt>{t('entrances.storefrontLabel')}</dt>
              <dd>{entrance.showOnStorefront ? t('entrances.onStorefront') : t('entrances.notOnStorefront')}</dd>
            </div>
            {entrance.publicUrl ? (
              <div>
                <dt>{t('entrances.publicProfile')}</dt>
                <dd>
                  <a href={entrance.publicUrl} target="_blank" rel="noopener noreferrer" className="entrance-url">
                    {entrance.publicUrl.replace(/^https?:\/\//, '')}
                  </a>
                </dd>
              </div>
            ) : null}
          </dl>
          <div className="entrance-actions">
            <button
              type="button"
              className="button-quiet"
              aria-label={t('entrances.edit.openNamed', { label: entrance.label })}
              onClick={() => setEditing(entrance.id)}
            >
              {t('entrances.edit.open')}
            </button>
            <button
              type="button"
              className="button-quiet button-danger"
              aria-label={t('entrances.removeNamed', { label: entrance.label })}
              onClick={() => onRemove(entrance)}
            >
              {t('entrances.remove')}
            </button>
          </div>
        </li>
        ),
      )}
    </ul>
  );
}

const WATCH_MS = 3_000;
const WATCH_FOR_MS = 2 * 60_000;

/**
 * An e-mail entrance's health is set by the sync after it (re)connects: while one is unchecked, or
 * shortly after its settings were saved, its card is refreshed every few seconds so the list shows
 * "Working" or the precise reason it does not.
 */
function useHealthWatch(entrances: Entrance[], justSaved: Record<string, number>, onUpdated: (e: Entrance) => void) {
  const started = useRef(Date.now());
  const latest = useRef({ entrances, onUpdated });
  latest.current = { entrances, onUpdated };
  const watched = entrances
    .filter((e) => e.kind === 'email' && (e.health === 'unknown' || Date.now() - (justSaved[e.id] ?? 0) < WATCH_FOR_MS))
    .map((e) => e.id)
    .join(',');
  useEffect(() => {
    if (!watched) return;
    const ids = watched.split(',');
    const timer = setInterval(() => {
      const now = Date.now();
      for (const id of ids) {
        const since = justSaved[id] ?? started.current;
        if (now - since > WATCH_FOR_MS) continue;
        fetchEntrance(id).then(
          (fresh) => {
            const current = latest.current.entrances.find((e) => e.id === id);
            if (current && (current.health !== fresh.health || current.healthReason !== fresh.healthReason)) latest.current.onUpdated(fresh);
          },
          () => {},
        );
      }
    }, WATCH_MS);
    return () => clearInterval(timer);
  }, [watched, justSaved]);
}
