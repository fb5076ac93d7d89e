// The e-mail benchmark harness still works: `npm run bench:email -- --smoke` APPENDs a small mailbox
// to the test Dovecot, fetches it with the bare imapflow yardstick, lets the real Portier server sync
// it, delivers a few messages through IDLE and prints its table. Benchmarks are not tests: this
// never looks at how fast anything was, only that every case produced a row of positive numbers and
// that every message was stored once.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dovecotAvailable, IMAP_PORT } from './support.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/run-ts.js', 'bench/email-sync.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** | case | messages | seconds | messages/s | p50 ms | p99 ms | max ms | vs | ratio | … */
function tableRows(stdout: string) {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| case') && !line.startsWith('| ---'))
    .map((line) => {
      const cells = line.split('|').slice(1, -1).map((c) => c.trim());
      const num = (s: string) => (s === '–' ? null : Number(s.replace(/[,%\s]/g, '')));
      return { name: cells[0], messages: num(cells[1]!), seconds: num(cells[2]!), rate: num(cells[3]!), p50: num(cells[4]!), p99: num(cells[5]!), ratio: num(cells[8]!) };
    });
}

describe.skipIf(!dovecotAvailable())('e-mail benchmark harness', () => {
  it('a smoke run measures the bare imapflow fetch, Portier’s initial sync and IDLE deliveries, and every message is stored once', async () => {
    const { code, stdout, stderr } = await runBench(['--smoke', '--imap-port', String(IMAP_PORT)]);
    expect(code, `bench:email exited with ${code}:\n${stdout}\n${stderr}`).toBe(0);

    const rows = tableRows(stdout);
    expect(rows.map((r) => r.name)).toEqual(['baseline-fetch-cold', 'baseline-fetch', 'portier-sync', 'baseline-idle', 'idle-stored', 'idle-event']);
    for (const row of rows.slice(0, 3)) {
      expect(row.messages, `${row.name} messages`).toBe(60);
      expect(row.seconds, `${row.name} seconds`).toBeGreaterThan(0);
      expect(row.rate, `${row.name} messages/s`).toBeGreaterThan(0);
      expect(row.ratio, `${row.name} ratio to the bare fetch`).toBeGreaterThan(0);
    }
    for (const row of rows.slice(3)) {
      expect(row.messages, `${row.name} deliveries`).toBe(5);
      expect(row.p50, `${row.name} p50`).toBeGreaterThan(0);
      expect(row.p99, `${row.name} p99`).toBeGreaterThanOrEqual(row.p50!);
    }
    expect(stdout).toMatch(/Sync check: 60 APPENDed, 60 stored, each once; 5 delivered through IDLE, 5 stored: equal\./);
  }, 300_000);
});
