import type { SelectQueryBuilder } from 'kysely';
import type { DbOrTx } from '../database.ts';
import type { ContactStage, Database } from '../schema.ts';

export type InboxView = 'waiting' | 'open' | 'snoozed' | 'done';

export interface ConversationFilter {
  view: InboxView;
  entranceId?: string;
  stage?: ContactStage;
  label?: string;
  now: number;
}

export interface ListConversationsQuery extends ConversationFilter {
  limit: number;
  /** Keyset cursor: the sort value and id of the last row of the previous page. */
  after?: { value: number; id: string };
}

/**
 * A "no answer" snooze that came back waits for the owner like any other conversation: its clock
 * (awaiting_since) starts at the deadline, so "Waiting for me" stays one range of the
 * conversation_awaiting index. Its reason is shown while nothing happened since: the time of the
 * message nobody answered, or null.
 */
export function noAnswerSince(c: { status: string; awaiting_since: number | null; last_message_at: number; follow_up_since: number | null }): number | null {
  if (c.follow_up_since === null || c.awaiting_since === null || c.status === 'closed') return null;
  return Number(c.last_message_at) === Number(c.follow_up_since) ? Number(c.follow_up_since) : null;
}

/** What a snooze waits for, once it is set: a deadline for an answer, or only the time. */
export function snoozeConditionOf(c: { snoozed_until: number | null; snooze_condition: string | null }): 'no_answer' | null {
  return c.snoozed_until !== null && c.snooze_condition === 'no_answer' ? 'no_answer' : null;
}

/** Narrows a query over conversation (joined with contact) to one view and its filters. */
function filterConversations<QB extends SelectQueryBuilder<Database, 'conversation' | 'contact' | any, any>>(query: QB, workspaceId: string, f: ConversationFilter): QB {
  let q = query.where('conversation.workspace_id', '=', workspaceId) as QB;
  const notSnoozed = (w: QB) => w.where((eb) => eb.or([eb('conversation.snoozed_until', 'is', null), eb('conversation.snoozed_until', '<=', f.now)])) as QB;
  switch (f.view) {
    case 'waiting':
      q = notSnoozed(q.where('conversation.awaiting_since', 'is not', null).where('conversation.status', '!=', 'closed') as QB);
      break;
    case 'open':
      q = notSnoozed(q.where('conversation.status', 'in', ['open', 'waiting']) as QB);
      break;
    case 'snoozed':
      q = q.where('conversation.snoozed_until', '>', f.now) as QB;
      break;
    case 'done':
      q = q.where('conversation.status', '=', 'closed') as QB;
      break;
  }
  if (f.entranceId) q = q.where('conversation.entrance_id', '=', f.entranceId) as QB;
  if (f.stage) q = q.where('contact.stage', '=', f.stage) as QB;
  if (f.label) {
    const label = f.label;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('conversation_label')
          .innerJoin('label', 'label.id', 'conversation_label.label_id')
          .select('conversation_label.label_id')
          .whereRef('conversation_label.conversation_id', '=', 'conversation.id')
          .where('label.name', '=', label),
      ),
    ) as QB;
  }
  return q;
}

/** How many conversations each view holds, for the inbox's navigation. */
export async function countConversationsByView(db: DbOrTx, workspaceId: string, now: number): Promise<Record<InboxView, number>> {
  const views: InboxView[] = ['waiting', 'open', 'snoozed', 'done'];
  const counts = await Promise.all(
    views.map(async (view) => {
      const base = db.selectFrom('conversation').innerJoin('contact', 'contact.id', 'conversation.contact_id');
      const row = await filterConversations(base, workspaceId, { view, now }).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return [view, Number(row.n)] as const;
    }),
  );
  return Object.fromEntries(counts) as Record<InboxView, number>;
}

// Each view reads one index in its own order (see the migration): a page costs the same at the
// hundredth page as at the first, with no OFFSET scans.
export async function listConversations(db: DbOrTx, workspaceId: string, q: ListConversationsQuery) {
  const sortColumn = q.view === 'waiting' ? 'conversation.awaiting_since' : q.view === 'snoozed' ? 'conversation.snoozed_until' : 'conversation.last_message_at';
  const ascending = q.view === 'waiting' || q.view === 'snoozed';

  let query = db
    .selectFrom('conversation')
    .innerJoin('contact', 'contact.id', 'conversation.contact_id')
    .innerJoin('entrance', 'entrance.id', 'conversation.entrance_id')
    .select((eb) => [
      'conversation.id',
      'conversation.subject',
      'conversation.status',
      'conversation.awaiting_since',
      'conversation.last_message_at',
      'conversation.snoozed_until',
      'contact.id as contact_id',
      'contact.display_name as contact_name',
      'entrance.id as entrance_id',
      'entrance.kind as entrance_kind',
      'entrance.label as entrance_label',
      'conversation.preview',
      'conversation.snooze_condition',
      'conversation.follow_up_since',
      eb.ref(sortColumn).as('sort_value'),
    ]);
  query = filterConversations(query, workspaceId, q);
  if (q.after) {
    const { value, id } = q.after;
    query = query.where((eb) =>
      ascending
        ? eb.or([eb(sortColumn, '>', value), eb.and([eb(sortColumn, '=', value), eb('conversation.id', '>', id)])])
        : eb.or([eb(sortColumn, '<', value), eb.and([eb(sortColumn, '=', value), eb('conversation.id', '<', id)])]),
    );
  }
  const dir = ascending ? 'asc' : 'desc';
  return query.orderBy(sortColumn, dir).orderBy('conversation.id', dir).limit(q.limit).execute();
}

export function findConversation(db: DbOrTx, workspaceId: string, id: string) {
  return db
    .selectFrom('conversation')
    .innerJoin('contact', 'contact.id', 'conversation.contact_id')
    .innerJoin('entrance', 'entrance.id', 'conversation.entrance_id')
    .select([
      'conversation.id',
      'conversation.subject',
      'conversation.status',
      'conversation.awaiting_since',
      'conversation.last_message_at',
      'conversation.snoozed_until',
      'contact.id as contact_id',
      'contact.display_name as contact_name',
      'entrance.id as entrance_id',
      'entrance.kind as entrance_kind',
      'entrance.label as entrance_label',
      'entrance.public_url as entrance_public_url',
      'entrance.config_encrypted',
      'conversation.snooze_condition',
      'conversation.follow_up_since',
    ])
    .where('conversation.workspace_id', '=', workspaceId)
    .where('conversation.id', '=', id)
    .executeTakeFirst();
}

/** The newest `limit` messages of a conversation, oldest first. */
export async function listMessages(db: DbOrTx, workspaceId: string, conversationId: string, limit = 500) {
  const rows = await db
    .selectFrom('message')
    .leftJoin('user', 'user.id', 'message.author_user_id')
    .select(['message.id', 'message.direction', 'message.text', 'message.html', 'message.subject', 'message.sent_at', 'message.delivery_state', 'message.delivery_error', 'message.meta', 'user.display_name as author_name'])
    .where('message.workspace_id', '=', workspaceId)
    .where('message.conversation_id', '=', conversationId)
    .orderBy('message.sent_at', 'desc')
    .orderBy('message.id', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse();
}

export async function listConversationLabels(db: DbOrTx, conversationId: string): Promise<string[]> {
  const rows = await db.selectFrom('conversation_label').innerJoin('label', 'label.id', 'conversation_label.label_id').select('label.name').where('conversation_label.conversation_id', '=', conversationId).orderBy('label.name').execute();
  return rows.map((r) => r.name);
}
