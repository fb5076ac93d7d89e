/**
 * The channel adapter contract: how an entrance's channel talks to Portier's one core.
 *
 * An adapter only translates. Inbound, it turns what the channel sends (a webhook body, a page of a
 * polled API, a form post) into normalised `InboundMessage`s; outbound, it turns a reply into the
 * channel's call. Threading, contacts, the "awaiting reply" clock, search and reports never know
 * which channel they serve. An adapter imports nothing from storage, HTTP or jobs: it returns data
 * or throws a `ChannelError`, and the caller (a route or a job) decides to retry, to mark the
 * entrance as needing attention, or to go on.
 *
 * How to add a channel:
 *  1. Create `src/channels/<kind>/` with `adapter.ts` exporting a `ChannelAdapter`, plus its config
 *     schema, its pure `map` from the provider's payload to `InboundMessage` (tested against real
 *     payload fixtures in the folder), its signature verification and its `send`.
 *  2. Add the adapter to `registry.ts` — the only place that switches on entrance kind.
 *  3. Name its config fields that are secrets in `secretFields`: they are encrypted at rest.
 *  The ingest pipeline, the webhook route (`POST /hooks/<entranceId>`) and the outbox pick it up.
 */
import type { TSchema } from '@sinclair/typebox';

/** How a person is known on one channel; `value` is normalised by the core before matching. */
export interface IdentityClaim {
  kind: 'email' | 'phone' | 'telegram' | 'messenger' | 'instagram' | 'whatsapp' | 'mastodon' | 'linkedin' | 'xing' | 'x' | 'bluesky' | 'url' | 'handle';
  value: string;
  /**
   * True when the channel proves the person controls it (a phone number WhatsApp delivered from, an
   * authenticated e-mail sender). Only verified identities link a message to an existing contact
   * automatically; others only suggest a link to the owner.
   */
  verified: boolean;
}

export interface InboundAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
  /** The part's Content-ID without angle brackets: what `cid:` URLs in the message's HTML name. */
  contentId?: string;
  /** Meant to be shown inside the message (an image of its HTML) rather than offered as a file. */
  inline?: boolean;
}

export interface InboundMessage {
  /** Unique within the entrance: delivering the same id again stores nothing new. */
  externalId: string;
  /** The channel's thread; absent: one conversation per contact and entrance. */
  threadKey?: string;
  sender: { name?: string; identities: IdentityClaim[] };
  subject?: string;
  text: string;
  /** Untrusted HTML as received; the core sanitises it before anyone sees it. */
  html?: string;
  sentAt: number;
  attachments?: InboundAttachment[];
  /** The visitor's own words on how they found the professional ("recommended by Anna Meier"). */
  referral?: string;
  /** The door the visitor wants to be answered through (email, phone, whatsapp, …). */
  preferredReply?: string;
  /** Channel facts worth keeping with the message (classification reason, quote offsets, links). */
  meta?: Record<string, unknown>;
}

export interface OutboundMessage {
  /** Portier's id of this reply: the same on every attempt, so a channel can make resends recognisable. */
  messageId?: string;
  conversationId: string;
  threadKey: string;
  to: IdentityClaim[];
  subject?: string;
  text: string;
  inReplyToExternalId?: string;
}

export interface SendResult {
  externalId: string | null;
}

export interface ChannelCapabilities {
  /** How messages come in. */
  inbound: 'webhook' | 'pull' | 'form' | 'manual' | 'none';
  /** Replies can be sent through the channel itself. */
  replyNatively: boolean;
  /** After this long without a message from the contact the channel refuses replies (Meta: 24 h). */
  replyWindowHours?: number;
  /** The owner answers on the network itself: Portier links there and records "answered there". */
  answerElsewhere?: boolean;
}

export type ChannelErrorKind = 'auth_failed' | 'temporary' | 'rate_limited' | 'invalid_config' | 'invalid_payload' | 'invalid_signature';

export class ChannelError extends Error {
  constructor(
    readonly kind: ChannelErrorKind,
    message: string,
    readonly options: { retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ChannelError';
  }
}

/** What a webhook adapter sees of the HTTP request: the raw bytes, because signatures cover them. */
export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  now: number;
}

export interface ChannelAdapter<Config = Record<string, unknown>> {
  kind: string;
  capabilities: ChannelCapabilities;
  /** Validates the entrance's connector configuration (secrets included, before encryption). */
  configSchema: TSchema;
  /** Fields of the configuration encrypted at rest. */
  secretFields: readonly string[];
  /** Makes a fresh configuration for a new entrance (e.g. generates a webhook signing secret). */
  initialConfig?(): Config;
  /** Verifies the signature and maps the body; throws ChannelError('invalid_signature' | 'invalid_payload'). */
  parseWebhook?(request: WebhookRequest, config: Config): InboundMessage[];
  /** Fetches what is new since `cursor`; returns the next cursor to store after the batch is saved. */
  pull?(config: Config, cursor: string | null): Promise<{ messages: InboundMessage[]; cursor: string | null }>;
  /** Sends a reply; throws ChannelError for the caller to retry or fail. */
  send?(config: Config, message: OutboundMessage): Promise<SendResult>;
  /** Whether this entrance's configuration allows sending (absent: whenever `send` exists). */
  canSend?(config: Config): boolean;
}
