// Reading and answering "possibly the same person" suggestions. Confirming is the recorded,
// undoable merge of merge-contacts.ts; dismissing is remembered for the pair, for good.
import { AppError } from '../core/errors.ts';
import type { Db, DbOrTx } from '../storage/database.ts';
import { recordEvent } from '../storage/repositories/events.ts';
import type { EntranceKind } from '../storage/schema.ts';
import { mergeContacts } from './merge-contacts.ts';
import type { SuggestionReason, SuggestionReasonKind } from './match-keys.ts';

export interface ContactRef {
  id: string;
  displayName: string;
  firstEntrance: { id: string; kind: EntranceKind; label: string } | null;
}

/** A reason in the words of the page that shows it: the names and addresses to quote. */
export interface ReasonOut {
  kind: SuggestionReasonKind;
  /** The name that matched (same_name: the other contact's, as written; name_matches_*: the name side). */
  name: string | null;
  /** The address or profile quoted: the other contact's, or for similar_addresses this contact's. */
  address: string | null;
  /** similar_addresses only: the other contact's address. */
  otherAddress: string | null;
}

/** Turns a stored reason (sides a and b) into one seen from side a (`fromA`) or side b. */
export function reasonFor(reason: SuggestionReason, fromA: boolean): ReasonOut {
  const mine = fromA ? reason.a : reason.b;
  const theirs = fromA ? reason.b : reason.a;
  switch (reason.kind) {
    case 'same_name':
      return { kind: reason.kind, name: theirs.value, address: null, otherAddress: null };
    case 'name_matches_email':
    case 'name_matches_profile': {
      const named = mine.source === 'name' ? mine : theirs;
      const other = named === mine ? theirs : mine;
      return { kind: reason.kind, name: named.value, address: other.value, otherAddress: null };
    }
    case 'similar_addresses':
      return { kind: reason.kind, name: null, address: mine.value, otherAddress: theirs.value };
    case 'same_address':
      return { kind: reason.kind, name: null, address: theirs.value, otherAddress: null };
  }
}

function parseReasons(json: string): SuggestionReason[] {
  try {
    const parsed = JSON.parse(json) as unknown;
    return Array.isArray(parsed) ? (parsed as SuggestionReason[]) : [];
  } catch {
    return [];
  }
}

const OTHER_COLUMNS = ['other.id as other_id', 'other.display_name as other_name', 'other_entrance.id as other_entrance_id', 'other_entrance.kind as other_entrance_kind', 'other_entrance.label as other_entrance_label'] as const;
const A_COLUMNS = ['a.id as a_id', 'a.display_name as a_name', 'a_entrance.id as a_entrance_id', 'a_entrance.kind as a_entrance_kind', 'a_entrance.label as a_entrance_label'] as const;
const B_COLUMNS = ['b.id as b_id', 'b.display_name as b_name', 'b_entrance.id as b_entrance_id', 'b_entrance.kind as b_entrance_kind', 'b_entrance.label as b_entrance_label'] as const;

function refOf(row: object, alias: string): ContactRef {
  const r = row as Record<string, unknown>;
  const entranceId = r[`${alias}_entrance_id`] as string | null;
  return {
    id: r[`${alias}_id`] as string,
    displayName: r[`${alias}_name`] as string,
    firstEntrance: entranceId ? { id: entranceId, kind: r[`${alias}_entrance_kind`] as EntranceKind, label: r[`${alias}_entrance_label`] as string } : null,
  };
}

/** Open suggestions for one contact, strongest first; none for a contact that was merged away. */
export async function listContactSuggestions(db: DbOrTx, workspaceId: string, contactId: string) {
  const contact = await db.selectFrom('contact').select(['id', 'merged_into_id']).where('workspace_id', '=', workspaceId).where('id', '=', contactId).executeTakeFirst();
  if (!contact) throw new AppError('not_found', 'No such contact in this workspace.');
  if (contact.merged_into_id !== null) return [];
  // Each side of the pair through its own index (contact_suggestion_pair, contact_suggestion_other).
  // The contact is this workspace's, and so are its suggestions: with workspace_id in the
  // condition, SQLite would read every open suggestion of the workspace instead.
  const side = (mine: 'contact_id' | 'other_contact_id', theirs: 'contact_id' | 'other_contact_id') =>
    db
      .selectFrom('contact_suggestion as s')
      .innerJoin('contact as other', 'other.id', `s.${theirs}`)
      .leftJoin('entrance as other_entrance', 'other_entrance.id', 'other.first_entrance_id')
      .select(['s.id', 's.reasons', 's.created_at', ...OTHER_COLUMNS])
      .where(`s.${mine}`, '=', contactId)
      .where('s.state', '=', 'open')
      .where('other.merged_into_id', 'is', null)
      .execute();
  const [asA, asB] = await Promise.all([side('contact_id', 'other_contact_id'), side('other_contact_id', 'contact_id')]);
  const items = [...asA.map((r) => ({ r, fromA: true })), ...asB.map((r) => ({ r, fromA: false }))].map(({ r, fromA }) => ({
    id: r.id,
    contact: refOf(r, 'other'),
    reasons: parseReasons(r.reasons).map((reason) => reasonFor(reason, fromA)),
    createdAt: Number(r.created_at),
  }));
  return items.filter((i) => i.reasons.length > 0).sort((x, y) => y.reasons.length - x.reasons.length || y.createdAt - x.createdAt);
}

/** Open suggestions of the workspace, newest first, a page at a time (keyset on created_at, id). */
export async function listWorkspaceSuggestions(db: DbOrTx, workspaceId: string, page: { limit: number; after?: { value: number; id: string } }) {
  let q = db
    .selectFrom('contact_suggestion as s')
    .innerJoin('contact as a', 'a.id', 's.contact_id')
    .innerJoin('contact as b', 'b.id', 's.other_contact_id')
    .leftJoin('entrance as a_entrance', 'a_entrance.id', 'a.first_entrance_id')
    .leftJoin('entrance as b_entrance', 'b_entrance.id', 'b.first_entrance_id')
    .select(['s.id', 's.reasons', 's.created_at', ...A_COLUMNS, ...B_COLUMNS])
    .where('s.workspace_id', '=', workspaceId)
    .where('s.state', '=', 'open')
    .where('a.merged_into_id', 'is', null)
    .where('b.merged_into_id', 'is', null);
  if (page.after) {
    const { value, id } = page.after;
    q = q.where((eb) => eb.or([eb('s.created_at', '<', value), eb.and([eb('s.created_at', '=', value), eb('s.id', '<', id)])]));
  }
  const rows = await q.orderBy('s.created_at', 'desc').orderBy('s.id', 'desc').limit(page.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    contacts: [refOf(r, 'a'), refOf(r, 'b')] as [ContactRef, ContactRef],
    reasons: parseReasons(r.reasons).map((reason) => reasonFor(reason, true)),
    createdAt: Number(r.created_at),
  }));
}

async function findSuggestion(db: DbOrTx, workspaceId: string, id: string) {
  const s = await db.selectFrom('contact_suggestion').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (!s) throw new AppError('not_found', 'No such suggestion in this workspace. It may have been withdrawn because the evidence changed; reload the contact.');
  return s;
}

/**
 * "Yes, the same person": merges the other contact into `intoContactId` (one of the pair), as the
 * merge route does, and records the answer. The suggestion is claimed first, so two clicks (or two
 * people) merge once; if the merge fails, the claim is given back.
 */
export async function confirmSuggestion(db: Db, workspaceId: string, userId: string, suggestionId: string, intoContactId: string): Promise<{ mergeId: string; intoContactId: string; fromContactId: string }> {
  const s = await findSuggestion(db, workspaceId, suggestionId);
  if (s.state === 'dismissed') throw new AppError('conflict', 'You said these two are not the same person. To merge them anyway, use “Merge a duplicate” on the contact page.');
  if (s.state === 'confirmed') throw new AppError('conflict', 'These two contacts were merged already; the merge can be undone on the contact page.');
  if (intoContactId !== s.contact_id && intoContactId !== s.other_contact_id) {
    throw new AppError('validation_failed', 'intoContactId must be one of the two contacts of this suggestion.', { errors: [{ field: 'body.intoContactId', message: 'is not part of this suggestion' }] });
  }
  const fromContactId = intoContactId === s.contact_id ? s.other_contact_id : s.contact_id;
  const pair = await db.selectFrom('contact').select(['id', 'display_name', 'merged_into_id']).where('id', 'in', [s.contact_id, s.other_contact_id]).execute();
  const gone = pair.find((c) => c.merged_into_id !== null);
  if (gone) throw new AppError('conflict', `“${gone.display_name}” was merged into another contact meanwhile. Open that contact to see what is suggested for it.`);

  const now = Date.now();
  const claimed = await db
    .updateTable('contact_suggestion')
    .set({ state: 'confirmed', decided_by_user_id: userId, decided_at: now, updated_at: now })
    .where('id', '=', s.id)
    .where('state', '=', 'open')
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 0) throw new AppError('conflict', 'Someone answered this suggestion a moment ago; reload the contact.');
  let mergeId: string;
  try {
    ({ mergeId } = await mergeContacts(db, workspaceId, userId, intoContactId, fromContactId));
  } catch (err) {
    await db.updateTable('contact_suggestion').set({ state: 'open', decided_by_user_id: null, decided_at: null, updated_at: Date.now() }).where('id', '=', s.id).where('merge_id', 'is', null).execute();
    throw err;
  }
  await db.updateTable('contact_suggestion').set({ merge_id: mergeId }).where('id', '=', s.id).execute();
  await recordEvent(db, { workspaceId, actorUserId: userId, type: 'contact.suggestion_confirmed', subjectType: 'contact', subjectId: intoContactId, data: { suggestionId: s.id, fromContactId, mergeId } }, now);
  return { mergeId, intoContactId, fromContactId };
}

/** "Not the same person": remembered for the pair, so it is never suggested again. Idempotent. */
export async function dismissSuggestion(db: Db, workspaceId: string, userId: string, suggestionId: string): Promise<{ contactIds: [string, string] }> {
  const s = await findSuggestion(db, workspaceId, suggestionId);
  if (s.state === 'confirmed') throw new AppError('conflict', 'These two contacts were merged on this suggestion. To separate them, undo the merge on the contact page.');
  if (s.state === 'open') {
    const now = Date.now();
    const done = await db
      .updateTable('contact_suggestion')
      .set({ state: 'dismissed', decided_by_user_id: userId, decided_at: now, updated_at: now })
      .where('id', '=', s.id)
      .where('state', '=', 'open')
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) === 0) return dismissSuggestion(db, workspaceId, userId, suggestionId);
    await recordEvent(db, { workspaceId, actorUserId: userId, type: 'contact.suggestion_dismissed', subjectType: 'contact', subjectId: s.contact_id, data: { suggestionId: s.id, otherContactId: s.other_contact_id } }, now);
  }
  return { contactIds: [s.contact_id, s.other_contact_id] };
}
