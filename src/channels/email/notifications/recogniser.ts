// The contract of a network-notification recogniser: one small file per network (LinkedIn, Xing,
// and later a Facebook page, Instagram, X, Doodle, a booking tool), listed in `index.ts`.
//
// Networks without a messaging API announce each new direct message by e-mail. A recogniser turns
// such an e-mail into a `NetworkNotification`: who wrote, what they wrote (when the mail carries a
// preview), and the link to the thread on the network — where the owner answers ("answer there,
// then mark as answered"). Recognise by the sender's domain AND the network's own headers, never by
// localised subject lines; read links from the body without ever following them.
import type { IdentityClaim } from '../../contract.ts';
import type { ParsedEmail } from '../parse-email.ts';

export type NotificationKind = 'message' | 'inmail' | 'invitation' | 'other';

export interface NetworkNotification {
  /** The entrance kind this notification belongs to ('linkedin', 'xing', …). */
  network: IdentityClaim['kind'];
  /** 'other' = the network's own news, job alerts, digests: filed as bulk, not as a conversation. */
  kind: NotificationKind;
  /** The header values that identified it, for the "why" shown to the owner. */
  evidence: string;
  senderName: string | null;
  /** The sender's profile on the network, tracking parameters stripped. */
  senderProfileUrl: string | null;
  /** The message text as the e-mail previews it; null when the mail carries none. */
  preview: string | null;
  /** Deep link to the thread (or invitation) on the network, tracking parameters stripped. */
  threadUrl: string | null;
  /** Stable id of the conversation on the network (thread id, or the sender's profile for invitations). */
  threadId: string | null;
  /** Stable id of this notification, for de-duplication (Message-ID, else the network's own id). */
  externalId: string;
  /** Where the owner replies. */
  replyMode: 'answer_there';
}

export interface NotificationRecogniser {
  network: IdentityClaim['kind'];
  /** Returns null when the e-mail is not from this network. Pure: no I/O, never follows links. */
  recognise(parsed: ParsedEmail): NetworkNotification | null;
}
