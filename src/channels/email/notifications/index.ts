// The networks whose notification e-mails Portier reads. Adding one (a Facebook page, Instagram,
// X, Doodle, a booking tool) is one file exporting a `NotificationRecogniser`, plus a line here.
import type { ParsedEmail } from '../parse-email.ts';
import { linkedinRecogniser } from './linkedin.ts';
import type { NetworkNotification, NotificationRecogniser } from './recogniser.ts';
import { xingRecogniser } from './xing.ts';

export type { NetworkNotification, NotificationKind, NotificationRecogniser } from './recogniser.ts';
export { stripTrackingParams } from './links.ts';

export const notificationRecognisers: readonly NotificationRecogniser[] = [linkedinRecogniser, xingRecogniser];

/** The first recogniser that claims the e-mail, or null for ordinary mail. */
export function recogniseNotification(parsed: ParsedEmail, recognisers: readonly NotificationRecogniser[] = notificationRecognisers): NetworkNotification | null {
  for (const r of recognisers) {
    const found = r.recognise(parsed);
    if (found) return found;
  }
  return null;
}
