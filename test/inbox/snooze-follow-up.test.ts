// "Remind me if no answer in N days": snoozed after the owner's answer; the contact writing first
// wakes it as usual; the deadline passing unanswered brings it back into "Waiting for me" with the
// reason. Real app with its job queue running (embedded on SQLite, pg-boss on PostgreSQL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects } from '../support/databases.ts';
import { until } from '../support/until.ts';
import { createTestApp, setUpWorkspace, type SignedIn, type TestApp } from '../support/app.ts';
import { signedDelivery } from '../support/webhooks.ts';
import { ingestMessage } from '../../src/ingest/ingest-message.ts';
import { wakeUnansweredConversation } from '../../src/inbox/follow-up-job.ts';

const dialects = await availableDialects();

describe.each(dialects)('snooze "if no answer" on %s', (dialect) => {
  let t: TestApp;
  let owner: SignedIn;
  let stranger: SignedIn;
  let hook: { secret: string; path: string };
  let counter = 0;

  const deliver = async (threadKey: string, text: string) => {
    const d = signedDelivery(hook.secret, { id: `f-${++counter}`, sender: { name: 'Eva Roth', email: `eva.${threadKey}@example.ch` }, text, threadKey });
    expect((await t.app.inject({ method: 'POST', url: hook.path, headers: d.headers, payload: d.payload })).statusCode).toBe(200);
  };
  const items = async (view: string) => (await owner.request({ method: 'GET', url: `/api/v1/conversations?view=${view}&limit=200` })).json().items as Array<{ id: string; awaitingSince: number | null; noAnswerSince: number | null }>;
  const ids = async (view: string) => (await items(view)).map((c) => c.id);
  const detail = async (id: string) => (await owner.request({ method: 'GET', url: `/api/v1/conversations/${id}` })).json().conversation;
  const patch = (id: string, payload: object, who: SignedIn = owner) => who.request({ method: 'PATCH', url: `/api/v1/conversations/${id}`, payload });
  /** A conversation the contact opened and the owner answered (elsewhere: no outbox needed). */
  const answered = async (threadKey: string) => {
    await deliver(threadKey, 'Do you still have a place in the March course?');
    const id = (await t.ctx.storage.db.selectFrom('conversation').select('id').where('thread_key', '=', threadKey).executeTakeFirstOrThrow()).id;
    const r = await owner.request({ method: 'POST', url: `/api/v1/conversations/${id}/messages`, payload: { mode: 'answered_elsewhere', text: 'Yes, one left — shall I book it?' } });
    expect(r.statusCode).toBe(201);
    return { id, answeredAt: Number((await detail(id)).lastMessageAt) };
  };

  beforeAll(async () => {
    t = await createTestApp(dialect, {}, { jobs: true });
    owner = await setUpWorkspace(t);
    stranger = await setUpWorkspace(t);
    const created = (await owner.request({ method: 'POST', url: '/api/v1/entrances', payload: { kind: 'webhook', label: 'Form tool' } })).json();
    hook = { secret: created.connection.signingSecret, path: new URL(created.connection.webhookUrl).pathname };
  });
  afterAll(async () => t?.dispose());

  it('unanswered until the deadline, it comes back into Waiting for me with the reason', async () => {
    const { id, answeredAt } = await answered('t-quiet');
    expect(await ids('waiting')).not.toContain(id);
    const deadline = Date.now() + 1500;
    expect((await patch(id, { snoozedUntil: deadline, snoozeCondition: 'no_answer' })).statusCode).toBe(204);
    expect(await ids('snoozed')).toContain(id);
    expect(await ids('open')).not.toContain(id);
    expect(await detail(id)).toMatchObject({ snoozedUntil: deadline, snoozeCondition: 'no_answer', noAnswerSince: null });

    // The queue runs the deadline's job; nothing else is needed (no page load, no request).
    const back = await until(async () => (await items('waiting')).find((c) => c.id === id), 15_000);
    expect(back).toMatchObject({ awaitingSince: deadline, noAnswerSince: answeredAt });
    expect(await ids('snoozed')).not.toContain(id);
    expect(await detail(id)).toMatchObject({ status: 'open', snoozedUntil: null, snoozeCondition: null, noAnswerSince: answeredAt });
    const counts = (await owner.request({ method: 'GET', url: '/api/v1/inbox/counts' })).json();
    expect(counts.waiting).toBe((await items('waiting')).length);

    // A note is no answer: the reason stays. Following up takes it out of the list for good.
    await owner.request({ method: 'POST', url: `/api/v1/conversations/${id}/messages`, payload: { mode: 'note', text: 'Call her Monday' } });
    expect((await detail(id)).noAnswerSince).toBe(answeredAt);
    await owner.request({ method: 'POST', url: `/api/v1/conversations/${id}/messages`, payload: { mode: 'answered_elsewhere', text: 'Just checking in' } });
    expect(await ids('waiting')).not.toContain(id);
    await deliver('t-quiet', 'Sorry, yes please book it');
    const woken = (await items('waiting')).find((c) => c.id === id)!;
    expect(woken.noAnswerSince).toBeNull(); // she answered: an ordinary waiting conversation
  });

  it('the contact writing before the deadline wakes it as usual, and the deadline then does nothing', async () => {
    const { id } = await answered('t-reply');
    const deadline = Date.now() + 60_000;
    expect((await patch(id, { snoozedUntil: deadline, snoozeCondition: 'no_answer' })).statusCode).toBe(204);
    await deliver('t-reply', 'Thanks, I will think about it');
    const row = (await items('waiting')).find((c) => c.id === id)!;
    expect(row.noAnswerSince).toBeNull();
    const clock = row.awaitingSince;
    expect(await wakeUnansweredConversation(t.ctx.storage.db, id, deadline, deadline + 1)).toBe(false);
    expect((await items('waiting')).find((c) => c.id === id)!.awaitingSince).toBe(clock);
    expect((await detail(id)).snoozeCondition).toBeNull();
  });

  it('an auto-reply is filed in the thread but is no answer: the snooze and its deadline stay', async () => {
    const { id } = await answered('t-auto');
    const deadline = Date.now() + 60_000;
    expect((await patch(id, { snoozedUntil: deadline, snoozeCondition: 'no_answer' })).statusCode).toBe(204);
    const entrance = await t.ctx.storage.db.selectFrom('entrance').selectAll().where('id', '=', (await detail(id)).entrance.id).executeTakeFirstOrThrow();
    const autoReply = { externalId: 'auto-1', threadKey: 't-auto', sender: { name: 'Eva Roth', identities: [{ kind: 'email' as const, value: 'eva.t-auto@example.ch', verified: false }] }, text: 'I am out of the office until Monday.', sentAt: Date.now() };
    expect((await ingestMessage(t.ctx.storage.db, entrance, autoReply, { startsClock: false })).duplicate).toBe(false);
    expect(await detail(id)).toMatchObject({ snoozedUntil: deadline, snoozeCondition: 'no_answer' });
    expect(await ids('snoozed')).toContain(id);
    expect(await ids('waiting')).not.toContain(id);
  });

  it('a later snooze or waking it makes the earlier deadline stale; on several nodes it fires once', async () => {
    const { id } = await answered('t-stale');
    const first = Date.now() + 60_000;
    expect((await patch(id, { snoozedUntil: first, snoozeCondition: 'no_answer' })).statusCode).toBe(204);
    const second = Date.now() + 120_000;
    expect((await patch(id, { snoozedUntil: second })).statusCode).toBe(204); // plain snooze now
    expect(await wakeUnansweredConversation(t.ctx.storage.db, id, first, first + 1)).toBe(false);
    expect(await wakeUnansweredConversation(t.ctx.storage.db, id, second, second + 1)).toBe(false);

    const third = Date.now() + 180_000;
    expect((await patch(id, { snoozedUntil: third, snoozeCondition: 'no_answer' })).statusCode).toBe(204);
    expect(await wakeUnansweredConversation(t.ctx.storage.db, id, third, third - 1)).toBe(false); // not due yet
    // Several nodes running the same due job at once: one wins, the others change nothing.
    const results = await Promise.all(Array.from({ length: 6 }, () => wakeUnansweredConversation(t.ctx.storage.db, id, third, third + 1)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await items('waiting')).find((c) => c.id === id)?.awaitingSince).toBe(third);

    // Put off again from "Waiting for me": the clock stops until the new deadline.
    const fourth = Date.now() + 240_000;
    expect((await patch(id, { snoozedUntil: fourth, snoozeCondition: 'no_answer' })).statusCode).toBe(204);
    expect(await ids('waiting')).not.toContain(id);
    expect(await detail(id)).toMatchObject({ awaitingSince: null, status: 'waiting', noAnswerSince: null, snoozeCondition: 'no_answer' });
    expect((await patch(id, { snoozedUntil: null })).statusCode).toBe(204);
    expect(await detail(id)).toMatchObject({ snoozedUntil: null, snoozeCondition: null });
    expect(await wakeUnansweredConversation(t.ctx.storage.db, id, fourth, fourth + 1)).toBe(false);
  });

  it('refuses what cannot work, with a reason, and changes nothing', async () => {
    await deliver('t-bad', 'Hello?');
    const waiting = (await t.ctx.storage.db.selectFrom('conversation').select('id').where('thread_key', '=', 't-bad').executeTakeFirstOrThrow()).id;
    const future = Date.now() + 86_400_000;
    const unanswered = await patch(waiting, { snoozedUntil: future, snoozeCondition: 'no_answer' });
    expect(unanswered.statusCode).toBe(409);
    expect(unanswered.json().detail).toMatch(/waits for your answer: reply/);
    const { id } = await answered('t-bad2');
    for (const body of [
      { snoozeCondition: 'no_answer' },
      { snoozedUntil: Date.now() - 1000, snoozeCondition: 'no_answer' },
      { snoozedUntil: future, snoozeCondition: 'no_answer', status: 'closed' },
      { snoozedUntil: future, snoozeCondition: 'maybe' },
      { snoozedUntil: 'tomorrow', snoozeCondition: 'no_answer' },
      { snoozedUntil: future, snoozeCondition: { no: 'answer' } },
    ]) {
      const r = await patch(id, body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().code).toMatch(/validation_failed|bad_request/);
    }
    expect((await patch(id, { snoozedUntil: future, snoozeCondition: 'no_answer' }, stranger)).statusCode).toBe(404);
    expect((await patch('no-such-conversation', { snoozedUntil: future, snoozeCondition: 'no_answer' })).statusCode).toBe(404);
    expect(await detail(id)).toMatchObject({ snoozedUntil: null, snoozeCondition: null });
    const closed = await answered('t-closed');
    expect((await patch(closed.id, { status: 'closed' })).statusCode).toBe(204);
    expect((await patch(closed.id, { snoozedUntil: future, snoozeCondition: 'no_answer' })).statusCode).toBe(409);
  });
});
