// Entry point of a Portier node for the durability tests: exactly what `portier start` runs
// (configuration from the environment, startServer, graceful stop on SIGTERM), minus the web-app
// rebuild check. Skipping that keeps restarts fast and keeps these tests from rebuilding web/dist
// while someone edits web/** — the durability tests need the API, not the owner web app.
//
// With PORTIER_TEST_STANDBY=1 the process loads every module, then waits for a line on stdin before
// it reads the configuration and starts: a test can have the next process loaded while the current
// one still runs, so a restart after a SIGKILL costs what a restart really does (open the database,
// recover, migrate, start jobs, listen) and not the seconds of module loading on a busy machine.
import { createInterface } from 'node:readline';
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/server.ts';

if (process.env.PORTIER_TEST_STANDBY === '1') {
  process.stdout.write('standby: loaded\n');
  await new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: process.stdin });
    lines.once('line', () => {
      resolve();
      lines.close();
    });
    // The test went away without releasing this standby process.
    lines.once('close', () => reject(new Error('standby released by end of input')));
  }).catch(() => process.exit(0));
}

const server = await startServer(loadConfig());
const stop = async () => {
  const timer = setTimeout(() => process.exit(1), 10_000);
  timer.unref();
  await server.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
