import { CronExpressionParser } from 'cron-parser';

/**
 * The first occurrence of `cron` strictly after `after`, in epoch milliseconds. Accepts five fields
 * (minute resolution) or six (leading seconds field). Throws a readable error for a bad expression
 * or time zone, so schedule() fails where the mistake was made.
 */
export function nextCronTime(cron: string, timeZone: string, after = Date.now()): number {
  try {
    return CronExpressionParser.parse(cron, { currentDate: new Date(after), tz: timeZone }).next().getTime();
  } catch (err) {
    throw new Error(`Cron expression "${cron}" in time zone ${timeZone} cannot be used: ${(err as Error).message}`, { cause: err });
  }
}
