import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

const fixture = (path: string) => fileURLToPath(new URL(`../../src/channels/email/fixtures/${path}`, import.meta.url));

describe('portier inspect-email', () => {
  it('prints sender, identities, subject, thread keys, classification with reason, visible text and attachments', async () => {
    const r = await runCli(['inspect-email', fixture('real/chatwoot__mail_with_quote.eml'), '--own-address', 'tejaswini@chatwoot.com'], {});
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/From\s+Sony Mathew <sony@chatwoot.com>/);
    expect(r.stdout).toMatch(/Identities\s+email:sony@chatwoot.com/);
    expect(r.stdout).toMatch(/Subject\s+Re: Checking mail forwarding to cw inbox/);
    expect(r.stdout).toContain('mid:0100017b5d8efc70-c7f18809-aa55-48f6-91fd-b626092ed8b3-000000@email.amazonses.com (in-reply-to)');
    expect(r.stdout).toMatch(/Class\s+inquiry — /);
    expect(r.stdout).toMatch(/quoted history \d+ characters/);
    expect(r.stdout).toContain('  Yes, I am providing you step how to reproduce this issue');
    expect(r.stdout).not.toContain('Any update on this?');
  });

  it('--json gives the same facts as JSON, here for a LinkedIn notification', async () => {
    const r = await runCli(['inspect-email', fixture('constructed/linkedin-inmail-de.eml'), '--json'], {});
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      entrance: 'linkedin',
      classification: { kind: 'notification', network: 'linkedin' },
      notification: { kind: 'inmail', senderName: 'Jürgen Weiß', replyMode: 'answer_there' },
      sender: { name: 'Jürgen Weiß', identities: [{ kind: 'linkedin', value: 'https://www.linkedin.com/in/juergen-weiss-77a1' }] },
      startsClock: true,
    });
    expect(j.threadKeys.newThreadKey).toMatch(/^mid:/);
  });

  it('lists attachments and the bounce it recognised', async () => {
    const r = await runCli(['inspect-email', fixture('real/postal-mime__bounce.eml')], {});
    expect(r.stdout).toMatch(/Class\s+bounce — Delivery status report/);
    expect(r.stdout).toMatch(/Bounced msg\s+e85f1c9b-9b51-4028-8ec0-0a657155028e@app.fastmail.com/);
    expect(r.stdout).toContain('forwarded-message.eml (message/rfc822');
  });

  it('exits 1 with a clear message for an unreadable file, and 2 without a file', async () => {
    const missing = await runCli(['inspect-email', '/no/such/mail.eml'], {});
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read "/no/such/mail.eml" (it does not exist)');
    expect((await runCli(['inspect-email'], {})).code).toBe(2);
  });
});
