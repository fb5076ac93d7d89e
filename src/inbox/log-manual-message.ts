// Manual entries: a phone call, a talk after a seminar, a recommendation — logged by the owner in
// seconds, through the same pipeline as every channel, so the contact and the clock are right.
import { adapterFor } from '../channels/registry.ts';
import type { IdentityClaim } from '../channels/contract.ts';
import { AppError } from '../core/errors.ts';
import { newId } from '../core/ids.ts';
import type { AppContext } from '../http/context.ts';
import { ingestMessage } from '../ingest/ingest-message.ts';
import { findEntrance } from '../storage/repositories/entrances.ts';

export interface ManualEntry {
  entranceId: string;
  sender: { name: string; email?: string; phone?: string };
  text: string;
  sentAt?: number;
  referral?: string;
  /** false when the owner already answered during the call. */
  awaitingReply?: boolean;
}

export async function logManualMessage(ctx: AppContext, workspaceId: string, entry: ManualEntry) {
  const entrance = await findEntrance(ctx.storage.db, workspaceId, entry.entranceId);
  if (!entrance) throw new AppError('not_found', 'No such entrance in this workspace.');
  if (adapterFor(entrance.kind)?.capabilities.inbound !== 'manual') {
    throw new AppError('conflict', `Messages of "${entrance.label}" arrive by themselves; manual entries go to a phone, referral or manual entrance.`);
  }
  // The owner typed these themselves: good enough to link, not proof of who the person is.
  const identities: IdentityClaim[] = [];
  if (entry.sender.email) identities.push({ kind: 'email', value: entry.sender.email, verified: false });
  if (entry.sender.phone) identities.push({ kind: 'phone', value: entry.sender.phone, verified: false });
  const now = Date.now();
  return ingestMessage(
    ctx.storage.db,
    entrance,
    { externalId: `manual:${newId(now)}`, threadKey: undefined, sender: { name: entry.sender.name, identities }, text: entry.text, sentAt: entry.sentAt ?? now, referral: entry.referral },
    { now, startsClock: entry.awaitingReply ?? true, live: ctx.live },
  );
}
