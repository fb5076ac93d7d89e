// The entrances as cards: what kind of door, its name, whether it works, how fast you answer.
import { useState } from 'react';
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
