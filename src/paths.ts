// The project's folder, for files read at run time (the web build, public assets, package.json):
// the nearest folder above this module that holds package.json. Found rather than written as a
// relative path because this code runs both from src/ and compiled into dist/ (build-server.js).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`Portier's package.json was not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

export const PROJECT_ROOT = findRoot();
export const projectPath = (...parts: string[]): string => join(PROJECT_ROOT, ...parts);
