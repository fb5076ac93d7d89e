#!/usr/bin/env node
// Compiles the server (src/ → dist/server-<stamp>/) with esbuild, so that `portier` starts without
// compiling TypeScript at run time through tsx: about a second to start instead of four, and less
// memory. bin/portier.js calls serverEntry() on every start: when src/ changed since the last build
// it builds again (about a second), so the sources stay the truth and no step can be forgotten.
// Each build goes to its own folder and is renamed into place whole: a process still running an
// older build keeps finding its files, and two processes building at once cannot mix their output.
// `node scripts/build-server.js` builds now; `PORTIER_RUN_SOURCES=1` makes bin/portier.js skip it.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'src');
const distDir = join(root, 'dist');
const KEEP_BUILDS = 2;
const isTestFile = (name) => /\.test\.ts$/.test(name);

/** The newest change under src/: file times, and folder times for files added or removed. */
function newestSourceTime(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (isTestFile(entry.name)) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceTime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

async function build(target) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return false;
  }
  const tmp = join(distDir, `.building-${process.pid}-${Date.now()}`);
  try {
    await esbuild.build({
      entryPoints: { main: join(srcDir, 'cli/main.ts') },
      outdir: tmp,
      bundle: true,
      // The CLI loads the server, the database code and the rest only when a command needs them.
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      keepNames: true,
      sourcemap: 'linked',
      logLevel: 'silent',
    });
    try {
      renameSync(tmp, target);
    } catch (err) {
      // Another process built the same sources at the same moment: its folder is as good.
      if (!existsSync(join(target, 'main.js'))) throw err;
    }
    return true;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function pruneOldBuilds(current) {
  const builds = readdirSync(distDir).filter((n) => n.startsWith('server-') && join(distDir, n) !== current).sort();
  for (const name of builds.slice(0, Math.max(0, builds.length - (KEEP_BUILDS - 1)))) rmSync(join(distDir, name), { recursive: true, force: true });
}

/**
 * The file URL of the compiled server for the current sources, building it when needed; null when
 * it cannot be built (esbuild missing, or a build error: the caller then runs the sources).
 */
export async function serverEntry() {
  if (process.env.PORTIER_RUN_SOURCES === '1' || !existsSync(srcDir)) return null;
  const target = join(distDir, `server-${Math.floor(newestSourceTime(srcDir))}`);
  const main = join(target, 'main.js');
  if (!existsSync(main)) {
    mkdirSync(distDir, { recursive: true });
    try {
      if (!(await build(target))) return null;
      pruneOldBuilds(target);
    } catch (err) {
      console.error(`Compiling the server failed, running the TypeScript sources instead: ${err.message ?? err}`);
      return null;
    }
  }
  return pathToFileURL(main).href;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  const entry = await serverEntry();
  console.log(entry ? `Server compiled (${fileURLToPath(entry)}) in ${((Date.now() - started) / 1000).toFixed(1)} s` : 'The server was not compiled (esbuild missing or PORTIER_RUN_SOURCES=1): bin/portier.js runs the sources.');
}
