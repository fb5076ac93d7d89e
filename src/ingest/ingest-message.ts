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
}

/** Thrown inside the transaction when a concurrent delivery stored the same message first. */
class AlreadyStored extends Error {}

const MAX_ATTEMPTS = 5;

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

async function findStored(db: DbOrTx, entranceId: string, externalId: string) {
  return db
    .selectFrom('message')
    .innerJoin('conversation', 'conversation.id', 'message.conversation_id')
    .select(['message.id', 'message.conversation_id', 'conversation.contact_id'])
    .where('message.entrance_id', '=', entranceId)
    .where('message.external_id', '=', externalId)
    .executeTakeFirst();
}

/**
 * Finds the contact these identities belong to, or creates one. An identity seen before always
 * means its contact. Several known contacts at once are never merged automatically: the message
 * goes to the one with the strongest identity (verified e-mail or phone first) and the others are
 * left for the owner to merge.
 */
async function resolveContact(tx: DbOrTx, entrance: Entrance, msg: InboundMessage, identities: NormalizedIdentity[], now: number, threadContactId: string | null): Promise<{ contactId: string; identityId: string | null }> {
  const known = identities.length
    ? await tx
        .selectFrom('identity')
        .innerJoin('contact', 'contact.id', 'identity.contact_id')
        .select(['identity.id', 'identity.kind', 'identity.value_normalized', 'identity.verified', 'identity.contact_id', 'contact.merged_into_id'])
        .where('identity.workspace_id', '=', entrance.workspace_id)
        .where((eb) => eb.or(identities.map((i) => eb.and([eb('identity.kind', '=', i.kind), eb('identity.value_normalized', '=', i.normalized)]))))
        .execute()
    : [];
  const rank = (k: { kind: string; verified: number }) => (STRONG_IDENTITY_KINDS.has(k.kind) ? 2 : 0) + (k.verified ? 1 : 0);
  known.sort((a, b) => rank(b) - rank(a));

  // No identity known, but the channel names an existing thread (a sender known only by name): the
  // message belongs to that thread's contact rather than to a new one.
  let contactId = known[0] ? (known[0].merged_into_id ?? known[0].contact_id) : threadContactId;
  if (!contactId) {
    contactId = newId(now);
    const name = msg.sender.name?.trim() || identities[0]?.value || 'Unknown sender';
    await tx
      .insertInto('contact')
      .values({
        id: contactId,
        workspace_id: entrance.workspace_id,
        display_name: name.slice(0, 200),
        stage: 'inquiry',
        first_entrance_id: entrance.id,
        referred_by_contact_id: null,
        referred_by_text: msg.referral?.slice(0, 500) ?? null,
        notes: null,
        next_action: null,
        next_action_at: null,
        merged_into_id: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
  } else {
    await tx.updateTable('contact').set({ updated_at: now }).where('id', '=', contactId).execute();
  }

  let senderIdentityId: string | null = null;
  for (const identity of identities) {
    const existing = known.find((k) => k.kind === identity.kind && k.value_normalized === identity.normalized);
    if (existing) {
      senderIdentityId ??= existing.id;
      if (identity.verified && !existing.verified) await tx.updateTable('identity').set({ verified: 1 }).where('id', '=', existing.id).execute();
      continue;
    }
    const id = newId(now);
    // A unique violation here means a concurrent delivery created this identity first: the whole
    // transaction is retried and then finds it.
    await tx
      .insertInto('identity')
      .values({ id, workspace_id: entrance.workspace_id, contact_id: contactId, kind: identity.kind, value: identity.value.slice(0, 500), value_normalized: identity.normalized.slice(0, 500), verified: identity.verified ? 1 : 0, created_at: now })
      .execute();
    senderIdentityId ??= id;
  }
  return { contactId, identityId: senderIdentityId };
}

type Opts = Required<Pick<IngestOptions, 'startsClock' | 'defaultCountry'>> & { now: number };

const asDuplicate = (stored: NonNullable<Awaited<ReturnType<typeof findStored>>>): IngestResult => ({ messageId: stored.id, conversationId: stored.conversation_id, contactId: stored.contact_id, duplicate: true });

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
  const findThread = (key: string) =>
    tx.selectFrom('conversation').select(['id', 'status', 'awaiting_since', 'last_message_at', 'contact_id']).where('entrance_id', '=', entrance.id).where('thread_key', '=', key).executeTakeFirst();
  const namedThread = msg.threadKey ? await findThread(msg.threadKey) : undefined;
  const { contactId, identityId } = await resolveContact(tx, entrance, msg, identities, now, namedThread?.contact_id ?? null);
  const threadKey = msg.threadKey ?? `contact:${contactId}`;
  const conversation = msg.threadKey ? namedThread : await findThread(threadKey);

  let conversationId: string;
  if (!conversation) {
    conversationId = newId(now);
    await tx
      .insertInto('conversation')
      .values({
        id: conversationId,
        workspace_id: entrance.workspace_id,
        contact_id: contactId,
        entrance_id: entrance.id,
        thread_key: threadKey,
        subject: msg.subject?.slice(0, 500) ?? null,
        status: 'open',
        awaiting_since: opts.startsClock ? sentAt : null,
        last_message_at: sentAt,
        snoozed_until: null,
        created_at: now,
        updated_at: now,
        preview: previewOf(msg.text),
      })
      .execute();
  } else {
    conversationId = conversation.id;
    // The contact writes again: a closed conversation reopens, a snoozed one wakes up, and the
    // clock keeps the time of the oldest unanswered message.
    await tx
      .updateTable('conversation')
      .set({
        status: 'open',
        snoozed_until: null,
        awaiting_since: opts.startsClock ? (conversation.awaiting_since ?? sentAt) : conversation.awaiting_since,
        last_message_at: Math.max(conversation.last_message_at, sentAt),
        // A late delivery of an older message does not replace the newer preview.
        ...(sentAt >= conversation.last_message_at ? { preview: previewOf(msg.text) } : {}),
        updated_at: now,
      })
      .where('id', '=', conversationId)
      .execute();
  }

  const messageId = newId(now);
  const meta = {
    ...msg.meta,
    ...(msg.preferredReply ? { preferredReply: msg.preferredReply } : {}),
    ...(msg.referral ? { referral: msg.referral } : {}),
  };
  const inserted = await tx
    .insertInto('message')
    .values({
      id: messageId,
      workspace_id: entrance.workspace_id,
      conversation_id: conversationId,
      entrance_id: entrance.id,
      direction: 'inbound',
      external_id: msg.externalId,
      identity_id: identityId,
      author_user_id: null,
      subject: msg.subject?.slice(0, 500) ?? null,
      text: msg.text,
      html: msg.html ? sanitizeInboundHtml(msg.html) : null,
      sent_at: sentAt,
      delivery_state: 'received',
      delivery_error: null,
      created_at: now,
      meta: Object.keys(meta).length ? JSON.stringify(meta) : null,
    })
    .onConflict((oc) => oc.columns(['entrance_id', 'external_id']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw new AlreadyStored();
  return { messageId, conversationId, contactId, duplicate: false };
}

/**
 * Stores one inbound message durably and returns where it went. Resolves only after the commit,
 * so a caller that acknowledges a webhook afterwards never acknowledges a message it could lose.
 */
export async function ingestMessage(db: Db, entrance: Entrance, msg: InboundMessage, options: IngestOptions & { live?: LiveEvents } = {}): Promise<IngestResult> {
  const opts = { now: options.now ?? Date.now(), startsClock: options.startsClock ?? true, defaultCountry: options.defaultCountry ?? 'CH' };
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
