// `npm start` rebuilds the web app when its sources changed since the last build (a checkout of a
// newer version), so the README's one command always serves the current app.
import { spawnSync } from 'node:child_process';
import { projectPath } from '../paths.ts';

export async function buildWebIfNeeded(): Promise<void> {
  const script = projectPath('scripts/build-web.js');
  const r = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (r.status !== 0) process.stderr.write('The web app could not be built; the API still runs. See the message above.\n');
}
