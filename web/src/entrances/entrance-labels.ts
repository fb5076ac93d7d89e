import type { TFunction } from 'i18next';
import { splitMinutes } from '../i18n/format.ts';

/** "Reply within 4 hours" */
export function describeResponseTarget(t: TFunction, minutes: number): string {
  const { unit, count } = splitMinutes(minutes, { exact: true });
  const key = unit === 'minutes' ? 'entrances.targetMinutes' : unit === 'hours' ? 'entrances.targetHours' : 'entrances.targetDays';
  return t(key, { count });
}
