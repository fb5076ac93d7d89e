import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CONVERSATION_COUNT } from '../../src/demo/seed-demo.ts';
import { tempDataDir, type DataDir } from './run-cli.ts';

describe('portier doctor', () => {
  let d: DataDir;
  beforeAll(() => {
    d = tempDataDir();
  });
  afterAll(() => d.dispose());

  it('passes on a fresh data folder after migrate', async () => {
    expect((await d.run(['migrate'])).code).toBe(0);
    const r = await d.run(['doctor']);
    expect(r.code, r.output).toBe(0);
    for (const line of ['✓ configuration is valid', '✓ data folder', '✓ database reachable (sqlite)', '✓ migrations applied', '✓ SQLite journal mode WAL', '✓ SQLite quick integrity check', '✓ secret key set by PORTIER_SECRET_KEY']) {
      expect(r.stdout).toContain(line);
    }
    expect(r.stdout).not.toContain('✗');
    expect(r.stdout).toMatch(/All checks passed/);
  });

  it('fails readably when the data folder cannot be written', async () => {
    const file = join(d.dir, '..', 'a-file');
    writeFileSync(file, '');
    const r = await d.run(['doctor'], { PORTIER_DATA_DIR: join(file, 'data') });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ data folder .* is not writable — it cannot be created: .* is a file, not a folder/);
    expect(r.stdout).toContain('fix: set PORTIER_DATA_DIR to a folder');
  });

  it('fails readably when the configuration is invalid, and names the variable', async () => {
    const r = await d.run(['doctor'], { PORT: 'abc' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✗ configuration has problems — PORT=abc must be a whole number from 0 to 65535.');
    expect(r.stdout).toContain('1 problem(s) to fix');
  });

  it('says to run migrate when there is no database yet, without creating one', async () => {
    const fresh = tempDataDir();
    try {
      const r = await fresh.run(['doctor']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/✗ data folder .* does not exist yet/);
      expect(r.stdout).toContain('portier migrate');
    } finally {
      fresh.dispose();
    }
  });
});

describe('portier demo', () => {
  let d: DataDir;
  beforeAll(() => {
    d = tempDataDir();
  });
  afterAll(() => d.dispose());

  it('fills an empty installation with Claire Rochat\'s workspace, then does nothing the second time', async () => {
    const first = await d.run(['demo']);
    expect(first.code, first.output).toBe(0);
    expect(first.stdout).toMatch(/demo data: sign in with claire@demo\.portier\.invalid \/ demo-\S{12}/);

    const db = new SQLite(join(d.dir, 'portier.db'), { readonly: true });
    const workspace = db.prepare('select handle, locale, languages, time_zone from workspace').all();
    expect(workspace).toEqual([{ handle: 'claire-rochat', locale: 'fr', languages: '["fr","de","en"]', time_zone: 'Europe/Zurich' }]);
    const kinds = (db.prepare('select kind from entrance order by kind').all() as Array<{ kind: string }>).map((e) => e.kind);
    expect(kinds).toEqual(['email', 'linkedin', 'phone', 'referral', 'webform', 'whatsapp', 'xing']);
    const byStatus = Object.fromEntries((db.prepare('select status, count(*) as n from conversation group by status').all() as Array<{ status: string; n: number }>).map((r) => [r.status, r.n]));
    expect(byStatus).toEqual({ open: 6, waiting: 1, closed: 2 });
    expect(DEMO_CONVERSATION_COUNT).toBe(9);
    // The waiting clock starts at the oldest unanswered inbound message: never after the last
    // message, and on different days so that "Waiting for me" shows different ages.
    const waiting = db.prepare(`select c.awaiting_since, c.last_message_at,
        (select min(m.sent_at) from message m where m.conversation_id = c.id and m.direction = 'inbound'
           and m.sent_at > coalesce((select max(o.sent_at) from message o where o.conversation_id = c.id and o.direction = 'outbound'), 0)) as expected
      from conversation c where c.awaiting_since is not null`).all() as Array<{ awaiting_since: number; last_message_at: number; expected: number }>;
    for (const w of waiting) expect(w.awaiting_since).toBe(w.expected);
    expect(new Set(waiting.map((w) => Math.round((Date.now() - w.awaiting_since) / 3_600_000))).size).toBe(6);
    const referred = db.prepare('select c.display_name, r.display_name as by from contact c join contact r on r.id = c.referred_by_contact_id').all();
    expect(referred).toEqual([{ display_name: 'Thomas Rey', by: 'Nathalie Girard' }]);
    db.close();

    const second = await d.run(['demo']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('a workspace exists already, so no demo data was added');
    const again = new SQLite(join(d.dir, 'portier.db'), { readonly: true });
    expect((again.prepare('select count(*) as n from conversation').get() as { n: number }).n).toBe(9);
    again.close();
  });
});
