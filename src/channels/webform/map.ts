// The website door's pure map: a contact-form submission that passed the public route's spam and
// validation checks → one normalised inbound message. The submission token rendered into the form
// is the external id, so a double click or a browser re-POST is the same message.
import type { IdentityClaim, InboundMessage } from '../contract.ts';

export interface WebformSubmission {
  /** The one-time token from the form's hidden `submission` field. */
  token: string;
  name: string;
  email: string | null;
  phone: string | null;
  message: string;
  /** The door the visitor wants to be answered through: email, phone, sms, whatsapp, telegram. */
  preferredReply: string | null;
  /** How they heard of the professional, in the owner's words ("LinkedIn", "Recommandation : Anna"). */
  referral: string | null;
  submittedAt: number;
}

export function externalIdOfSubmission(token: string): string {
  return `form:${token}`;
}

export function mapSubmission(s: WebformSubmission): InboundMessage {
  // Nothing on a public form proves who is writing: the addresses are claims, never verified.
  const identities: IdentityClaim[] = [];
  if (s.email) identities.push({ kind: 'email', value: s.email, verified: false });
  if (s.phone) identities.push({ kind: 'phone', value: s.phone, verified: false });
  return {
    externalId: externalIdOfSubmission(s.token),
    sender: { name: s.name, identities },
    text: s.message,
    sentAt: s.submittedAt,
    ...(s.referral ? { referral: s.referral } : {}),
    ...(s.preferredReply ? { preferredReply: s.preferredReply } : {}),
  };
}
