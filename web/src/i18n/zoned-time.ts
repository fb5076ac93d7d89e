// Wall-clock times in the workspace's time zone ("tomorrow at 9:00 in Lausanne"), whatever zone
// the browser is in. Intl knows every zone's offsets; two passes settle the days when the clocks
// change.

export interface ZonedDate {
  year: number;
  month: number; // 1–12
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function zonedParts(ms: number, timeZone: string): ZonedDate {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    weekday: 'short',
  }).formatToParts(ms);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '0';
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    hour: Number(get('hour')) % 24,
    minute: Number(get('minute')),
    weekday: WEEKDAYS.indexOf(get('weekday')),
  };
}

function offsetAt(ms: number, timeZone: string): number {
  const p = zonedParts(ms, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return wall - Math.floor(ms / 60_000) * 60_000;
}

/** The instant when the clocks in timeZone show this date and time. Day overflow (32 Jan) rolls on. */
export function zonedToEpoch(
  date: { year: number; month: number; day: number; hour: number; minute: number },
  timeZone: string,
): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day, date.hour, date.minute);
  const first = wall - offsetAt(wall, timeZone);
  const second = wall - offsetAt(first, timeZone);
  return second;
}

/** Days from now, at a given hour, in the zone: daysFromToday(1, 9) is "tomorrow 9:00". */
export function daysFromTodayAt(days: number, hour: number, timeZone: string, now = Date.now()): number {
  const today = zonedParts(now, timeZone);
  return zonedToEpoch({ year: today.year, month: today.month, day: today.day + days, hour, minute: 0 }, timeZone);
}

/** The coming Monday (never today) at the given hour. */
export function nextMondayAt(hour: number, timeZone: string, now = Date.now()): number {
  const today = zonedParts(now, timeZone);
  const days = (1 - today.weekday + 7) % 7 || 7;
  return daysFromTodayAt(days, hour, timeZone, now);
}

/** "2026-03-12T14:05" for <input type="datetime-local">, in the zone. */
export function toLocalInput(ms: number, timeZone: string): string {
  const p = zonedParts(ms, timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** The value of <input type="datetime-local">, read as a time in the zone; null when incomplete. */
export function fromLocalInput(value: string, timeZone: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  return zonedToEpoch({ year, month, day, hour, minute }, timeZone);
}
