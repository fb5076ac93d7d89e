// The benchmark harness still works: `npm run bench -- --smoke` starts the bare Fastify baseline and
// the real Portier server, seeds a tiny workspace, loads every case for about a second and prints
// its table. Benchmarks are not tests: this never looks at how fast anything was, only that every
// case produced a row of positive numbers.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/run-ts.js', 'bench/run.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The table's data rows: | case | conns | client | requests/s | p50 ms | p99 ms | vs | ratio | non-2xx + errors | … */
function tableRows(stdout: string) {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| case') && !line.startsWith('| ---'))
    .map((line) => {
      const cells = line.split('|').slice(1, -1).map((c) => c.trim());
      const num = (s: string) => Number(s.replace(/[,%\s]/g, ''));
      return { name: cells[0], rps: num(cells[3]!), p50: num(cells[4]!), p99: num(cells[5]!), ratio: num(cells[7]!), failures: num(cells[8]!) };
    });
}

describe('benchmark harness', () => {
  it('a smoke run measures the baseline and every Portier case and prints a row of positive numbers for each', async () => {
    const { code, stdout, stderr } = await runBench(['--smoke']);
    expect(code, `bench exited with ${code}:\n${stdout}\n${stderr}`).toBe(0);

    const rows = tableRows(stdout);
    expect(rows.map((r) => r.name)).toEqual(['baseline', 'baseline-post', 'healthz', 'entrances', 'conversations', 'inbox-waiting', 'search-rare', 'search-frequent', 'ingest']);
    for (const row of rows) {
      expect(row.rps, `${row.name} requests/s`).toBeGreaterThan(0);
      expect(row.p50, `${row.name} p50`).toBeGreaterThan(0);
      expect(row.p99, `${row.name} p99`).toBeGreaterThanOrEqual(row.p50);
      expect(row.ratio, `${row.name} ratio to the baseline`).toBeGreaterThan(0);
      // Every answer was a 2xx: the authenticated cases really read seeded data, not 401s.
      expect(row.failures, `${row.name} non-2xx answers and errors`).toBe(0);
    }
    expect(stdout).toMatch(/Portier process: start → ready [\d,]+ ms.*idle RSS [\d.]+ MB/);
    // Every acknowledged webhook delivery was stored, and nothing else.
    expect(stdout).toMatch(/Ingest check: [\d,]+ deliveries acknowledged with 2xx \(warm-up included\), [\d,]+ messages stored: equal\./);
  }, 120_000);
});
