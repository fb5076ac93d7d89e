// The shapes the server sends, as written in the API contract (src/http/routes).

export type Role = 'owner' | 'assistant';

export interface User {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  locale: string | null;
}

export interface Workspace {
  id: string;
  handle: string;
  name: string;
  locale: string;
  languages: string[];
  timeZone: string;
  createdAt: number;
  /** Public addresses, once the server sends them; the app derives them from the handle otherwise. */
  links?: { storefront?: string; contactForm?: string };
}

export interface Session {
  user: User;
  workspace: Workspace;
  csrfToken: string;
}

export type TokenScope = 'read' | 'write';

export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  scopes: TokenScope[];
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
}

export const ENTRANCE_KINDS = [
  'email',
  'webform',
  'booking',
  'telegram',
  'messenger',
  'instagram',
  'whatsapp',
  'sms',
  'mastodon',
  'linkedin',
  'xing',
  'x',
  'bluesky',
  'phone',
  'referral',
  'webhook',
  'manual',
] as const;

export type EntranceKind = (typeof ENTRANCE_KINDS)[number];

export type EntranceHealth = 'unknown' | 'ok' | 'attention' | 'failing';

export interface Entrance {
  id: string;
  kind: EntranceKind;
  label: string;
  publicUrl: string | null;
  showOnStorefront: boolean;
  responseTargetMinutes: number;
  reviewIntervalDays: number | null;
  health: EntranceHealth;
  healthReason: string | null;
  createdAt: number;
}

export interface NewEntrance {
  kind: EntranceKind;
  label: string;
  publicUrl?: string;
  showOnStorefront?: boolean;
  responseTargetMinutes?: number;
  reviewIntervalDays?: number;
  /** Connector settings, checked with the rest: the entrance is created whole or not at all. */
  config?: Record<string, unknown>;
}

export interface EntranceChanges {
  label?: string;
  publicUrl?: string | null;
  showOnStorefront?: boolean;
  responseTargetMinutes?: number;
  reviewIntervalDays?: number | null;
  /** Merged into the stored settings: nested objects key by key, null removes, arrays replace. */
  config?: Record<string, unknown>;
}

export type TlsMode = 'implicit' | 'starttls' | 'none';

/** A secret as GET …/settings shows it: set, never its value. */
export interface SecretMarker {
  set: true;
}

/** An e-mail entrance's settings as shown: secrets are markers. */
export interface EmailSettings {
  imap?: { host: string; port: number; secure: TlsMode; user: string; password?: SecretMarker; accessToken?: SecretMarker };
  smtp?: { host: string; port: number; secure: TlsMode; user?: string; password?: SecretMarker; accessToken?: SecretMarker };
  folders?: string[];
  sentFolder?: string;
  ownAddresses?: string[];
  fromName?: string;
  initialWindowDays?: number;
  appendToSent?: boolean;
}

export interface EntranceSettings {
  kind: EntranceKind;
  config: Record<string, unknown> | null;
}

export type ConnectionStep = 'dns' | 'tcp' | 'tls' | 'login' | 'folders' | 'send';

export interface ConnectionCheck {
  ok: boolean;
  step: ConnectionStep;
  message: string;
  help?: string;
}

export interface ProviderSettings {
  name: string;
  imap: { host: string; port: number; secure: TlsMode };
  smtp: { host: string; port: number; secure: TlsMode };
  note?: string;
}

export interface ConnectionReport {
  ok: boolean;
  imap: ConnectionCheck;
  smtp: ConnectionCheck | null;
  folders?: string[];
  suggestedSentFolder?: string;
  provider?: ProviderSettings;
}

/** A finding of the sender domain check (POST /entrances/{id}/domain-check); texts are in English. */
export type DomainCheckStatus = 'ok' | 'warning' | 'problem' | 'unknown';

export interface DnsRecordFix {
  action: 'add' | 'replace';
  name: string;
  type: 'TXT';
  value: string;
  replaces?: string[];
}

export interface DomainFinding {
  status: DomainCheckStatus;
  code: string;
  summary: string;
  explanation: string;
  records: string[];
  fix?: DnsRecordFix;
}

export interface DomainCheckReport {
  address: string;
  domain: string;
  organizationalDomain: string;
  provider: string | null;
  smtpHost: string | null;
  checkedAt: string;
  spf: DomainFinding & { smtpHost: string | null; addresses: Array<{ address: string; result: string; note?: string }>; lookups: number | null; passes: boolean | null };
  dkim: DomainFinding & { selector: string | null; signingDomain: string | null; source: 'sent-folder' | 'usual-selector' | null; keyType: string | null; keyBits: number | null };
  dmarc: DomainFinding & { recordName: string | null; policy: 'none' | 'quarantine' | 'reject' | null; wouldPass: boolean | null };
}

/** Only in the answer that creates a webhook entrance: where to deliver, and the signing secret. */
export interface WebhookConnection {
  webhookUrl: string;
  signingSecret: string;
}

export const INBOX_VIEWS = ['waiting', 'open', 'snoozed', 'done'] as const;
export type InboxView = (typeof INBOX_VIEWS)[number];

export interface ConversationSummary {
  id: string;
  contact: { id: string; displayName: string };
  entrance: { id: string; kind: EntranceKind; label: string };
  subject: string | null;
  status: 'open' | 'waiting' | 'closed';
  awaitingSince: number | null;
  lastMessageAt: number;
  preview: string;
  /** Back from a snooze "if no answer": when the last message, which nobody answered, was sent. */
  noAnswerSince?: number | null;
}

export type DeliveryState = 'received' | 'queued' | 'sent' | 'failed' | 'delivered' | 'read' | 'answered_elsewhere';

export interface Message {
  id: string;
  direction: 'inbound' | 'outbound' | 'note';
  subject: string | null;
  text: string;
  /** Sanitised by the server; remote images carry data-remote-src instead of src. */
  html: string | null;
  sentAt: number;
  deliveryState: DeliveryState | string;
  deliveryError: string | null;
  authorName: string | null;
  preferredReply: string | null;
  referral: string | null;
  /** Remote images in the HTML: blocked until allowed for the sender (or loaded once), or none there. */
  remoteContent: RemoteContentState;
  /** The sender address "always load" applies to; null when there is none to allow. */
  remoteContentSender: string | null;
  /** Download at attachmentUrl(message.id, attachment.id). */
  attachments: MessageAttachment[];
  /** Listed by the message but not stored, with the reason. */
  attachmentsOmitted: OmittedAttachment[];
}

export type RemoteContentState = 'blocked' | 'allowed' | 'none';

export interface RemoteContentPermission {
  sender: string;
  allowedAt: number;
  allowedByUserId: string | null;
}

export interface MessageAttachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  /** Shown inside the message (an image its HTML refers to as cid:contentId). */
  inline: boolean;
  contentId: string | null;
}

export interface OmittedAttachment {
  filename: string;
  size: number;
  reason: 'too_large' | 'total_too_large' | 'too_many';
}

export type ReplyMode = 'send' | 'answered_elsewhere' | 'note';

export interface ConversationDetail {
  conversation: ConversationSummary & {
    snoozedUntil: number | null;
    /** 'no_answer': the snooze ends early when the contact writes, else it comes back waiting. */
    snoozeCondition?: SnoozeCondition | null;
    labels: string[];
    replyModes: ReplyMode[];
    entranceUrl: string | null;
  };
  messages: Message[];
}

export type SnoozeCondition = 'no_answer';

export interface ConversationChanges {
  status?: 'open' | 'closed';
  snoozedUntil?: number | null;
  snoozeCondition?: SnoozeCondition | null;
  labels?: string[];
}

export interface ManualEntry {
  sender: { name: string; email?: string; phone?: string };
  text: string;
  sentAt?: number;
  referral?: string;
  awaitingReply?: boolean;
}

export type InboxCounts = Record<InboxView, number>;

export const CONTACT_STAGES = ['inquiry', 'offer', 'booked', 'client', 'lost'] as const;
export type ContactStage = (typeof CONTACT_STAGES)[number];

export interface ListFilters {
  stage?: ContactStage | undefined;
  label?: string | undefined;
}

export interface Template {
  id: string;
  name: string;
  shortcut: string;
  locale: string;
  body: string;
}

export type NewTemplate = Omit<Template, 'id'>;

export interface SearchHit {
  messageId: string;
  conversationId: string;
  contact: { id: string; displayName: string };
  entrance: { id: string; kind: EntranceKind; label: string };
  sentAt: number;
  /** Plain text; matches are wrapped in [[ and ]]. */
  snippet: string;
}

export interface SearchResults {
  messages: SearchHit[];
  contacts: { id: string; displayName: string }[];
}

export interface ContactIdentity {
  id: string;
  kind: string;
  value: string;
  verified: boolean;
}

export interface ContactMerge {
  id: string;
  fromContactId: string;
  fromDisplayName: string;
  createdAt: number;
  undoneAt: number | null;
}

export interface Contact {
  id: string;
  displayName: string;
  stage: ContactStage;
  firstEntrance: { id: string; kind: EntranceKind; label: string } | null;
  referredByText: string | null;
  notes: string | null;
  nextAction: string | null;
  nextActionAt: number | null;
  identities: ContactIdentity[];
  conversations: ConversationSummary[];
  merges: ContactMerge[];
}

export type ContactChanges = Partial<
  Pick<Contact, 'displayName' | 'stage' | 'notes' | 'nextAction' | 'nextActionAt' | 'referredByText'>
>;

export interface ContactListItem {
  id: string;
  displayName: string;
  stage: ContactStage;
  updatedAt: number;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export type SuggestionReasonKind = 'same_name' | 'name_matches_email' | 'name_matches_profile' | 'similar_addresses' | 'same_address';

/** One piece of evidence that two contacts are one person, strongest first. */
export interface SuggestionReason {
  kind: SuggestionReasonKind;
  name: string | null;
  address: string | null;
  otherAddress: string | null;
}

/** "Possibly the same person" as seen from one contact's page. */
export interface ContactSuggestion {
  id: string;
  contact: { id: string; displayName: string; firstEntrance: { id: string; kind: EntranceKind; label: string } | null };
  reasons: SuggestionReason[];
  createdAt: number;
}
