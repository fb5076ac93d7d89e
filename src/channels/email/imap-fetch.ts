// One pass over one IMAP folder: what is new since the stored cursor, fetched in bounded batches and
// handed to the caller, who stores the batch; only then does the cursor move. Knows IMAP, not the
// database: the caller passes the state and the functions that load and save it.
//
// Two imapflow rules shape this file:
//  - A fetch() must be iterated to its end before any other command is issued on the connection
//    (imapflow queues the next command behind the running FETCH, which waits for the consumer:
//    a deadlock). Every fetch here is collected into an array first, then processed.
//  - An ImapFlow client is single-use; reconnecting is the caller's business.
import type { FetchMessageObject, ImapFlow } from 'imapflow';

export interface FolderState {
  uidValidity: number;
  /** Every message with a UID up to this one has been stored (or deliberately skipped). */
  lastUid: number;
  /** CONDSTORE's HIGHESTMODSEQ at the last pass, when the server has it. */
  highestModseq: string | null;
  /** While the initial sync runs: only messages since this moment (epoch ms) are fetched. */
  windowSince: number | null;
}

export interface FetchedMessage {
  folder: string;
  uid: number;
  /** The raw message; for a message above the size limit, its header section only (truncated). */
  source: Buffer;
  size: number;
  internalDate: number | null;
  truncated: boolean;
}

export interface FolderSyncHooks {
  loadState(folder: string): Promise<FolderState | null>;
  saveState(folder: string, state: FolderState): Promise<void>;
  /** Of these Message-IDs (bare, without angle brackets), the ones already stored: they are not downloaded again. */
  storedMessageIds(messageIds: string[]): Promise<Set<string>>;
  /** Stores the batch durably; throwing leaves the cursor where it was. */
  storeBatch(messages: FetchedMessage[]): Promise<void>;
}

export interface FolderSyncOptions {
  batchSize: number;
  initialWindowDays: number;
  /** Larger messages are stored with their header only and a note (the full one stays on the server). */
  maxMessageBytes: number;
  now: () => number;
  signal?: AbortSignal;
}

export interface FolderSyncResult {
  folder: string;
  stored: number;
  skippedKnown: number;
  uidValidityChanged: boolean;
  condstore: boolean;
}

export const DEFAULT_BATCH_SIZE = 100;
export const DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

/** "<abc@x>" → "abc@x"; the one normalisation for Message-IDs used as external ids and thread keys. */
export function bareMessageId(value: string | null | undefined): string | null {
  if (!value) return null;
  const m = /<([^<>\s]+)>/.exec(value);
  const id = (m?.[1] ?? value).trim();
  return id.length > 0 && id.length <= 900 && !/\s/.test(id) ? id : null;
}

/** Compact UID set for a command: [1,2,3,7] → "1:3,7". */
export function toUidSet(uids: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < uids.length; i++) {
    const start = uids[i]!;
    let end = start;
    while (i + 1 < uids.length && uids[i + 1] === end + 1) end = uids[++i]!;
    parts.push(start === end ? String(start) : `${start}:${end}`);
  }
  return parts.join(',');
}

async function collect(iterable: AsyncIterable<FetchMessageObject>): Promise<FetchMessageObject[]> {
  const out: FetchMessageObject[] = [];
  for await (const m of iterable) out.push(m);
  return out;
}

function throwIfAborted(signal?: AbortSignal) {
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
}

function toEpoch(d: Date | string | undefined): number | null {
  if (!d) return null;
  const t = d instanceof Date ? d.getTime() : Date.parse(d);
  return Number.isFinite(t) ? t : null;
}

/** EXAMINE (read-only: the sync never changes flags); a missing folder becomes code NoSuchMailbox. */
async function openFolder(client: ImapFlow, folder: string) {
  try {
    return await client.mailboxOpen(folder, { readOnly: true });
  } catch (err) {
    const e = err as { serverResponseCode?: string; responseText?: string; code?: string };
    // Dovecot answers "NO [NONEXISTENT] Mailbox doesn't exist"; others only say it in words.
    if (e.serverResponseCode === 'NONEXISTENT' || e.code === 'NotFound' || /exist|not found|unknown|no such/i.test(e.responseText ?? '')) {
      throw Object.assign(new Error(`The folder "${folder}" does not exist: ${e.responseText ?? ''}`.trim()), { code: 'NoSuchMailbox', folder, cause: err });
    }
    throw err;
  }
}

/**
 * Brings one folder up to date. With no state (first sync) or a changed UIDVALIDITY (the folder was
 * rebuilt), it starts over with the bounded window; the external ids (Message-IDs) make that
 * resync store nothing twice.
 */
export async function syncFolder(client: ImapFlow, folder: string, hooks: FolderSyncHooks, options: FolderSyncOptions): Promise<FolderSyncResult> {
  const result: FolderSyncResult = { folder, stored: 0, skippedKnown: 0, uidValidityChanged: false, condstore: client.enabled.has('CONDSTORE') || client.capabilities.has('CONDSTORE') };
  let state = await hooks.loadState(folder);

  // A folder that is not the selected one is checked with STATUS first: cheap, and it leaves the
  // selected (IDLE) folder alone when nothing changed.
  if (state && state.windowSince === null && client.mailbox && client.mailbox.path !== folder) {
    const status = await client.status(folder, { uidNext: true, uidValidity: true, ...(result.condstore ? { highestModseq: true } : {}) });
    if (status && status.uidValidity !== undefined && Number(status.uidValidity) === state.uidValidity && status.uidNext !== undefined && status.uidNext - 1 <= state.lastUid) {
      return result;
    }
  }

  // The selected folder (the one IDLE watches) is not re-selected: its UIDNEXT and HIGHESTMODSEQ
  // as imapflow holds them date from the SELECT, so they only bound the cursor from below and the
  // CONDSTORE shortcut is not taken; the UID SEARCH below sees what arrived since.
  const selected = client.mailbox !== false && client.mailbox.path === folder;
  const mailbox = client.mailbox && selected ? client.mailbox : await openFolder(client, folder);
  const uidValidity = Number(mailbox.uidValidity);
  const uidNextAtOpen = mailbox.uidNext;
  const modseq = mailbox.highestModseq !== undefined ? String(mailbox.highestModseq) : null;

  if (state && state.uidValidity !== uidValidity) {
    result.uidValidityChanged = true;
    state = null;
  }
  if (!state) {
    state = { uidValidity, lastUid: 0, highestModseq: null, windowSince: options.now() - options.initialWindowDays * 86_400_000 };
    await hooks.saveState(folder, state);
  }
  // CONDSTORE: an unchanged HIGHESTMODSEQ and no UID above the cursor mean nothing to do.
  if (!selected && state.windowSince === null && modseq !== null && modseq === state.highestModseq && uidNextAtOpen - 1 <= state.lastUid) return result;

  const criteria = { uid: `${state.lastUid + 1}:*`, ...(state.windowSince !== null ? { since: new Date(state.windowSince) } : {}) };
  const found = await client.search(criteria, { uid: true });
  // "n:*" always matches the highest UID, even below n: filter.
  const uids = (found || []).filter((u) => u > state!.lastUid).sort((a, b) => a - b);

  for (let i = 0; i < uids.length; i += options.batchSize) {
    throwIfAborted(options.signal);
    const batch = uids.slice(i, i + options.batchSize);
    const meta = await collect(client.fetch(toUidSet(batch), { uid: true, size: true, envelope: true, internalDate: true }, { uid: true }));
    const ids = meta.map((m) => bareMessageId(m.envelope?.messageId)).filter((x): x is string => x !== null);
    const known = ids.length ? await hooks.storedMessageIds(ids) : new Set<string>();
    const wanted = meta.filter((m) => {
      const id = bareMessageId(m.envelope?.messageId);
      return !(id && known.has(id));
    });
    result.skippedKnown += meta.length - wanted.length;

    const small = wanted.filter((m) => (m.size ?? 0) <= options.maxMessageBytes).map((m) => m.uid);
    const large = wanted.filter((m) => (m.size ?? 0) > options.maxMessageBytes).map((m) => m.uid);
    const fetched: FetchedMessage[] = [];
    const metaByUid = new Map(meta.map((m) => [m.uid, m]));
    if (small.length) {
      for (const m of await collect(client.fetch(toUidSet(small), { uid: true, source: true }, { uid: true }))) {
        if (!m.source) continue;
        const info = metaByUid.get(m.uid);
        fetched.push({ folder, uid: m.uid, source: m.source, size: info?.size ?? m.source.length, internalDate: toEpoch(info?.internalDate), truncated: false });
      }
    }
    if (large.length) {
      // Above the limit only the header is fetched; the parser (given the declared size) records
      // that the body was not read, and the full message stays on the server.
      for (const m of await collect(client.fetch(toUidSet(large), { uid: true, headers: true }, { uid: true }))) {
        const info = metaByUid.get(m.uid);
        fetched.push({ folder, uid: m.uid, source: m.headers ?? Buffer.alloc(0), size: info?.size ?? 0, internalDate: toEpoch(info?.internalDate), truncated: true });
      }
    }
    fetched.sort((a, b) => a.uid - b.uid);
    if (fetched.length) await hooks.storeBatch(fetched);
    result.stored += fetched.length;
    // The batch is stored: only now may the cursor pass it.
    state = { ...state, lastUid: Math.max(state.lastUid, batch[batch.length - 1]!) };
    await hooks.saveState(folder, state);
  }

  throwIfAborted(options.signal);
  // Everything below UIDNEXT-at-open was either fetched or (outside the window) deliberately left.
  state = { ...state, lastUid: Math.max(state.lastUid, uidNextAtOpen - 1), highestModseq: selected ? state.highestModseq : modseq, windowSince: null };
  await hooks.saveState(folder, state);
  return result;
}
