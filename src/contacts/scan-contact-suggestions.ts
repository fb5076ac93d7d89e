// Keeps suggestions current without touching ingestion: a scheduled job walks, per workspace, the
// contacts changed since its last pass (contact.updated_at moves whenever a contact is created,
// gains an identity or a message, is renamed or merged) along the (workspace_id, updated_at)
// index, and refreshes each. Work is proportional to what changed, never to the workspace.
//
// It looks only at changes older than a grace period: a transaction that took its timestamp
// before committing (ingestion groups commits) must not slip behind the mark. Several nodes may
// run it at once without harm: every refresh is idempotent and the mark only moves forward.
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { AppContext } from '../http/context.ts';
import { defineJob } from '../jobs/index.ts';
import type { Db } from '../storage/database.ts';
import { refreshContactSuggestions, refreshMatchKeys } from './refresh-contact-suggestions.ts';

export const SCAN_GRACE_MS = 30_000;
/** Contacts per workspace and run; a first pass over a large workspace spreads over several runs. */
export const SCAN_BATCH_LIMIT = 5_000;
export const SCAN_CRON = '* * * * *';
// SQLite runs each statement synchronously, and awaiting them only queues microtasks: without a
// pause between pages a first pass over 100,000 contacts would hold the event loop for seconds.
const PAGE = 50;
const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface ScanOptions {
  now?: number;
  graceMs?: number;
  limitPerWorkspace?: number;
  signal?: AbortSignal;
}

/** Refreshes every contact changed since the last pass; returns how many it looked at. */
export async function scanContactSuggestions(db: Db, options: ScanOptions = {}): Promise<number> {
  const now = options.now ?? Date.now();
  const upTo = now - (options.graceMs ?? SCAN_GRACE_MS);
  const limit = options.limitPerWorkspace ?? SCAN_BATCH_LIMIT;
  let total = 0;
  const workspaces = await db.selectFrom('workspace').select('id').orderBy('id').execute();
  for (const { id: workspaceId } of workspaces) {
    if (options.signal?.aborted) break;
    const mark = await db.selectFrom('contact_suggestion_scan').select(['scanned_until', 'scanned_id']).where('workspace_id', '=', workspaceId).executeTakeFirst();
    let until = mark?.scanned_until ?? -1;
    let lastId = mark?.scanned_id ?? '';

    // An undone merge moves identities back without touching the surviving contact's updated_at:
    // both sides are looked at again. Merges are few; this table is small.
    const undone = await db
      .selectFrom('contact_merge')
      .select(['from_contact_id', 'into_contact_id'])
      .where('workspace_id', '=', workspaceId)
      .where('undone_at', '>', until)
      .where('undone_at', '<=', upTo)
      .execute();
    for (const m of undone) {
      await refreshContactSuggestions(db, workspaceId, m.into_contact_id, now);
      await refreshContactSuggestions(db, workspaceId, m.from_contact_id, now);
    }

    let done = 0;
    while (done < limit && !options.signal?.aborted) {
      const page = await db
        .selectFrom('contact')
        .select(['id', 'updated_at'])
        .where('workspace_id', '=', workspaceId)
        .where('updated_at', '>=', until)
        .where('updated_at', '<=', upTo)
        .where(sql<boolean>`(updated_at > ${until} or id > ${lastId})`)
        .orderBy('updated_at')
        .orderBy('id')
        .limit(Math.min(PAGE, limit - done))
        .execute();
      // Keys of the whole page first: two look-alikes created together then find each other. One
      // transaction per page: a commit (an fsync) per contact made a first pass take minutes.
      await db.transaction().execute(async (tx) => {
        const keys = await refreshMatchKeys(tx, workspaceId, page.map((c) => c.id));
        for (const c of page) if (keys.has(c.id)) await refreshContactSuggestions(tx, workspaceId, c.id, now, keys.get(c.id));
      });
      done += page.length;
      const last = page.at(-1);
      if (last) {
        until = Number(last.updated_at);
        lastId = last.id;
      }
      if (page.length < PAGE) break;
      await yieldToRequests();
    }
    // A pass that found nothing still moves the mark (never past now), so that the undone-merge
    // look-up stays small.
    const nextUntil = done ? until : Math.max(until, Math.min(upTo, now));
    const nextId = done ? lastId : nextUntil === until ? lastId : '';
    await db
      .insertInto('contact_suggestion_scan')
      .values({ workspace_id: workspaceId, scanned_until: nextUntil, scanned_id: nextId, updated_at: now })
      .onConflict((oc) =>
        oc.column('workspace_id').doUpdateSet({ scanned_until: nextUntil, scanned_id: nextId, updated_at: now }).where('contact_suggestion_scan.scanned_until', '<=', nextUntil),
      )
      .execute();
    total += done;
  }
  return total;
}

/** Contacts whose keys the on-read catch-up brings up to date at most; the scan does the rest. */
export const CATCH_UP_LIMIT = 200;

/**
 * Before a contact page looks for look-alikes: the keys of contacts changed since the scan's last
 * pass (seconds to a minute of changes), newest first, in a few batched queries. So a contact
 * created a moment ago is found at once, while the suggestions themselves wait for the scan.
 */
export async function catchUpMatchKeys(db: Db, workspaceId: string): Promise<void> {
  const mark = await db.selectFrom('contact_suggestion_scan').select('scanned_until').where('workspace_id', '=', workspaceId).executeTakeFirst();
  const changed = await db
    .selectFrom('contact')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('updated_at', '>=', mark?.scanned_until ?? -1)
    .orderBy('updated_at', 'desc')
    .limit(CATCH_UP_LIMIT)
    .execute();
  for (let i = 0; i < changed.length; i += 100) await refreshMatchKeys(db, workspaceId, changed.slice(i, i + 100).map((c) => c.id));
}

export function scanContactSuggestionsJob(ctx: AppContext) {
  return defineJob({
    name: 'contact-suggestions-scan',
    payload: Type.Object({}),
    // The next minute's run picks up where a failed one stopped.
    maxAttempts: 1,
    async handler(_payload, job) {
      const looked = await scanContactSuggestions(ctx.storage.db, { signal: job.signal });
      if (looked) job.logger.debug({ contacts: looked }, 'contact suggestions refreshed');
    },
  });
}

/** Once per minute on whichever node runs jobs; the schedule is stored, so calling again is harmless. */
export async function scheduleContactSuggestionScan(ctx: AppContext): Promise<void> {
  await ctx.jobs.schedule(scanContactSuggestionsJob(ctx), SCAN_CRON, {});
}
