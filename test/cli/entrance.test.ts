import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedDelivery } from '../support/webhooks.ts';
import { loadConfig } from '../../src/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { closeContext, openContext } from '../../src/server.ts';
import { openEntranceConfig } from '../../src/entrances/entrance-config.ts';
import { tempDataDir, type DataDir } from './run-cli.ts';

describe('portier entrance', () => {
  let d: DataDir;
  beforeAll(async () => {
    d = tempDataDir();
    const pw = join(d.dir, '..', 'pw');
    writeFileSync(pw, 'a long enough password\n');
    expect((await d.run(['setup', '--email', 'owner@example.ch', '--password-file', pw, '--handle', 'atelier-cli', '--name', 'Atelier'])).code).toBe(0);
  });
  afterAll(() => d.dispose());

  it('adds a webhook entrance by script and prints a URL and secret that accept a signed delivery', async () => {
    const added = await d.run(['entrance', 'add', 'webhook', '--label', 'n8n', '--set', 'replyUrl=https://example.org/replies']);
    expect(added.code, added.stderr).toBe(0);
    const url = /deliver to:\s+(\S+)/.exec(added.stdout)?.[1];
    const secret = /signing secret:\s+(\S+)/.exec(added.stdout)?.[1];
    expect(url).toMatch(/\/hooks\//);
    expect(secret).toMatch(/^whsec_/);

    // The same data folder served by the app: the printed secret really signs deliveries.
    const ctx = await openContext(loadConfig({ PORTIER_DATA_DIR: d.dir, PORTIER_SECRET_KEY: d.env.PORTIER_SECRET_KEY!, PORTIER_LOG_LEVEL: 'silent' }));
    const app = await buildApp(ctx, { webDist: null });
    try {
      const delivery = signedDelivery(secret!, { id: 'cli-1', sender: { name: 'Eva', email: 'eva@example.ch' }, text: 'Hallo' });
      const res = await app.inject({ method: 'POST', url: new URL(url!).pathname, headers: delivery.headers, payload: delivery.payload });
      expect(res.statusCode).toBe(200);
    } finally {
      await app.close();
      await closeContext(ctx);
    }
  });

  it('lists entrances and refuses bad kinds and settings with exit 2, adding nothing', async () => {
    expect((await d.run(['entrance', 'add', 'linkedin', '--label', 'LinkedIn', '--url', 'https://www.linkedin.com/in/atelier', '--show'])).code).toBe(0);
    const bad = await d.run(['entrance', 'add', 'carrier-pigeon', '--label', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not a kind');
    const badSetting = await d.run(['entrance', 'add', 'webhook', '--label', 'x', '--set', 'replyUrl=ftp://nope']);
    expect(badSetting.code).toBe(2);
    expect(badSetting.stderr).toContain('Nothing was added');
    const list = await d.run(['entrance', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout.trim().split('\n')).toHaveLength(3);
    expect(list.stdout).toContain('LinkedIn');
  });

  it('removes an entrance without conversations, and explains when it cannot', async () => {
    const id = /id:\s+(\S+)/.exec((await d.run(['entrance', 'add', 'phone', '--label', 'Old number'])).stdout)?.[1];
    const removed = await d.run(['entrance', 'remove', id!]);
    expect(removed.code).toBe(0);
    expect((await d.run(['entrance', 'remove', id!])).code).toBe(1);
  });

  it('adds an e-mail entrance with nested settings: dotted keys, numbers, booleans and lists', async () => {
    const added = await d.run([
      'entrance', 'add', 'email', '--label', 'Work mail',
      '--set', 'ownAddresses=claire@atelier-dubois.ch, info@atelier-dubois.ch',
      '--set', 'imap.host=imap.example.ch', '--set', 'imap.port=993', '--set', 'imap.secure=implicit',
      '--set', 'imap.user=claire', '--set', 'imap.password=s3cret=with=equals',
      '--set', 'smtp.host=smtp.example.ch', '--set', 'smtp.port=587', '--set', 'smtp.secure=starttls',
      '--set', 'folders=INBOX,Kunden', '--set', 'sentFolder=Sent', '--set', 'appendToSent=true', '--set', 'initialWindowDays=14',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const id = /id:\s+(\S+)/.exec(added.stdout)?.[1];
    const ctx = await openContext(loadConfig({ PORTIER_DATA_DIR: d.dir, PORTIER_SECRET_KEY: d.env.PORTIER_SECRET_KEY!, PORTIER_LOG_LEVEL: 'silent' }));
    try {
      const row = await ctx.storage.db.selectFrom('entrance').select('config_encrypted').where('id', '=', id!).executeTakeFirstOrThrow();
      expect(openEntranceConfig(ctx.secrets, row)).toEqual({
        ownAddresses: ['claire@atelier-dubois.ch', 'info@atelier-dubois.ch'],
        imap: { host: 'imap.example.ch', port: 993, secure: 'implicit', user: 'claire', password: 's3cret=with=equals' },
        smtp: { host: 'smtp.example.ch', port: 587, secure: 'starttls' },
        folders: ['INBOX', 'Kunden'],
        sentFolder: 'Sent',
        appendToSent: true,
        initialWindowDays: 14,
      });
    } finally {
      await closeContext(ctx);
    }
    const badPort = await d.run(['entrance', 'add', 'email', '--label', 'x', '--set', 'imap.port=nine']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('imap.port must be a whole number');
    const incomplete = await d.run(['entrance', 'add', 'email', '--label', 'x', '--set', 'imap.host=imap.example.ch']);
    expect(incomplete.code).toBe(2);
    expect(incomplete.stderr).toContain('Nothing was added');
  });
});
