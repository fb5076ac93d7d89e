// Dates and times through Intl, in the language of the interface and the workspace's time zone.
import { useTranslation } from 'react-i18next';
import { useSession } from '../session/session-context.tsx';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface Formatters {
  /** "12 Mar 2026, 14:05" */
  dateTime(ms: number): string;
  /** "14:05" today, "Tue" this week, "12 Mar" this year, "12.03.2025" before. */
  listTime(ms: number): string;
  /** "Fri 27 Nov, 09:00": a moment in the coming days. */
  dayTime(ms: number): string;
  /** "3 hours ago", "vor 3 Stunden" */
  relative(ms: number): string;
}

export function useFormatters(): Formatters {
  const { i18n } = useTranslation();
  const session = useSession();
  return createFormatters(i18n.language, session.current?.workspace.timeZone);
}

export function createFormatters(locale: string, timeZone: string | undefined, now = Date.now): Formatters {
  const zone = timeZone ? { timeZone } : {};
  const full = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...zone });
  const time = new Intl.DateTimeFormat(locale, { timeStyle: 'short', ...zone });
  const weekday = new Intl.DateTimeFormat(locale, { weekday: 'short', ...zone });
  const dayMonth = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', ...zone });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'short', ...zone });
  const dayTime = new Intl.DateTimeFormat(locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    ...zone,
  });
  const dayKey = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', ...zone });
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });

  return {
    dateTime: (ms) => full.format(ms),
    dayTime: (ms) => dayTime.format(ms),
    listTime(ms) {
      const age = now() - ms;
      if (dayKey.format(ms) === dayKey.format(now())) return time.format(ms);
      if (age < 6 * DAY) return weekday.format(ms);
      if (age < 300 * DAY) return dayMonth.format(ms);
      return date.format(ms);
    },
    relative(ms) {
      const diff = ms - now();
      const abs = Math.abs(diff);
      if (abs < MINUTE) return relative.format(0, 'second');
      if (abs < HOUR) return relative.format(Math.round(diff / MINUTE), 'minute');
      if (abs < DAY) return relative.format(Math.round(diff / HOUR), 'hour');
      if (abs < 30 * DAY) return relative.format(Math.round(diff / DAY), 'day');
      return date.format(ms);
    },
  };
}

/**
 * Splits a span of minutes into the unit that reads naturally. An approximate span (how long a
 * message has waited) is rounded; an exact one (a response target) keeps its precision.
 */
export function splitMinutes(
  minutes: number,
  { exact = false }: { exact?: boolean } = {},
): { unit: 'minutes' | 'hours' | 'days'; count: number } {
  const m = Math.max(0, Math.round(minutes));
  if (exact) {
    if (m >= 2 * 1440 && m % 1440 === 0) return { unit: 'days', count: m / 1440 };
    if (m >= 60 && m % 60 === 0) return { unit: 'hours', count: m / 60 };
    return { unit: 'minutes', count: m };
  }
  if (m < 60) return { unit: 'minutes', count: m };
  if (m < 48 * 60) return { unit: 'hours', count: Math.round(m / 60) };
  return { unit: 'days', count: Math.round(m / 1440) };
}
