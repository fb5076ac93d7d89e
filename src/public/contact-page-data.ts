// What the public contact pages read from the database, and the webform entrance they create on
// the first accepted submission.
import { createHash } from 'node:crypto';
import { recordEvent } from '../storage/repositories/events.ts';
import { findWorkspaceByHandle } from '../storage/repositories/workspaces.ts';
import type { Db } from '../storage/database.ts';
import type { Entrance, Workspace } from '../storage/schema.ts';
import { DEFAULT_RESPONSE_TARGET_MINUTES } from '../entrances/create-entrance.ts';
import { isPublicLanguage, messagesFor, workspaceLanguages, type PublicLanguage } from './messages/index.ts';

export interface ContactPageData {
  workspace: Workspace;
  languages: PublicLanguage[];
  /** The workspace's open entrances, oldest first. */
  entrances: Entrance[];
  /** The entrance submissions go to; null until the first one (it is then created). */
  webform: Entrance | null;
  /** The owner archived the webform entrance: the form takes no messages. */
  closed: boolean;
  /** Who answers, for "… usually answers within …". */
  ownerName: string;
}

const HANDLE = /^[a-z0-9-]{1,64}$/;

export async function loadContactPage(db: Db, handle: string): Promise<ContactPageData | null> {
  if (!HANDLE.test(handle)) return null;
  const workspace = await findWorkspaceByHandle(db, handle);
  if (!workspace) return null;
  const [entrances, owner] = await Promise.all([
    db.selectFrom('entrance').selectAll().where('workspace_id', '=', workspace.id).orderBy('created_at').orderBy('id').execute(),
    db.selectFrom('user').select('display_name').where('workspace_id', '=', workspace.id).where('role', '=', 'owner').orderBy('created_at').executeTakeFirst(),
  ]);
  const open = entrances.filter((e) => e.archived_at === null);
  const webform = open.find((e) => e.kind === 'webform') ?? null;
  return {
    workspace,
    languages: workspaceLanguages(workspace),
    entrances: open,
    webform,
    closed: !webform && entrances.some((e) => e.kind === 'webform'),
    ownerName: owner?.display_name ?? workspace.name,
  };
}

export function responseTargetMinutes(page: ContactPageData): number {
  return page.webform?.response_target_minutes ?? DEFAULT_RESPONSE_TARGET_MINUTES;
}

/**
 * The id of the webform entrance created automatically: derived from the workspace id, so that two
 * first submissions arriving at once — on one node or on several — insert the same row, and the
 * primary key lets only one of them in. (A UUID-shaped value with the version nibble 8, "custom".)
 */
export function automaticWebformEntranceId(workspaceId: string): string {
  const h = createHash('sha256').update(`portier webform entrance\n${workspaceId}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The workspace's webform entrance, created ("Contact form", in the owner's language) if missing. */
export async function ensureWebformEntrance(db: Db, page: ContactPageData, now = Date.now()): Promise<Entrance | null> {
  if (page.webform) return page.webform;
  if (page.closed) return null;
  const { workspace } = page;
  const id = automaticWebformEntranceId(workspace.id);
  const ownerLang = workspace.locale.split('-')[0]!;
  const inserted = await db
    .insertInto('entrance')
    .values({
      id,
      workspace_id: workspace.id,
      kind: 'webform',
      label: messagesFor(isPublicLanguage(ownerLang) ? ownerLang : 'en').entranceLabel,
      public_url: null,
      show_on_storefront: 1,
      config_encrypted: null,
      response_target_minutes: DEFAULT_RESPONSE_TARGET_MINUTES,
      review_interval_days: null,
      last_reviewed_at: null,
      health: 'ok',
      health_reason: null,
      created_at: now,
      updated_at: now,
      archived_at: null,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
    await recordEvent(db, { workspaceId: workspace.id, type: 'entrance.created', subjectType: 'entrance', subjectId: id, data: { kind: 'webform', automatic: true } }, now);
  }
  const entrance = await db.selectFrom('entrance').selectAll().where('workspace_id', '=', workspace.id).where('kind', '=', 'webform').where('archived_at', 'is', null).orderBy('created_at').orderBy('id').executeTakeFirst();
  return entrance ?? null;
}
