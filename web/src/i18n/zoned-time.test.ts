import { describe, expect, it } from 'vitest';
import { daysFromTodayAt, fromLocalInput, nextMondayAt, toLocalInput, zonedParts } from './zoned-time.ts';

const ZURICH = 'Europe/Zurich';

describe('zoned time', () => {
  it('tomorrow at 9:00 is 9:00 on the clocks of the workspace, not of the browser', () => {
    // Tuesday 10 March 2026, 22:30 in Zurich (21:30 UTC).
    const now = Date.UTC(2026, 2, 10, 21, 30);
    const at = daysFromTodayAt(1, 9, ZURICH, now);
    expect(new Date(at).toISOString()).toBe('2026-03-11T08:00:00.000Z');
    expect(zonedParts(at, ZURICH)).toMatchObject({ day: 11, hour: 9, minute: 0 });
  });

  it('keeps 9:00 across the change to summer time', () => {
    // Saturday 28 March 2026; clocks go forward on Sunday 29 March.
    const now = Date.UTC(2026, 2, 28, 12, 0);
    expect(new Date(nextMondayAt(9, ZURICH, now)).toISOString()).toBe('2026-03-30T07:00:00.000Z');
  });

  it('next Monday seen from a Monday is a week later', () => {
    const monday = Date.UTC(2026, 2, 9, 10, 0);
    expect(zonedParts(nextMondayAt(9, ZURICH, monday), ZURICH)).toMatchObject({ day: 16, weekday: 1 });
  });

  it('round-trips the value of a datetime-local field', () => {
    const at = fromLocalInput('2026-07-01T18:45', ZURICH);
    expect(at).not.toBeNull();
    expect(toLocalInput(at!, ZURICH)).toBe('2026-07-01T18:45');
    expect(fromLocalInput('2026-07-01', ZURICH)).toBeNull();
  });
});
