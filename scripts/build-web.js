#!/usr/bin/env node
// Builds the owner's web app (web/ → web/dist) when it is missing or older than its sources.
// Called by `npm install` (postinstall) and `npm start`; `--force` rebuilds regardless.
// When nothing changed this is only a walk of file times, so starting stays fast.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const webDir = join(root, 'web');
const distDir = join(webDir, 'dist');
const distIndex = join(distDir, 'index.html');
const force = process.argv.includes('--force');

// Files that do not change the built output; dist itself is the thing being compared.
const IGNORED = new Set(['dist', 'node_modules', '.DS_Store']);
const isTestFile = (name) => /\.test\.[cm]?[jt]sx?$/.test(name);

function newestSourceTime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (IGNORED.has(entry.name) || isTestFile(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(path));
    else if (entry.isFile()) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function isUpToDate() {
  if (!existsSync(distIndex)) return false;
  return statSync(distIndex).mtimeMs >= newestSourceTime(webDir);
}

async function loadVite() {
  try {
    return await import('vite');
  } catch (error) {
    if (error && error.code === 'ERR_MODULE_NOT_FOUND') return null;
    throw error;
  }
}

async function main() {
  if (!existsSync(webDir)) return;
  if (!force && isUpToDate()) return;

  const vite = await loadVite();
  if (!vite) {
    // A production install (--omit=dev) has no vite; a shipped web/dist is then used as it is.
    if (existsSync(distIndex)) return;
    console.error(
      'Portier: the web app is not built and cannot be built here, because the build tools are not installed.\n' +
        '  Run `npm install` (with dev dependencies) and then `npm run build:web`,\n' +
        '  or copy a built web/dist from a machine where it was built.\n' +
        '  The API works without it; only the owner web app will be missing.',
    );
    return;
  }

  const started = performance.now();
  process.stdout.write('Building the web app… ');
  try {
    await vite.build({ configFile: join(webDir, 'vite.config.ts'), logLevel: 'error' });
  } catch (error) {
    process.stdout.write('failed\n');
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
    return;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`done in ${seconds} s (${relative(root, distDir)})\n`);
}

await main();
