// The public pages' stylesheet and script: small files read once at start and served from memory
// under /public-assets/, named with a hash of their content so browsers may cache them for good.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { projectPath } from '../paths.ts';

export interface PublicAsset {
  body: Buffer;
  type: string;
  hash: string;
}

const FILES: Record<string, string> = { 'contact.css': 'text/css; charset=utf-8', 'contact.js': 'text/javascript; charset=utf-8' };

export function loadPublicAssets(): Map<string, PublicAsset> {
  const assets = new Map<string, PublicAsset>();
  for (const [name, type] of Object.entries(FILES)) {
    const body = readFileSync(projectPath('src/public/assets', name));
    assets.set(name, { body, type, hash: createHash('sha256').update(body).digest('hex').slice(0, 12) });
  }
  return assets;
}

export function assetUrl(assets: Map<string, PublicAsset>, name: string): string {
  return `/public-assets/${name}?v=${assets.get(name)?.hash ?? '0'}`;
}
