// Row types of every table, as Kysely sees them. Timestamps are epoch milliseconds (bigint in
// PostgreSQL, integer in SQLite); flags are 0/1 integers and JSON is stored as text, so that both
// dialects return the same JavaScript values.
import type { Insertable, Selectable, Updateable } from 'kysely';

export type Role = 'owner' | 'assistant';
export type EntranceKind =
  | 'email' | 'webform' | 'booking' | 'telegram' | 'messenger' | 'instagram' | 'whatsapp' | 'sms'
  | 'mastodon' | 'linkedin' | 'xing' | 'x' | 'bluesky' | 'phone' | 'referral' | 'webhook' | 'manual';
export type EntranceHealth = 'unknown' | 'ok' | 'attention' | 'failing';
export type ContactStage = 'inquiry' | 'offer' | 'booked' | 'client' | 'lost';
export type ConversationStatus = 'open' | 'waiting' | 'closed';
export type MessageDirection = 'inbound' | 'outbound' | 'note';
export type DeliveryState = 'received' | 'queued' | 'sent' | 'failed' | 'delivered' | 'read' | 'answered_elsewhere';
export type JobState = 'queued' | 'running' | 'done' | 'failed';
export type SnoozeCondition = 'no_answer';
export type MatchKeySource = 'name' | 'email' | 'profile' | 'identity';
export type ContactSuggestionState = 'open' | 'dismissed' | 'confirmed';

export interface WorkspaceTable {
  id: string;
  handle: string;
  name: string;
  locale: string;
  languages: string; // JSON array of locale codes
  time_zone: string;
  created_at: number;
  updated_at: number;
}

export interface UserTable {
  id: string;
  workspace_id: string;
  email: string;
  email_normalized: string;
  display_name: string;
  password_hash: string;
  role: Role;
  locale: string | null;
  created_at: number;
  last_login_at: number | null;
}

export interface SessionTable {
  id: string;
  workspace_id: string;
  user_id: string;
  token_hash: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  user_agent: string | null;
  ip: string | null;
}

export interface ApiTokenTable {
  id: string;
  workspace_id: string;
  user_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  scopes: string; // JSON array
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
  revoked_at: number | null;
}

export interface SetupTokenTable {
  id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  workspace_id: string | null;
}

export interface LoginFailureTable {
  id: string;
  key: string; // "ip:…" or "account:…"
  at: number;
}

export interface EntranceTable {
  id: string;
  workspace_id: string;
  kind: EntranceKind;
  label: string;
  public_url: string | null;
  show_on_storefront: number;
  config_encrypted: string | null;
  response_target_minutes: number;
  review_interval_days: number | null;
  last_reviewed_at: number | null;
  health: EntranceHealth;
  health_reason: string | null;
  created_at: number;
  updated_at: number;
  archived_at: number | null;
}

export interface ContactTable {
  id: string;
  workspace_id: string;
  display_name: string;
  stage: ContactStage;
  first_entrance_id: string | null;
  referred_by_contact_id: string | null;
  referred_by_text: string | null;
  notes: string | null;
  next_action: string | null;
  next_action_at: number | null;
  merged_into_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface IdentityTable {
  id: string;
  workspace_id: string;
  contact_id: string;
  kind: string;
  value: string;
  value_normalized: string;
  verified: number;
  created_at: number;
}

export interface ConversationTable {
  id: string;
  workspace_id: string;
  contact_id: string;
  entrance_id: string;
  thread_key: string;
  subject: string | null;
  /** open: in the inbox; waiting: answered, waiting for the contact; closed: done. */
  status: ConversationStatus;
  /** When the oldest unanswered inbound message arrived; null when nothing waits for the owner. */
  awaiting_since: number | null;
  last_message_at: number;
  snoozed_until: number | null;
  created_at: number;
  updated_at: number;
  /** The start of the last inbound or outbound message, for the inbox list. */
  preview: string | null;
  /** 'no_answer': snoozed_until is a deadline; if the contact has not written by then, it waits for the owner. */
  snooze_condition: SnoozeCondition | null;
  /** When a "no answer" snooze came back: the time of the message nobody answered. */
  follow_up_since: number | null;
}

export interface MessageTable {
  id: string;
  workspace_id: string;
  conversation_id: string;
  entrance_id: string;
  direction: MessageDirection;
  external_id: string | null;
  identity_id: string | null;
  author_user_id: string | null;
  subject: string | null;
  text: string;
  html: string | null;
  sent_at: number;
  delivery_state: DeliveryState;
  delivery_error: string | null;
  created_at: number;
  meta: string | null; // JSON: preferredReply, referral, classification
}

export interface AttachmentTable {
  id: string;
  workspace_id: string;
  message_id: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  created_at: number;
  /** The part's Content-ID without angle brackets (what cid: URLs in the HTML name); null when none. */
  content_id: string | null;
  /** 'inline': shown inside the message (an image of the HTML); 'attachment': offered as a file. */
  disposition: 'attachment' | 'inline';
}

/** A sender (normalised e-mail address) whose mail may load remote content such as images. */
export interface RemoteContentPermissionTable {
  workspace_id: string;
  address_normalized: string;
  allowed_by_user_id: string | null;
  allowed_at: number;
}

export interface EventTable {
  id: string;
  workspace_id: string | null;
  actor_user_id: string | null;
  type: string;
  subject_type: string | null;
  subject_id: string | null;
  data: string | null; // JSON
  created_at: number;
}

export interface JobTable {
  id: string;
  name: string;
  payload: string; // JSON
  idempotency_key: string | null;
  state: JobState;
  run_at: number;
  attempts: number;
  max_attempts: number;
  backoff_ms: number;
  backoff_max_ms: number;
  locked_by: string | null;
  locked_until: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface JobScheduleTable {
  name: string;
  cron: string;
  time_zone: string;
  payload: string;
  next_run_at: number;
  updated_at: number;
}

export interface LabelTable {
  id: string;
  workspace_id: string;
  name: string;
  created_at: number;
}

export interface ConversationLabelTable {
  conversation_id: string;
  label_id: string;
  workspace_id: string;
}

export interface TemplateTable {
  id: string;
  workspace_id: string;
  name: string;
  shortcut: string;
  locale: string;
  body: string;
  created_at: number;
  updated_at: number;
}

export interface ContactMergeTable {
  id: string;
  workspace_id: string;
  from_contact_id: string;
  into_contact_id: string;
  moved: string; // JSON {identityIds, conversationIds}
  actor_user_id: string | null;
  created_at: number;
  undone_at: number | null;
}

/** What a contact may be recognised by: a folded name, the name in an address, an identity's value. */
export interface ContactMatchKeyTable {
  contact_id: string;
  source: MatchKeySource;
  key: string;
  workspace_id: string;
  value: string;
}

/** "Possibly the same person": one row per pair, the smaller contact id first. */
export interface ContactSuggestionTable {
  id: string;
  workspace_id: string;
  contact_id: string;
  other_contact_id: string;
  reasons: string; // JSON array of SuggestionReason (src/contacts/match-keys.ts)
  state: ContactSuggestionState;
  merge_id: string | null;
  decided_by_user_id: string | null;
  decided_at: number | null;
  created_at: number;
  updated_at: number;
}

/** How far the suggestion scan has looked at changed contacts, per workspace. */
export interface ContactSuggestionScanTable {
  workspace_id: string;
  scanned_until: number;
  scanned_id: string;
  updated_at: number;
}

export interface Database {
  workspace: WorkspaceTable;
  user: UserTable;
  session: SessionTable;
  api_token: ApiTokenTable;
  setup_token: SetupTokenTable;
  login_failure: LoginFailureTable;
  entrance: EntranceTable;
  contact: ContactTable;
  identity: IdentityTable;
  conversation: ConversationTable;
  message: MessageTable;
  attachment: AttachmentTable;
  event: EventTable;
  job: JobTable;
  job_schedule: JobScheduleTable;
  label: LabelTable;
  conversation_label: ConversationLabelTable;
  template: TemplateTable;
  contact_merge: ContactMergeTable;
  contact_match_key: ContactMatchKeyTable;
  contact_suggestion: ContactSuggestionTable;
  contact_suggestion_scan: ContactSuggestionScanTable;
  remote_content_permission: RemoteContentPermissionTable;
}

export type Workspace = Selectable<WorkspaceTable>;
export type User = Selectable<UserTable>;
export type Entrance = Selectable<EntranceTable>;
export type NewEntrance = Insertable<EntranceTable>;
export type EntranceUpdate = Updateable<EntranceTable>;
export type Contact = Selectable<ContactTable>;
export type Conversation = Selectable<ConversationTable>;
export type Message = Selectable<MessageTable>;
export type Job = Selectable<JobTable>;
