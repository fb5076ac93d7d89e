// Replies to e-mail conversations: through the outbox job and the owner's SMTP server (an
// smtp-server sink here), threaded so the contact's mail program and Portier both keep one thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects } from '../support/databases.ts';
import { createTestApp, setUpWorkspace, type SignedIn, type TestApp } from '../support/app.ts';
import { replyToConversation } from '../../src/inbox/reply-to-conversation.ts';
import { appendMails, buildMail, countMessages, createEmailEntrance, dovecotAvailable, emailConfig, headerOf, imapClient, newMailUser, startSmtpSink, startTestSync, waitFor } from './support.ts';

const dialects = dovecotAvailable() ? await availableDialects() : [];

describe.skipIf(dialects.length === 0)('e-mail replies over SMTP', () => {
  describe.each(dialects)('on %s', (dialect) => {
    let t: TestApp;
    let owner: SignedIn;

    beforeAll(async () => {
      t = await createTestApp(dialect, {}, { jobs: true });
      owner = await setUpWorkspace(t);
    });
    afterAll(async () => {
      await t?.dispose();
    });

    const conversationOf = (entranceId: string) => waitFor('the conversation', () => t.ctx.storage.db.selectFrom('conversation').selectAll().where('entrance_id', '=', entranceId).executeTakeFirst());
    const deliveryOf = (messageId: string, state: string) =>
      waitFor(`the reply ${state}`, async () => {
        const m = await t.ctx.storage.db.selectFrom('message').selectAll().where('id', '=', messageId).executeTakeFirstOrThrow();
        return m.delivery_state === state ? m : false;
      });

    it("a reply from Portier arrives threaded, and the contact's answer joins the same conversation", async () => {
      const sink = await startSmtpSink();
      const user = newMailUser('reply');
      const entrance = await createEmailEntrance(t.ctx, owner.workspaceId, emailConfig(user, { smtp: { host: '127.0.0.1', port: sink.port, secure: 'none', user: 'claire', password: 'smtp-secret' }, sentFolder: 'Sent', appendToSent: true }));
      const question = `question-${user}@example.org`;
      await appendMails(user, 'INBOX', [buildMail({ from: 'lea.keller@example.ch', fromName: 'Lea Keller', subject: 'Coaching im Januar?', messageId: question })]);
      const sync = startTestSync(t.ctx);
      try {
        const conversation = await conversationOf(entrance.id);
        const { messageId } = await replyToConversation(t.ctx, { workspaceId: owner.workspaceId, userId: owner.userId, conversationId: conversation.id, text: 'Liebe Lea, ja gerne.', mode: 'send' });
        const sent = await deliveryOf(messageId, 'sent');

        expect(sink.messages).toHaveLength(1);
        const mail = sink.messages[0]!;
        expect(mail.to).toEqual(['lea.keller@example.ch']);
        expect(mail.from).toBe('claire@atelier-dubois.ch');
        expect(mail.user).toBe('claire');
        expect(headerOf(mail.raw, 'From')).toBe('Claire Dubois <claire@atelier-dubois.ch>');
        expect(headerOf(mail.raw, 'Subject')).toBe('Re: Coaching im Januar?');
        expect(headerOf(mail.raw, 'In-Reply-To')).toBe(`<${question}>`);
        expect(headerOf(mail.raw, 'References')).toBe(`<${question}>`);
        const outgoingId = headerOf(mail.raw, 'Message-ID')!;
        expect(outgoingId).toMatch(/^<[0-9a-f]{32}@atelier-dubois\.ch>$/);
        expect(sent.external_id).toBe(outgoingId.slice(1, -1));

        // The copy in Sent (appendToSent) is the outbox's own: the sync does not record it again.
        const check = imapClient(user);
        await check.connect();
        const status = await check.status('Sent', { messages: true });
        await check.logout();
        expect(status && status.messages).toBe(1);

        await appendMails(user, 'INBOX', [buildMail({ from: 'lea.keller@example.ch', subject: 'Re: Coaching im Januar?', inReplyTo: outgoingId.slice(1, -1), references: [question, outgoingId.slice(1, -1)], body: 'Danke! Dann bis Dienstag.' })]);
        await waitFor('the answer', async () => (await countMessages(t.ctx, entrance.id)) >= 3);
        await new Promise((r) => setTimeout(r, 700)); // a Sent poll has passed
        // In order of arrival (a Date header has whole seconds only).
        const messages = await t.ctx.storage.db.selectFrom('message').select(['direction', 'conversation_id']).where('entrance_id', '=', entrance.id).orderBy('created_at').orderBy('id').execute();
        expect(messages.map((m) => m.direction)).toEqual(['inbound', 'outbound', 'inbound']);
        expect(new Set(messages.map((m) => m.conversation_id))).toEqual(new Set([conversation.id]));
        const after = await t.ctx.storage.db.selectFrom('conversation').select(['status', 'awaiting_since']).where('id', '=', conversation.id).executeTakeFirstOrThrow();
        expect(after.status).toBe('open');
        expect(after.awaiting_since).not.toBeNull();
      } finally {
        await sync.stop();
        await sink.close();
      }
    });

    it('a refused SMTP login fails the reply at once with the server\'s reason', async () => {
      const sink = await startSmtpSink({ refuseAuth: true });
      const user = newMailUser('smtp535');
      const entrance = await createEmailEntrance(t.ctx, owner.workspaceId, emailConfig(user, { smtp: { host: '127.0.0.1', port: sink.port, secure: 'none', user: 'claire', password: 'wrong' } }));
      await appendMails(user, 'INBOX', [buildMail({ subject: 'Frage zum Angebot' })]);
      const sync = startTestSync(t.ctx);
      try {
        const conversation = await conversationOf(entrance.id);
        const { messageId } = await replyToConversation(t.ctx, { workspaceId: owner.workspaceId, userId: owner.userId, conversationId: conversation.id, text: 'Gerne.', mode: 'send' });
        const failed = await deliveryOf(messageId, 'failed');
        expect(failed.delivery_error).toMatch(/^SMTP login refused for user claire on 127\.0\.0\.1:\d+: .*535/);
        expect(sink.messages).toHaveLength(0);
      } finally {
        await sync.stop();
        await sink.close();
      }
    });

    it('a recipient refused with 5xx fails the reply at once with the server\'s words', async () => {
      const sink = await startSmtpSink({ refuseRcpt: { code: 550, message: '5.1.1 No such user here' } });
      const user = newMailUser('smtp550');
      const entrance = await createEmailEntrance(t.ctx, owner.workspaceId, emailConfig(user, { smtp: { host: '127.0.0.1', port: sink.port, secure: 'none' } }));
      await appendMails(user, 'INBOX', [buildMail({ from: 'gone@example.org', subject: 'Alte Adresse' })]);
      const sync = startTestSync(t.ctx);
      try {
        const conversation = await conversationOf(entrance.id);
        const { messageId } = await replyToConversation(t.ctx, { workspaceId: owner.workspaceId, userId: owner.userId, conversationId: conversation.id, text: 'Hallo?', mode: 'send' });
        const failed = await deliveryOf(messageId, 'failed');
        expect(failed.delivery_error).toContain('No such user here');
      } finally {
        await sync.stop();
        await sink.close();
      }
    });
  });
});
