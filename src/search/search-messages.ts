// Search across every message of a workspace, with no time window, behind one interface. This is
// the one place where search branches on SQL dialect (the indexes themselves are in migration 03).
//
// Speed over frequent words: ranking every hit by relevance costs about half a second when a word
// like "bonjour" matches hundreds of thousands of messages. So both engines walk their index
// newest-first, stop after CANDIDATES hits, and rank only those: a search answers in milliseconds
// and shows the most relevant of the most recent matches first.
import { sql } from 'kysely';
import { highlightSnippet, queryWords } from '../core/fold-text.ts';
import type { Storage } from '../storage/database.ts';

export const CANDIDATES = 200;

export interface MessageSearch {
  workspaceId: string;
  query: string;
  entranceId?: string;
  from?: number;
  to?: number;
  limit: number;
}

export interface MessageHit {
  messageId: string;
  conversationId: string;
  contact: { id: string; displayName: string };
  entrance: { id: string; kind: string; label: string };
  sentAt: number;
  snippet: string;
}

interface Candidate {
  id: string;
  rank: number;
}

async function sqliteCandidates(storage: Storage, s: MessageSearch, words: string[]): Promise<Candidate[]> {
  // Each word quoted (so nothing in the input is FTS syntax) and matched as a prefix.
  const match = words.map((w) => `"${w}"*`).join(' AND ');
  const rows = await sql<Candidate>`
    select m.id, bm25(message_fts) as rank
    from message_fts join message m on m.rowid = message_fts.rowid
    where message_fts match ${match} and m.workspace_id = ${s.workspaceId}
      ${s.entranceId ? sql`and m.entrance_id = ${s.entranceId}` : sql``}
      ${s.from !== undefined ? sql`and m.sent_at >= ${s.from}` : sql``}
      ${s.to !== undefined ? sql`and m.sent_at <= ${s.to}` : sql``}
    order by message_fts.rowid desc
    limit ${CANDIDATES}`.execute(storage.db);
  // bm25: lower is better.
  return rows.rows.map((r) => ({ id: r.id, rank: -Number(r.rank) }));
}

async function postgresCandidates(storage: Storage, s: MessageSearch, words: string[]): Promise<Candidate[]> {
  const tsquery = words.map((w) => `${w}:*`).join(' & ');
  const rows = await sql<Candidate>`
    select id, ts_rank(search, q) as rank
    from message, to_tsquery('simple', ${tsquery}) q
    where workspace_id = ${s.workspaceId} and search @@ q
      ${s.entranceId ? sql`and entrance_id = ${s.entranceId}` : sql``}
      ${s.from !== undefined ? sql`and sent_at >= ${s.from}` : sql``}
      ${s.to !== undefined ? sql`and sent_at <= ${s.to}` : sql``}
    order by sent_at desc
    limit ${CANDIDATES}`.execute(storage.db);
  return rows.rows.map((r) => ({ id: r.id, rank: Number(r.rank) }));
}

export async function searchMessages(storage: Storage, s: MessageSearch): Promise<MessageHit[]> {
  const words = queryWords(s.query);
  if (!words.length) return [];
  const candidates = storage.dialect === 'sqlite' ? await sqliteCandidates(storage, s, words) : await postgresCandidates(storage, s, words);
  const best = candidates.sort((a, b) => b.rank - a.rank).slice(0, s.limit);
  if (!best.length) return [];
  const rows = await storage.db
    .selectFrom('message')
    .innerJoin('conversation', 'conversation.id', 'message.conversation_id')
    .innerJoin('contact', 'contact.id', 'conversation.contact_id')
    .innerJoin('entrance', 'entrance.id', 'message.entrance_id')
    .select(['message.id', 'message.conversation_id', 'message.text', 'message.subject', 'message.sent_at', 'contact.id as contact_id', 'contact.display_name', 'entrance.id as entrance_id', 'entrance.kind', 'entrance.label'])
    .where('message.id', 'in', best.map((b) => b.id))
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return best.flatMap((b) => {
    const r = byId.get(b.id);
    if (!r) return [];
    const text = r.subject && !r.text.trim() ? r.subject : r.text;
    return [{
      messageId: r.id,
      conversationId: r.conversation_id,
      contact: { id: r.contact_id, displayName: r.display_name },
      entrance: { id: r.entrance_id, kind: r.kind, label: r.label },
      sentAt: r.sent_at,
      snippet: highlightSnippet(text, words),
    }];
  });
}
