// The ingest pipeline: normalised inbound message → dedupe on (entrance, external id) → identities →
// contact → conversation → message, all in one transaction, then live events after the commit.
// Idempotent end to end: delivering the same message again, or concurrently, stores it once.
// On SQLite, concurrent deliveries share one transaction (group commit, see commit-batcher.ts),
// each in its own savepoint: one fsync for many messages, and still no acknowledgement before it.
import type { CountryCode } from 'libphonenumber-js';
import type { InboundMessage } from '../channels/contract.ts';
import { newId } from '../core/ids.ts';
import { normalizeIdentity, STRONG_IDENTITY_KINDS, type NormalizedIdentity } from '../core/identities.ts';
import { sanitizeInboundHtml } from '../core/sanitize.ts';
import { previewOf } from '../core/preview.ts';
import type { Db, DbOrTx } from '../storage/database.ts';
import type { Entrance } from '../storage/schema.ts';
import type { LiveEvents } from '../events/live-events.ts';
import { commitBatcherFor } from './commit-batcher.ts';
import { affected, first, rows, statement } from '../storage/statement.ts';
import type { BlobStore } from '../attachments/blob-store.ts';
import { insertAttachmentRows, saveAttachmentFiles, type SavedAttachments } from '../attachments/store-attachments.ts';

export interface IngestResult {
  messageId: string;
  conversationId: string;
  contactId: string;
  duplicate: boolean;
}

export interface IngestOptions {
  now?: number;
  /** Messages that are not inquiries (auto-replies, bulk mail) are stored but start no clock. */
  startsClock?: boolean;
  defaultCountry?: CountryCode;
  /** Where attachment files go (the data folder); without it a message's attachments are not stored. */
  attachmentStore?: BlobStore;
}

/** Thrown inside the transaction when a concurrent delivery stored the same message first. */
class AlreadyStored extends Error {}

const MAX_ATTEMPTS = 5;

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

// The pipeline runs per message, so its statements are plain SQL run as written (see statement.ts).
type Stored = { id: string; conversation_id: string; contact_id: string };
const findStoredSql = statement<Stored>(
  'select m.id, m.conversation_id, c.contact_id from message m join conversation c on c.id = m.conversation_id where m.entrance_id = ? and m.external_id = ?',
);
type Thread = { id: string; last_message_at: number; contact_id: string };
const findThreadSql = statement<Thread>('select id, last_message_at, contact_id from conversation where entrance_id = ? and thread_key = ?');
type Known = { id: string; kind: string; value_normalized: string; verified: number; contact_id: string; merged_into_id: string | null };
const knownIdentitiesSql = new Map<number, ReturnType<typeof statement<Known>>>();
const insertContactSql = statement(
  "insert into contact (id, workspace_id, display_name, stage, first_entrance_id, referred_by_text, created_at, updated_at) values (?, ?, ?, 'inquiry', ?, ?, ?, ?)",
);
const touchContactSql = statement('update contact set updated_at = ? where id = ?');
const verifyIdentitySql = statement('update identity set verified = 1 where id = ?');
const insertIdentitySql = statement('insert into identity (id, workspace_id, contact_id, kind, value, value_normalized, verified, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)');
const insertConversationSql = statement(
  "insert into conversation (id, workspace_id, contact_id, entrance_id, thread_key, subject, status, awaiting_since, last_message_at, created_at, updated_at, preview) values (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)",
);
// The contact writes again: a closed conversation reopens, a snoozed one wakes up (its "if no
// answer" condition met), and the clock keeps the time of the oldest unanswered message. A message
// that is no inquiry (an auto-reply, bulk mail) is filed in the thread and changes none of that.
// A late delivery of an older message does not replace the newer preview (null keeps it).
const reopenConversationSql = statement(
  "update conversation set status = 'open', snoozed_until = null, snooze_condition = null, awaiting_since = coalesce(awaiting_since, ?), last_message_at = ?, updated_at = ?, preview = coalesce(?, preview) where id = ?",
);
const fileInConversationSql = statement('update conversation set last_message_at = ?, updated_at = ?, preview = coalesce(?, preview) where id = ?');
const insertMessageSql = statement(
  "insert into message (id, workspace_id, conversation_id, entrance_id, direction, external_id, identity_id, subject, text, html, sent_at, delivery_state, created_at, meta) values (?, ?, ?, ?, 'inbound', ?, ?, ?, ?, ?, ?, 'received', ?, ?) on conflict (entrance_id, external_id) do nothing",
);

function knownIdentities(tx: DbOrTx, workspaceId: string, identities: NormalizedIdentity[]) {
  let query = knownIdentitiesSql.get(identities.length);
  if (!query) {
    const anyOf = identities.map(() => '(i.kind = ? and i.value_normalized = ?)').join(' or ');
    query = statement<Known>(`select i.id, i.kind, i.value_normalized, i.verified, i.contact_id, c.merged_into_id from identity i join contact c on c.id = i.contact_id where i.workspace_id = ? and (${anyOf})`);
    knownIdentitiesSql.set(identities.length, query);
  }
  return rows(query(tx, [workspaceId, ...identities.flatMap((i) => [i.kind, i.normalized])]));
}

const findStored = (db: DbOrTx, entranceId: string, externalId: string) => first(findStoredSql(db, [entranceId, externalId]));

/**
 * Finds the contact these identities belong to, or creates one. An identity seen before always
 * means its contact. Several known contacts at once are never merged automatically: the message
 * goes to the one with the strongest identity (verified e-mail or phone first) and the others are
 * left for the owner to merge.
 */
async function resolveContact(tx: DbOrTx, entrance: Entrance, msg: InboundMessage, identities: NormalizedIdentity[], now: number, threadContactId: string | null): Promise<{ contactId: string; identityId: string | null; created: boolean }> {
  const known = identities.length ? await knownIdentities(tx, entrance.workspace_id, identities) : [];
  const rank = (k: { kind: string; verified: number }) => (STRONG_IDENTITY_KINDS.has(k.kind) ? 2 : 0) + (k.verified ? 1 : 0);
  known.sort((a, b) => rank(b) - rank(a));

  // No identity known, but the channel names an existing thread (a sender known only by name): the
  // message belongs to that thread's contact rather than to a new one.
  let contactId = known[0] ? (known[0].merged_into_id ?? known[0].contact_id) : threadContactId;
  const created = !contactId;
  if (!contactId) {
    contactId = newId(now);
    const name = msg.sender.name?.trim() || identities[0]?.value || 'Unknown sender';
    await insertContactSql(tx, [contactId, entrance.workspace_id, name.slice(0, 200), entrance.id, msg.referral?.slice(0, 500) ?? null, now, now]);
  } else {
    await touchContactSql(tx, [now, contactId]);
  }

  let senderIdentityId: string | null = null;
  for (const identity of identities) {
    const existing = known.find((k) => k.kind === identity.kind && k.value_normalized === identity.normalized);
    if (existing) {
      senderIdentityId ??= existing.id;
      if (identity.verified && !existing.verified) await verifyIdentitySql(tx, [existing.id]);
      continue;
    }
    const id = newId(now);
    // A unique violation here means a concurrent delivery created this identity first: the whole
    // transaction is retried and then finds it.
    await insertIdentitySql(tx, [id, entrance.workspace_id, contactId, identity.kind, identity.value.slice(0, 500), identity.normalized.slice(0, 500), identity.verified ? 1 : 0, now]);
    senderIdentityId ??= id;
  }
  return { contactId, identityId: senderIdentityId, created };
}

type Opts = Required<Pick<IngestOptions, 'startsClock' | 'defaultCountry'>> & { now: number; files?: SavedAttachments | null };

const asDuplicate = (stored: Stored): IngestResult => ({ messageId: stored.id, conversationId: stored.conversation_id, contactId: stored.contact_id, duplicate: true });

async function ingestOnce(db: Db, entrance: Entrance, msg: InboundMessage, opts: Opts): Promise<IngestResult> {
  const identities = msg.sender.identities.map((c) => normalizeIdentity(c, opts.defaultCountry)).filter((i): i is NormalizedIdentity => i !== null);
  const batcher = commitBatcherFor(db);
  if (batcher) {
    // One unit of a group transaction: the duplicate check runs inside it, so it also sees what
    // earlier units of the same batch stored.
    return batcher.run(async (tx) => {
      const stored = await findStored(tx, entrance.id, msg.externalId);
      return stored ? asDuplicate(stored) : storeMessage(tx, entrance, msg, opts, identities);
    });
  }
  const stored = await findStored(db, entrance.id, msg.externalId);
  if (stored) return asDuplicate(stored);
  return db.transaction().execute((tx) => storeMessage(tx, entrance, msg, opts, identities));
}

async function storeMessage(tx: DbOrTx, entrance: Entrance, msg: InboundMessage, opts: Opts, identities: NormalizedIdentity[]): Promise<IngestResult> {
  const { now } = opts;
  const sentAt = Math.min(msg.sentAt, now);
  const namedThread = msg.threadKey ? await first(findThreadSql(tx, [entrance.id, msg.threadKey])) : undefined;
  const { contactId, identityId, created } = await resolveContact(tx, entrance, msg, identities, now, namedThread?.contact_id ?? null);
  const threadKey = msg.threadKey ?? `contact:${contactId}`;
  // A contact created just now has no conversation yet.
  const conversation = msg.threadKey ? namedThread : created ? undefined : await first(findThreadSql(tx, [entrance.id, threadKey]));
  const preview = previewOf(msg.text);

  let conversationId: string;
  if (!conversation) {
    conversationId = newId(now);
    await insertConversationSql(tx, [conversationId, entrance.workspace_id, contactId, entrance.id, threadKey, msg.subject?.slice(0, 500) ?? null, opts.startsClock ? sentAt : null, sentAt, now, now, preview]);
  } else {
    conversationId = conversation.id;
    const lastMessageAt = Math.max(conversation.last_message_at, sentAt);
    const newPreview = sentAt >= conversation.last_message_at ? preview : null;
    if (opts.startsClock) await reopenConversationSql(tx, [sentAt, lastMessageAt, now, newPreview, conversationId]);
    else await fileInConversationSql(tx, [lastMessageAt, now, newPreview, conversationId]);
  }

  const messageId = newId(now);
  const meta = {
    ...msg.meta,
    ...(msg.preferredReply ? { preferredReply: msg.preferredReply } : {}),
    ...(msg.referral ? { referral: msg.referral } : {}),
  };
  const inserted = await affected(
    insertMessageSql(tx, [
      messageId, entrance.workspace_id, conversationId, entrance.id, msg.externalId, identityId, msg.subject?.slice(0, 500) ?? null, msg.text,
      msg.html ? sanitizeInboundHtml(msg.html) : null, sentAt, now, Object.keys(meta).length ? JSON.stringify(meta) : null,
    ]),
  );
  if (inserted === 0) throw new AlreadyStored();
  if (opts.files) await insertAttachmentRows(tx, { workspaceId: entrance.workspace_id, messageId, now }, opts.files);
  return { messageId, conversationId, contactId, duplicate: false };
}

/**
 * Stores one inbound message durably and returns where it went. Resolves only after the commit,
 * so a caller that acknowledges a webhook afterwards never acknowledges a message it could lose.
 */
export async function ingestMessage(db: Db, entrance: Entrance, msg: InboundMessage, options: IngestOptions & { live?: LiveEvents } = {}): Promise<IngestResult> {
  const opts: Opts = { now: options.now ?? Date.now(), startsClock: options.startsClock ?? true, defaultCountry: options.defaultCountry ?? 'CH' };
  // Attachment files before the transaction, their rows inside it (storeMessage): a committed row
  // never names a missing file.
  if (msg.attachments?.length) opts.files = await saveAttachmentFiles(options.attachmentStore, msg.attachments);
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await ingestOnce(db, entrance, msg, opts);
      if (!result.duplicate && options.live) {
        await options.live.publish({ type: 'message.created', workspaceId: entrance.workspace_id, conversationId: result.conversationId, messageId: result.messageId, contactId: result.contactId }).catch(() => {});
      }
      return result;
    } catch (err) {
      // Lost a race with a concurrent delivery of the same message (or of another message from the
      // same new person): run again; the second pass finds what the winner stored.
      if ((err instanceof AlreadyStored || isUniqueViolation(err)) && attempt < MAX_ATTEMPTS) continue;
      if (err instanceof AlreadyStored) {
        const stored = await findStored(db, entrance.id, msg.externalId);
        if (stored) return asDuplicate(stored);
      }
      throw err;
    }
  }
}
