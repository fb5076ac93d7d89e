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
}

export interface Message {
  id: string;
  direction: 'inbound' | 'outbound' | 'note';
  text: string;
  sentAt: number;
  deliveryState: string;
  authorName: string | null;
}

export interface ConversationDetail {
  conversation: ConversationSummary;
  messages: Message[];
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}
