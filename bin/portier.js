#!/usr/bin/env node
// Runs Portier: the compiled server when it matches src/ (compiled on demand, see
// scripts/build-server.js), else the TypeScript sources through tsx.
import { serverEntry } from '../scripts/build-server.js';

const entry = await serverEntry();
if (entry) {
  await import(entry);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
