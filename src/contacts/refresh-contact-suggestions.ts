// Brings one contact's match keys and "possibly the same person" suggestions up to date. Called for
// every contact that changed (by the scheduled scan) and for the contact a page shows (on read).
// Its cost does not grow with the workspace: a handful of equality look-ups on
// contact_match_key (workspace_id, key), each bounded; it writes only what differs.
import { newId } from '../core/ids.ts';
import type { Db, DbOrTx } from '../storage/database.ts';
import type { ContactSuggestionState, MatchKeySource } from '../storage/schema.ts';
import { matchKeysOf, reasonsBetween, REASON_ORDER, type MatchKey, type SuggestionReason } from './match-keys.ts';

/** A key shared by more contacts than this (a very common name) is no evidence of anything. */
export const MAX_CONTACTS_PER_KEY = 20;
/** The notice offers the strongest few; a contact with more look-alikes is a name, not a person. */
export const MAX_SUGGESTIONS_PER_CONTACT = 10;

interface StoredSuggestion {
  id: string;
  contact_id: string;
  other_contact_id: string;
  reasons: string;
  state: ContactSuggestionState;
  merge_id: string | null;
}

const pairOf = (x: string, y: string): [string, string] => (x < y ? [x, y] : [y, x]);
const rowKey = (k: { source: MatchKeySource; key: string }) => `${k.source}|${k.key}`;

/** The contacts (not merged away) other than `contactId` that share one of its keys, with their keys. */
/** Runs `work` in the caller's transaction when there is one (the scan writes a page in one), else in its own. */
function inTransaction<T>(db: DbOrTx, work: (tx: DbOrTx) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : (db as Db).transaction().execute(work);
}

async function findLookAlikes(db: DbOrTx, workspaceId: string, contactId: string, keys: MatchKey[]): Promise<Map<string, MatchKey[]>> {
  const distinct = [...new Set(keys.map((k) => k.key))];
  const hits = await Promise.all(
    distinct.map((key) =>
      db
        .selectFrom('contact_match_key')
        .innerJoin('contact', 'contact.id', 'contact_match_key.contact_id')
        .select(['contact_match_key.contact_id', 'contact_match_key.source', 'contact_match_key.key', 'contact_match_key.value'])
        .where('contact_match_key.workspace_id', '=', workspaceId)
        .where('contact_match_key.key', '=', key)
        .where('contact_match_key.contact_id', '!=', contactId)
        .where('contact.merged_into_id', 'is', null)
        .limit(MAX_CONTACTS_PER_KEY + 1)
        .execute(),
    ),
  );
  const byContact = new Map<string, MatchKey[]>();
  for (const rows of hits) {
    if (new Set(rows.map((r) => r.contact_id)).size > MAX_CONTACTS_PER_KEY) continue;
    for (const r of rows) {
      const list = byContact.get(r.contact_id) ?? [];
      list.push({ key: r.key, source: r.source, value: r.value });
      byContact.set(r.contact_id, list);
    }
  }
  return byContact;
}

/** Reasons oriented for the stored pair: side a is the smaller contact id. */
function pairReasons(contactId: string, keys: MatchKey[], otherId: string, otherKeys: MatchKey[]): SuggestionReason[] {
  return contactId < otherId ? reasonsBetween(keys, otherKeys) : reasonsBetween(otherKeys, keys);
}

async function storedSuggestions(db: DbOrTx, contactId: string): Promise<StoredSuggestion[]> {
  const columns = ['id', 'contact_id', 'other_contact_id', 'reasons', 'state', 'merge_id'] as const;
  const [first, second] = await Promise.all([
    db.selectFrom('contact_suggestion').select(columns).where('contact_id', '=', contactId).execute(),
    db.selectFrom('contact_suggestion').select(columns).where('other_contact_id', '=', contactId).execute(),
  ]);
  return [...first, ...second];
}

/**
 * Brings the match keys of these contacts up to date, in a few queries whatever their number:
 * a contact merged away keeps none (its identities now count for the contact it went into).
 * Returns each contact's keys, null for one merged away; a contact not in the workspace is absent.
 */
export async function refreshMatchKeys(db: DbOrTx, workspaceId: string, contactIds: string[]): Promise<Map<string, MatchKey[] | null>> {
  const out = new Map<string, MatchKey[] | null>();
  const ids = [...new Set(contactIds)];
  if (!ids.length) return out;
  // By id only, the workspace checked on the rows: with workspace_id in the condition, SQLite may
  // read the workspace's index instead (every contact or identity of the workspace).
  const [found, identities, stored] = await Promise.all([
    db.selectFrom('contact').select(['id', 'workspace_id', 'display_name', 'merged_into_id']).where('id', 'in', ids).execute(),
    db.selectFrom('identity').select(['contact_id', 'kind', 'value', 'value_normalized']).where('contact_id', 'in', ids).execute(),
    db.selectFrom('contact_match_key').select(['contact_id', 'source', 'key', 'value']).where('contact_id', 'in', ids).execute(),
  ]);
  const contacts = found.filter((c) => c.workspace_id === workspaceId);
  const group = <T extends { contact_id: string }>(rows: T[]) => {
    const by = new Map<string, T[]>();
    for (const r of rows) by.set(r.contact_id, [...(by.get(r.contact_id) ?? []), r]);
    return by;
  };
  const identitiesOf = group(identities);
  const storedOf = group(stored);
  const toDelete: Array<{ contact_id: string; source: MatchKeySource; key: string }> = [];
  const toWrite: Array<{ contact_id: string; source: MatchKeySource; key: string; value: string }> = [];
  for (const c of contacts) {
    const keys = c.merged_into_id === null ? matchKeysOf(c.display_name, identitiesOf.get(c.id) ?? []) : [];
    out.set(c.id, c.merged_into_id === null ? keys : null);
    const wanted = new Map(keys.map((k) => [rowKey(k), k]));
    const have = new Map((storedOf.get(c.id) ?? []).map((k) => [rowKey(k), k]));
    for (const [id, k] of have) if (!wanted.has(id)) toDelete.push(k);
    for (const [id, k] of wanted) if (have.get(id)?.value !== k.value) toWrite.push({ contact_id: c.id, ...k });
  }
  if (!toDelete.length && !toWrite.length) return out;
  await inTransaction(db, async (tx) => {
    for (const k of toDelete) await tx.deleteFrom('contact_match_key').where('contact_id', '=', k.contact_id).where('source', '=', k.source).where('key', '=', k.key).execute();
    // Concurrent refreshes of the same contact write the same rows: the last value wins, no error.
    for (let i = 0; i < toWrite.length; i += 200) {
      await tx
        .insertInto('contact_match_key')
        .values(toWrite.slice(i, i + 200).map((k) => ({ ...k, workspace_id: workspaceId })))
        .onConflict((oc) => oc.columns(['contact_id', 'source', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
        .execute();
    }
  });
  return out;
}

/**
 * Refreshes one contact's keys, then its suggestions against the keys stored for everyone else.
 * `fresh`: its keys as refreshMatchKeys just returned them (the scan refreshes a page at once).
 */
export async function refreshContactSuggestions(db: DbOrTx, workspaceId: string, contactId: string, now = Date.now(), fresh?: MatchKey[] | null): Promise<void> {
  let keys = fresh;
  if (keys === undefined) {
    const refreshed = await refreshMatchKeys(db, workspaceId, [contactId]);
    if (!refreshed.has(contactId)) return; // not in this workspace, or deleted with what it had
    keys = refreshed.get(contactId)!;
  }
  const suggestions = await storedSuggestions(db, contactId);

  // Merged away: its open suggestions point at a record nobody sees. Decisions (dismissed,
  // confirmed) stay: an undo brings the contact back, and with it what the owner said.
  if (keys === null) {
    const stale = suggestions.filter((s) => s.state === 'open').map((s) => s.id);
    if (stale.length) await db.deleteFrom('contact_suggestion').where('id', 'in', stale).where('state', '=', 'open').execute();
    return;
  }

  const lookAlikes = await findLookAlikes(db, workspaceId, contactId, keys);

  const candidates = [...lookAlikes]
    .map(([otherId, otherKeys]) => ({ otherId, reasons: pairReasons(contactId, keys, otherId, otherKeys) }))
    .filter((c) => c.reasons.length > 0)
    .sort((x, y) => REASON_ORDER.indexOf(x.reasons[0]!.kind) - REASON_ORDER.indexOf(y.reasons[0]!.kind) || y.reasons.length - x.reasons.length || (x.otherId < y.otherId ? -1 : 1))
    .slice(0, MAX_SUGGESTIONS_PER_CONTACT);

  const byPair = new Map(suggestions.map((s) => [`${s.contact_id}|${s.other_contact_id}`, s]));
  const undoneMerges = new Set<string>();
  const confirmedMergeIds = suggestions.filter((s) => s.state === 'confirmed' && s.merge_id).map((s) => s.merge_id!);
  if (confirmedMergeIds.length) {
    const rows = await db.selectFrom('contact_merge').select('id').where('id', 'in', confirmedMergeIds).where('undone_at', 'is not', null).execute();
    for (const r of rows) undoneMerges.add(r.id);
  }
  const inserts: Array<{ a: string; b: string; reasons: string }> = [];
  const updates: Array<{ id: string; reasons: string; reopen: boolean }> = [];
  const kept = new Set<string>();
  for (const c of candidates) {
    const [a, b] = pairOf(contactId, c.otherId);
    const reasons = JSON.stringify(c.reasons);
    const existing = byPair.get(`${a}|${b}`);
    if (existing) kept.add(existing.id);
    if (!existing) inserts.push({ a, b, reasons });
    else if (existing.state === 'open' && existing.reasons !== reasons) updates.push({ id: existing.id, reasons, reopen: false });
    // The owner merged them and then undid it: the question is open again, to answer "not the same".
    else if (existing.state === 'confirmed' && existing.merge_id && undoneMerges.has(existing.merge_id)) updates.push({ id: existing.id, reasons, reopen: true });
  }
  const withdrawn = suggestions.filter((s) => s.state === 'open' && !kept.has(s.id)).map((s) => s.id);

  if (!inserts.length && !updates.length && !withdrawn.length) return;
  await inTransaction(db, async (tx) => {
    for (const s of inserts) {
      // A concurrent refresh of the other contact may insert the same pair first: one row either way.
      await tx
        .insertInto('contact_suggestion')
        .values({ id: newId(now), workspace_id: workspaceId, contact_id: s.a, other_contact_id: s.b, reasons: s.reasons, state: 'open', merge_id: null, decided_by_user_id: null, decided_at: null, created_at: now, updated_at: now })
        .onConflict((oc) => oc.columns(['contact_id', 'other_contact_id']).doNothing())
        .execute();
    }
    for (const u of updates) {
      await tx
        .updateTable('contact_suggestion')
        .set({ reasons: u.reasons, updated_at: now, ...(u.reopen ? { state: 'open' as const, merge_id: null, decided_by_user_id: null, decided_at: null } : {}) })
        .where('id', '=', u.id)
        .where('state', '=', u.reopen ? 'confirmed' : 'open')
        .execute();
    }
    if (withdrawn.length) await tx.deleteFrom('contact_suggestion').where('id', 'in', withdrawn).where('state', '=', 'open').execute();
  });
}
