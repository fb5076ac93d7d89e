import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/security/tokens.ts';
import { runCli, tempDataDir, type DataDir } from './run-cli.ts';

const COMMANDS = ['start', 'setup', 'migrate', 'demo', 'token', 'user', 'backup', 'restore', 'doctor', 'entrance'];

describe('portier CLI: usage', () => {
  it('every command answers --help with its usage, and exits 0', async () => {
    const results = await Promise.all(COMMANDS.map((c) => runCli([c, '--help'], {})));
    results.forEach((r, i) => {
      expect(r.code, `${COMMANDS[i]} --help: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`Usage:[\\s\\S]*portier ${COMMANDS[i]}`));
    });
  });

  it('an unknown command, a missing command and a wrong option exit 2 with the list of commands or a pointer to --help', async () => {
    const [unknown, none, wrongOption, top] = await Promise.all([runCli(['nope'], {}), runCli([], {}), runCli(['backup', '--bogus'], {}), runCli(['--help'], {})]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "nope"');
    expect(unknown.stderr).toContain('doctor');
    expect(none.code).toBe(2);
    expect(wrongOption.code).toBe(2);
    expect(wrongOption.stderr).toContain('portier backup --help');
    expect(top.code).toBe(0);
    for (const c of COMMANDS) expect(top.stdout).toContain(`  ${c} `);
  });
});

describe('portier CLI: accounts and tokens', () => {
  let d: DataDir;
  const email = 'claire@atelier-test.example';
  beforeAll(async () => {
    d = tempDataDir();
    writeFileSync(join(d.env.PORTIER_DATA_DIR!, '..', 'password'), 'first long password\n');
  });
  afterAll(() => d.dispose());
  const passwordFile = () => join(d.dir, '..', 'password');

  it('setup creates a workspace; the same handle again fails with a clear message and exit 1', async () => {
    const args = ['setup', '--email', email, '--password-file', passwordFile(), '--handle', 'atelier-claire', '--name', 'Atelier Claire', '--locale', 'fr'];
    const first = await d.run(args);
    expect(first.code, first.output).toBe(0);
    expect(first.stdout).toContain('Created workspace "Atelier Claire" (@atelier-claire)');
    const again = await d.run([...args.slice(0, 2), 'other@atelier-test.example', ...args.slice(3)]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('The handle "atelier-claire" is taken; choose another.');
  });

  it('token create prints a secret once whose hash is stored; list shows it, revoke ends it', async () => {
    const created = await d.run(['token', 'create', '--email', email, '--name', 'nightly export', '--scopes', 'read,write', '--expires-days', '30']);
    expect(created.code, created.output).toBe(0);
    const secret = /\b(ptk_[A-Za-z0-9_-]{20,})/.exec(created.stdout)?.[1];
    expect(secret).toBeDefined();
    expect(created.stdout).toContain('not shown again');
    expect(created.stdout).toContain(`curl -H "Authorization: Bearer ${secret}" http://127.0.0.1:3000/api/v1/entrances`);

    const db = new SQLite(join(d.dir, 'portier.db'), { readonly: true });
    const row = db.prepare('select id, name, scopes, expires_at, revoked_at from api_token where token_hash = ?').get(hashToken(secret!)) as { id: string; name: string; scopes: string; expires_at: number; revoked_at: number | null };
    db.close();
    expect(row).toMatchObject({ name: 'nightly export', scopes: '["read","write"]', revoked_at: null });
    expect(row.expires_at).toBeGreaterThan(Date.now() + 29 * 86_400_000);

    const listed = await d.run(['token', 'list', '--email', email]);
    expect(listed.stdout).toContain(row.id);
    expect(listed.stdout).toContain('nightly export');
    expect(listed.stdout).not.toContain(secret!);

    const revoked = await d.run(['token', 'revoke', row.id]);
    expect(revoked.code, revoked.output).toBe(0);
    expect(revoked.stdout).toContain('Revoked');
    const after = await d.run(['token', 'list', '--email', email]);
    expect(after.stdout).toContain('no active API tokens');
  });

  it('token commands refuse unknown users (exit 1) and bad scopes (exit 2)', async () => {
    const [unknownUser, badScope, missingName] = await Promise.all([
      d.run(['token', 'create', '--email', 'nobody@example.com', '--name', 'x']),
      d.run(['token', 'create', '--email', email, '--name', 'x', '--scopes', 'admin']),
      d.run(['token', 'create', '--email', email]),
    ]);
    expect(unknownUser.code).toBe(1);
    expect(unknownUser.stderr).toContain('No user has the e-mail address nobody@example.com');
    expect(badScope.code).toBe(2);
    expect(missingName.code).toBe(2);
  });

  it('user password sets a new password, ends sessions and lifts a sign-in lock', async () => {
    const db = new SQLite(join(d.dir, 'portier.db'));
    const user = db.prepare('select id, workspace_id, password_hash from user where email_normalized = ?').get(email) as { id: string; workspace_id: string; password_hash: string };
    db.prepare("insert into session (id, workspace_id, user_id, token_hash, csrf_token, created_at, expires_at, last_seen_at) values ('s1', ?, ?, 'h1', 'c', 0, 9999999999999, 0)").run(user.workspace_id, user.id);
    db.prepare("insert into login_failure (id, key, at) values ('f1', ?, ?)").run(`account:${email}`, Date.now());
    db.close();

    const short = await d.run(['user', 'password', '--email', email, '--password-file', '-'], {}, { input: 'short' });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('at least 10 characters');

    const reset = await d.run(['user', 'password', '--email', email, '--password-file', '-'], {}, { input: 'a brand new pass phrase\n' });
    expect(reset.code, reset.output).toBe(0);
    expect(reset.stdout).toContain('ended 1 session(s)');

    const { verifyPassword } = await import('../../src/security/passwords.ts');
    const check = new SQLite(join(d.dir, 'portier.db'), { readonly: true });
    const after = check.prepare('select password_hash from user where id = ?').get(user.id) as { password_hash: string };
    const sessions = check.prepare('select count(*) as n from session where user_id = ?').get(user.id) as { n: number };
    const failures = check.prepare('select count(*) as n from login_failure').get() as { n: number };
    check.close();
    expect(await verifyPassword(after.password_hash, 'a brand new pass phrase')).toBe(true);
    expect(sessions.n).toBe(0);
    expect(failures.n).toBe(0);
  });
});
