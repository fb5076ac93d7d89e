// The storage half of the e-mail sync: folder cursors, conversation keys, and storing one synced
// message — inbound through the ingest pipeline, the owner's own mail (found in the sent folder)
// as an outbound message that stops the clock. The IMAP half (imap-*.ts) never sees the database.
import type { Kysely } from 'kysely';
import { newId } from '../../core/ids.ts';
import { previewOf } from '../../core/preview.ts';
import type { LiveEvents } from '../../events/live-events.ts';
import { ingestMessage } from '../../ingest/ingest-message.ts';
import type { BlobStore } from '../../attachments/blob-store.ts';
import type { Database } from '../../storage/schema.ts';
import type { Db, DbOrTx } from '../../storage/database.ts';
import type { Entrance, EntranceHealth } from '../../storage/schema.ts';
import type { FolderState } from './imap-fetch.ts';
import type { SyncedEmail } from './sync-message.ts';

const SUBJECT_FALLBACK_MS = 30 * 86_400_000;

/** The tables of the e-mail migration (2026-11-26-05-email), typed here beside their only users. */
export type EmailTables = {
  email_folder_state: { entrance_id: string; folder: string; uidvalidity: number; last_uid: number; highest_modseq: string | null; window_since: number | null; updated_at: number };
  conversation_key: { entrance_id: string; key: string; conversation_id: string; workspace_id: string; created_at: number };
  email_sync_lease: { entrance_id: string; holder: string; expires_at: number };
};
export type EmailDb = Kysely<Database & EmailTables>;

export const emailDb = (db: DbOrTx): EmailDb => (db as Kysely<Database>).withTables<EmailTables>() as EmailDb;

export async function loadFolderState(db: Db, entranceId: string, folder: string): Promise<FolderState | null> {
  const row = await emailDb(db).selectFrom('email_folder_state').selectAll().where('entrance_id', '=', entranceId).where('folder', '=', folder).executeTakeFirst();
  return row ? { uidValidity: Number(row.uidvalidity), lastUid: Number(row.last_uid), highestModseq: row.highest_modseq, windowSince: row.window_since === null ? null : Number(row.window_since) } : null;
}

export async function saveFolderState(db: Db, entranceId: string, folder: string, state: FolderState, now = Date.now()): Promise<void> {
  const values = { uidvalidity: state.uidValidity, last_uid: state.lastUid, highest_modseq: state.highestModseq, window_since: state.windowSince, updated_at: now };
  await emailDb(db)
    .insertInto('email_folder_state')
    .values({ entrance_id: entranceId, folder, ...values })
    .onConflict((oc) => oc.columns(['entrance_id', 'folder']).doUpdateSet(values))
    .execute();
}

/** Of these external ids, the ones this entrance already stored. */
export async function storedExternalIds(db: Db, entranceId: string, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db.selectFrom('message').select('external_id').where('entrance_id', '=', entranceId).where('external_id', 'in', ids).execute();
  return new Set(rows.map((r) => r.external_id!));
}

/**
 * The conversation one of these keys belongs to, trying them in order (In-Reply-To before
 * References before the subject fallback). A "mid:" key also matches a stored message's external
 * id, which is how a reply to one of the owner's own sent messages (whose Message-ID the outbox
 * stored) finds its thread.
 */
export async function findConversationForKeys(db: DbOrTx, entranceId: string, keys: string[], pending?: PendingKeys, now = Date.now()): Promise<{ id: string; thread_key: string } | undefined> {
  if (!keys.length) return undefined;
  const byKey = await emailDb(db)
    .selectFrom('conversation_key')
    .innerJoin('conversation', 'conversation.id', 'conversation_key.conversation_id')
    .select(['conversation_key.key', 'conversation.id', 'conversation.thread_key', 'conversation.last_message_at'])
    .where('conversation_key.entrance_id', '=', entranceId)
    .where('conversation_key.key', 'in', keys)
    .execute();
  const byThread = await db.selectFrom('conversation').select(['id', 'thread_key', 'last_message_at']).where('entrance_id', '=', entranceId).where('thread_key', 'in', keys).execute();
  const mids = keys.filter((k) => k.startsWith('mid:')).map((k) => k.slice(4));
  const byMessage = mids.length
    ? await db
        .selectFrom('message')
        .innerJoin('conversation', 'conversation.id', 'message.conversation_id')
        .select(['message.external_id', 'conversation.id', 'conversation.thread_key', 'conversation.last_message_at'])
        .where('message.entrance_id', '=', entranceId)
        .where('message.external_id', 'in', mids)
        .execute()
    : [];
  for (const key of keys) {
    const hit =
      byKey.find((r) => r.key === key) ??
      byThread.find((r) => r.thread_key === key) ??
      (key.startsWith('mid:') ? byMessage.find((r) => r.external_id === key.slice(4)) : undefined);
    // The subject fallback is for mail programs that drop In-Reply-To, not a way to group by
    // topic: only a conversation active in the last 30 days.
    if (hit && key.startsWith('subject:') && Number(hit.last_message_at) < now - SUBJECT_FALLBACK_MS) continue;
    if (hit) return { id: hit.id, thread_key: hit.thread_key };
    const queued = pending?.get(key);
    if (queued) return queued;
  }
  return undefined;
}

/** Files the keys under the conversation; a key another conversation holds already stays there. */
export async function rememberConversationKeys(db: DbOrTx, entrance: Pick<Entrance, 'id' | 'workspace_id'>, conversationId: string, keys: string[], now = Date.now()): Promise<void> {
  if (!keys.length) return;
  await emailDb(db)
    .insertInto('conversation_key')
    .values(keys.map((key) => ({ entrance_id: entrance.id, key: key.slice(0, 1000), conversation_id: conversationId, workspace_id: entrance.workspace_id, created_at: now })))
    .onConflict((oc) => oc.columns(['entrance_id', 'key']).doNothing())
    .execute();
}

/**
 * Keys of one batch, written in one statement after it (one commit per batch instead of one per
 * message) and consulted meanwhile, so that a reply in the same batch as its thread finds it.
 */
export class PendingKeys {
  private readonly byKey = new Map<string, { id: string; thread_key: string }>();

  get(key: string) {
    return this.byKey.get(key);
  }

  add(conversation: { id: string; thread_key: string }, keys: string[]) {
    for (const k of keys) if (!this.byKey.has(k)) this.byKey.set(k, conversation);
  }

  async flush(db: DbOrTx, entrance: Pick<Entrance, 'id' | 'workspace_id'>, now = Date.now()): Promise<void> {
    // All conversations' keys in one INSERT per 200 rows: one statement per conversation meant one
    // commit (an fsync on SQLite) per message of an initial sync.
    const rows = [...this.byKey].map(([key, c]) => ({ entrance_id: entrance.id, key: key.slice(0, 1000), conversation_id: c.id, workspace_id: entrance.workspace_id, created_at: now }));
    for (let i = 0; i < rows.length; i += 200) {
      await emailDb(db).insertInto('conversation_key').values(rows.slice(i, i + 200)).onConflict((oc) => oc.columns(['entrance_id', 'key']).doNothing()).execute();
    }
    this.byKey.clear();
  }
}

export type StoreOutcome = 'stored' | 'duplicate' | 'skipped';

export interface StoreContext {
  db: Db;
  live?: LiveEvents;
  now?: number;
  /** Where attachment files go; without it attachments are not stored. */
  attachmentStore?: BlobStore;
}

/**
 * Records a message the owner sent from their usual mail program (found in the sent folder) in the
 * conversation it answers, and stops that conversation's clock — unless the clock started after
 * this message was sent (an older reply found by a first sync does not answer a newer question).
 * Mail that answers no known conversation is left alone: the owner writing to someone first is not
 * a conversation Portier was asked to watch.
 */
export async function recordOutboundFromSync(store: StoreContext, entrance: Entrance, synced: SyncedEmail, pending?: PendingKeys): Promise<{ outcome: StoreOutcome; conversationId?: string; messageId?: string }> {
  const { db } = store;
  const now = store.now ?? Date.now();
  const match = await findConversationForKeys(db, entrance.id, synced.lookupKeys, pending);
  if (!match) return { outcome: 'skipped' };
  const msg = synced.inbound;
  const sentAt = Math.min(msg.sentAt, now);
  const messageId = newId(now);
  const stored = await db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('message')
      .values({
        id: messageId,
        workspace_id: entrance.workspace_id,
        conversation_id: match.id,
        entrance_id: entrance.id,
        direction: 'outbound',
        external_id: synced.externalId,
        identity_id: null,
        author_user_id: null,
        subject: msg.subject?.slice(0, 500) ?? null,
        text: msg.text,
        html: null,
        sent_at: sentAt,
        delivery_state: 'sent',
        delivery_error: null,
        created_at: now,
        meta: JSON.stringify({ ...synced.meta, source: 'sent-folder' }),
      })
      .onConflict((oc) => oc.columns(['entrance_id', 'external_id']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    const conv = await tx.selectFrom('conversation').select(['awaiting_since', 'last_message_at', 'status']).where('id', '=', match.id).executeTakeFirstOrThrow();
    const answers = conv.awaiting_since === null || sentAt >= Number(conv.awaiting_since);
    const newest = sentAt >= Number(conv.last_message_at);
    await tx
      .updateTable('conversation')
      .set({
        ...(answers ? { awaiting_since: null, status: 'waiting' as const } : {}),
        ...(newest ? { last_message_at: sentAt, preview: previewOf(msg.text) } : {}),
        updated_at: now,
      })
      .where('id', '=', match.id)
      .execute();
    await rememberConversationKeys(tx, entrance, match.id, synced.ownKeys, now);
    return true;
  });
  if (!stored) return { outcome: 'duplicate', conversationId: match.id };
  await store.live?.publish({ type: 'message.created', workspaceId: entrance.workspace_id, conversationId: match.id, messageId }).catch(() => {});
  return { outcome: 'stored', conversationId: match.id, messageId };
}

/** Stores one synced message once, in the conversation its keys point to (or a new one). */
export async function storeSyncedEmail(store: StoreContext, entrance: Entrance, synced: SyncedEmail, pending?: PendingKeys): Promise<StoreOutcome> {
  if (synced.sentByPortier) {
    // The outbox already recorded what Portier sent; its copy in the sent folder is not news. Its
    // keys are, when the provider replaced the Message-ID: replies will quote the replaced one.
    const match = await findConversationForKeys(store.db, entrance.id, synced.lookupKeys, pending);
    if (match) await rememberConversationKeys(store.db, entrance, match.id, synced.ownKeys, store.now);
    return 'skipped';
  }
  if (synced.direction === 'outbound') return (await recordOutboundFromSync(store, entrance, synced, pending)).outcome;

  if (synced.entranceKind !== 'email') {
    // A LinkedIn/Xing notification belongs to that network's entrance, threaded by the network's
    // own thread id, and does not also wait in the e-mail entrance. Without such an entrance it
    // stays here rather than being lost.
    const network = await store.db.selectFrom('entrance').selectAll().where('workspace_id', '=', entrance.workspace_id).where('kind', '=', synced.entranceKind as Entrance['kind']).where('archived_at', 'is', null).orderBy('created_at').executeTakeFirst();
    if (network) {
      const r = await ingestMessage(store.db, network, withEmailMeta(synced.inbound, synced), { startsClock: synced.startsClock, live: store.live, now: store.now, attachmentStore: store.attachmentStore });
      return r.duplicate ? 'duplicate' : 'stored';
    }
  }

  const match = await findConversationForKeys(store.db, entrance.id, synced.lookupKeys, pending, store.now);
  const threadKey = (match?.thread_key ?? synced.inbound.threadKey ?? `mid:${synced.externalId}`).slice(0, 1000);
  const result = await ingestMessage(store.db, entrance, withEmailMeta({ ...synced.inbound, threadKey }, synced), { startsClock: synced.startsClock, live: store.live, now: store.now, attachmentStore: store.attachmentStore });
  // Keys are filed after the message (with the batch, when there is one); should this step be
  // lost, the message's own Message-ID still finds the conversation through message.external_id,
  // and the next delivery files them again.
  if (pending) pending.add({ id: result.conversationId, thread_key: threadKey }, synced.ownKeys);
  else await rememberConversationKeys(store.db, entrance, result.conversationId, synced.ownKeys, store.now);
  if (result.duplicate) return 'duplicate';
  if (synced.failedMessageId) {
    // A bounce of one of the owner's replies: that reply did not arrive, and says why.
    const failed = await store.db
      .updateTable('message')
      .set({ delivery_state: 'failed', delivery_error: `Bounced: ${synced.failureReason}`.slice(0, 1000) })
      .where('entrance_id', '=', entrance.id)
      .where('external_id', '=', synced.failedMessageId)
      .where('direction', '=', 'outbound')
      .returning(['id', 'conversation_id'])
      .execute();
    for (const f of failed) await store.live?.publish({ type: 'message.updated', workspaceId: entrance.workspace_id, conversationId: f.conversation_id, messageId: f.id }).catch(() => {});
  }
  return 'stored';
}

/**
 * The e-mail's own details (thread ids, quote offsets, classification and why) go into the message
 * row in ingest's transaction: written afterwards, a crash in between left the message without
 * them for good (a resync skips a Message-ID already stored).
 */
function withEmailMeta(inbound: SyncedEmail['inbound'], synced: SyncedEmail): SyncedEmail['inbound'] {
  return { ...inbound, meta: { ...inbound.meta, ...synced.meta } };
}

/** Writes the entrance's health only when it changes, and tells open web apps. */
export async function setEntranceHealth(store: StoreContext, entrance: Pick<Entrance, 'id' | 'workspace_id'>, health: EntranceHealth, reason: string | null): Promise<void> {
  // updated_at stays: it means "the owner changed the settings", not "the connector's state moved".
  const res = await store.db
    .updateTable('entrance')
    .set({ health, health_reason: reason?.slice(0, 1000) ?? null })
    .where('id', '=', entrance.id)
    .where((eb) => eb.or([eb('health', '!=', health), reason === null ? eb('health_reason', 'is not', null) : eb.or([eb('health_reason', 'is', null), eb('health_reason', '!=', reason.slice(0, 1000))])]))
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) > 0) await store.live?.publish({ type: 'entrance.updated', workspaceId: entrance.workspace_id, entranceId: entrance.id }).catch(() => {});
}
