import type { DbOrTx } from '../database.ts';

export type InboxView = 'waiting' | 'open' | 'snoozed' | 'done';

export interface ListConversationsQuery {
  view: InboxView;
  entranceId?: string;
  limit: number;
  /** Keyset cursor: the sort value and id of the last row of the previous page. */
  after?: { value: number; id: string };
  now: number;
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
      eb
        .selectFrom('message')
        .select('message.text')
        .whereRef('message.conversation_id', '=', 'conversation.id')
        .orderBy('message.sent_at', 'desc')
        .limit(1)
        .as('preview'),
      eb.ref(sortColumn).as('sort_value'),
    ])
    .where('conversation.workspace_id', '=', workspaceId);

  const notSnoozed = (w: typeof query) => w.where((eb) => eb.or([eb('conversation.snoozed_until', 'is', null), eb('conversation.snoozed_until', '<=', q.now)]));
  switch (q.view) {
    case 'waiting':
      query = notSnoozed(query.where('conversation.awaiting_since', 'is not', null).where('conversation.status', '!=', 'closed'));
      break;
    case 'open':
      query = notSnoozed(query.where('conversation.status', '!=', 'closed'));
      break;
    case 'snoozed':
      query = query.where('conversation.snoozed_until', '>', q.now);
      break;
    case 'done':
      query = query.where('conversation.status', '=', 'closed');
      break;
  }
  if (q.entranceId) query = query.where('conversation.entrance_id', '=', q.entranceId);
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
    ])
    .where('conversation.workspace_id', '=', workspaceId)
    .where('conversation.id', '=', id)
    .executeTakeFirst();
}

export function listMessages(db: DbOrTx, workspaceId: string, conversationId: string, limit = 500) {
  return db
    .selectFrom('message')
    .leftJoin('user', 'user.id', 'message.author_user_id')
    .select(['message.id', 'message.direction', 'message.text', 'message.html', 'message.subject', 'message.sent_at', 'message.delivery_state', 'message.delivery_error', 'message.meta', 'user.display_name as author_name'])
    .where('message.workspace_id', '=', workspaceId)
    .where('message.conversation_id', '=', conversationId)
    .orderBy('message.sent_at')
    .orderBy('message.id')
    .limit(limit)
    .execute();
}

export async function listConversationLabels(db: DbOrTx, conversationId: string): Promise<string[]> {
  const rows = await db.selectFrom('conversation_label').innerJoin('label', 'label.id', 'conversation_label.label_id').select('label.name').where('conversation_label.conversation_id', '=', conversationId).orderBy('label.name').execute();
  return rows.map((r) => r.name);
}
