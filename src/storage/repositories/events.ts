import { newId } from '../../core/ids.ts';
import type { DbOrTx } from '../database.ts';

export interface AuditEvent {
  workspaceId: string | null;
  actorUserId?: string | null;
  type: string;
  subjectType?: string;
  subjectId?: string;
  data?: unknown;
}

/** Appends to the audit trail: what happened, to what, and who did it. */
export async function recordEvent(db: DbOrTx, e: AuditEvent, now = Date.now()): Promise<void> {
  await db
    .insertInto('event')
    .values({
      id: newId(now),
      workspace_id: e.workspaceId,
      actor_user_id: e.actorUserId ?? null,
      type: e.type,
      subject_type: e.subjectType ?? null,
      subject_id: e.subjectId ?? null,
      data: e.data === undefined ? null : JSON.stringify(e.data),
      created_at: now,
    })
    .execute();
}
