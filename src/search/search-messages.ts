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

// Two costs grow with how often a word occurs, and both are avoided on SQLite (measured at 1 M
// messages with "bonjour formation", each word in about half the messages; see bench/README.md):
//  - bm25() counts, on its first call, every row that holds each phrase: 40-200 ms for frequent
//    words, however few rows are returned. The candidates are ranked here instead (relevance below).
//  - A prefix phrase ("bonjour"*) makes FTS5 merge the whole doclist of every matching term before
//    returning the first row: 100-400 ms. The words are therefore first matched whole; prefixes are
//    matched only when whole words give fewer than CANDIDATES hits (a rare or partly typed word),
//    and then their doclists are short.
async function sqliteMatches(storage: Storage, s: MessageSearch, match: string, limit: number): Promise<Array<{ id: string; text: string; subject: string | null; rowid: number }>> {
  const rows = await sql<{ id: string; text: string; subject: string | null; rowid: number }>`
    select m.id, m.text, m.subject, message_fts.rowid as rowid
    from message_fts join message m on m.rowid = message_fts.rowid
    where message_fts match ${match} and m.workspace_id = ${s.workspaceId}
      ${s.entranceId ? sql`and m.entrance_id = ${s.entranceId}` : sql``}
      ${s.from !== undefined ? sql`and m.sent_at >= ${s.from}` : sql``}
      ${s.to !== undefined ? sql`and m.sent_at <= ${s.to}` : sql``}
    order by message_fts.rowid desc
    limit ${limit}`.execute(storage.db);
  return rows.rows;
}

async function sqliteCandidates(storage: Storage, s: MessageSearch, words: string[]): Promise<Candidate[]> {
  // Each word quoted, so nothing in the input is FTS syntax.
  let rows = await sqliteMatches(storage, s, words.map((w) => `"${w}"`).join(' AND '), CANDIDATES);
  if (rows.length < CANDIDATES) {
    const byPrefix = await sqliteMatches(storage, s, words.map((w) => `"${w}"*`).join(' AND '), CANDIDATES);
    const seen = new Set(rows.map((r) => r.id));
    rows = [...rows, ...byPrefix.filter((r) => !seen.has(r.id))].sort((a, b) => b.rowid - a.rowid).slice(0, CANDIDATES);
  }
  return rankByRelevance(rows, words);
}

/**
 * BM25's term-frequency part, over the candidates' own texts: a word that occurs more often, in a
 * shorter message, counts more. (Every candidate holds every word, so the words' rarity, BM25's
 * other factor, would weigh every candidate alike but for its share between the words.) Cheap on
 * purpose, since it runs over 200 texts per search: combining marks are stripped with a plain
 * character range rather than \p{M}, occurrences are counted with indexOf rather than by
 * tokenizing, and a message's length is its length in characters.
 */
const COMBINING_MARKS = /[\u0300-\u036f]/g;
const isWordCode = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c >= 0xc0;

function occurrencesAsPrefix(folded: string, word: string): number {
  let n = 0;
  for (let i = folded.indexOf(word); i !== -1; i = folded.indexOf(word, i + word.length)) {
    if (i === 0 || !isWordCode(folded.charCodeAt(i - 1))) n++;
  }
  return n;
}

function rankByRelevance(rows: Array<{ id: string; text: string; subject: string | null }>, words: string[]): Candidate[] {
  const k1 = 1.2;
  const b = 0.75;
  const folded = rows.map((r) => `${r.subject ?? ''} ${r.text}`.normalize('NFD').replace(COMBINING_MARKS, '').toLowerCase());
  const average = folded.reduce((n, t) => n + t.length, 0) / Math.max(1, folded.length) || 1;
  return rows.map((r, i) => {
    const text = folded[i]!;
    let rank = 0;
    for (const w of words) {
      const tf = occurrencesAsPrefix(text, w);
      rank += (tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * text.length) / average));
    }
    return { id: r.id, rank };
  });
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
