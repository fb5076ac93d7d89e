// Merging two records of the same person, and undoing it. A merge is recorded, not destructive:
// it remembers exactly which identities and conversations moved, so "split" puts them back.
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { Db } from '../storage/database.ts';
import { recordEvent } from '../storage/repositories/events.ts';

interface Moved {
  identityIds: string[];
  conversationIds: string[];
}

export async function mergeContacts(db: Db, workspaceId: string, actorUserId: string | null, intoId: string, fromId: string): Promise<{ mergeId: string }> {
  if (intoId === fromId) throw new AppError('validation_failed', 'A contact cannot be merged into itself.', { errors: [{ field: 'body.fromContactId', message: 'is the same contact' }] });
  const now = Date.now();
  const mergeId = newId(now);
  await db.transaction().execute(async (tx) => {
    const both = await tx.selectFrom('contact').select(['id', 'merged_into_id']).where('workspace_id', '=', workspaceId).where('id', 'in', [intoId, fromId]).execute();
    if (both.length !== 2) throw new AppError('not_found', 'No such contact in this workspace.');
    if (both.some((c) => c.merged_into_id !== null)) throw new AppError('conflict', 'One of these contacts was merged already; open the contact it was merged into.');
    const identityIds = (await tx.selectFrom('identity').select('id').where('contact_id', '=', fromId).execute()).map((r) => r.id);
    const conversationIds = (await tx.selectFrom('conversation').select('id').where('contact_id', '=', fromId).execute()).map((r) => r.id);
    if (identityIds.length) await tx.updateTable('identity').set({ contact_id: intoId }).where('id', 'in', identityIds).execute();
    if (conversationIds.length) await tx.updateTable('conversation').set({ contact_id: intoId, updated_at: now }).where('id', 'in', conversationIds).execute();
    await tx.updateTable('contact').set({ merged_into_id: intoId, updated_at: now }).where('id', '=', fromId).execute();
    await tx.updateTable('contact').set({ updated_at: now }).where('id', '=', intoId).execute();
    const moved: Moved = { identityIds, conversationIds };
    await tx.insertInto('contact_merge').values({ id: mergeId, workspace_id: workspaceId, from_contact_id: fromId, into_contact_id: intoId, moved: JSON.stringify(moved), actor_user_id: actorUserId, created_at: now, undone_at: null }).execute();
    await recordEvent(tx, { workspaceId, actorUserId, type: 'contact.merged', subjectType: 'contact', subjectId: intoId, data: { fromContactId: fromId, mergeId } }, now);
  });
  return { mergeId };
}

export async function undoMerge(db: Db, workspaceId: string, actorUserId: string | null, mergeId: string): Promise<void> {
  const now = Date.now();
  await db.transaction().execute(async (tx) => {
    const merge = await tx.selectFrom('contact_merge').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', mergeId).executeTakeFirst();
    if (!merge) throw new AppError('not_found', 'No such merge in this workspace.');
    if (merge.undone_at !== null) throw new AppError('conflict', 'This merge was undone already.');
    const moved = JSON.parse(merge.moved) as Moved;
    // Only what still sits on the merged contact goes back; anything moved on since stays put.
    if (moved.identityIds.length) await tx.updateTable('identity').set({ contact_id: merge.from_contact_id }).where('id', 'in', moved.identityIds).where('contact_id', '=', merge.into_contact_id).execute();
    if (moved.conversationIds.length) await tx.updateTable('conversation').set({ contact_id: merge.from_contact_id, updated_at: now }).where('id', 'in', moved.conversationIds).where('contact_id', '=', merge.into_contact_id).execute();
    await tx.updateTable('contact').set({ merged_into_id: null, updated_at: now }).where('id', '=', merge.from_contact_id).execute();
    await tx.updateTable('contact_merge').set({ undone_at: now }).where('id', '=', mergeId).execute();
    await recordEvent(tx, { workspaceId, actorUserId, type: 'contact.merge_undone', subjectType: 'contact', subjectId: merge.into_contact_id, data: { mergeId } }, now);
  });
}
