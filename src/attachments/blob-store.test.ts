import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ATTACHMENTS_DIR } from '../cli/backup-manifest.ts';
import { BlobStore, BlobStoreError } from './blob-store.ts';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('BlobStore', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'portier-blobs-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('stores bytes under attachments/<2 hex>/<sha256>, the folder backups copy, and reads them back as a stream', async () => {
    const store = new BlobStore(dataDir);
    const bytes = new TextEncoder().encode('Programme du séminaire');
    const put = await store.put(bytes);
    expect(put).toEqual({ sha256: BlobStore.hashOf(bytes), size: bytes.byteLength, written: true });
    expect(store.root).toBe(join(dataDir, ATTACHMENTS_DIR));
    expect(filesUnder(store.root)).toEqual([join(put.sha256.slice(0, 2), put.sha256)]);
    const blob = await store.open(put.sha256);
    expect(blob!.size).toBe(bytes.byteLength);
    expect(await text(blob!.stream)).toBe('Programme du séminaire');
  });

  it('the same bytes are stored once, also when written concurrently, and no temporary file is left', async () => {
    const store = new BlobStore(dataDir);
    const bytes = new Uint8Array(200_000).map((_, i) => i % 251);
    const results = await Promise.all(Array.from({ length: 8 }, () => store.put(bytes)));
    expect(new Set(results.map((r) => r.sha256)).size).toBe(1);
    expect(filesUnder(store.root)).toHaveLength(1);
    expect((await store.put(bytes)).written).toBe(false);
    expect(Buffer.compare(readFileSync(store.pathOf(results[0]!.sha256)), Buffer.from(bytes))).toBe(0);
  });

  it('an empty file is a file like any other', async () => {
    const store = new BlobStore(dataDir);
    const put = await store.put(new Uint8Array(0));
    expect(put.sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect((await store.open(put.sha256))!.size).toBe(0);
  });

  it('a truncated file under a hash name (a damaged copy) is written again', async () => {
    const store = new BlobStore(dataDir);
    const bytes = new TextEncoder().encode('complete content');
    const { sha256 } = await store.put(bytes);
    writeFileSync(store.pathOf(sha256), 'comp');
    expect((await store.put(bytes)).written).toBe(true);
    expect(readFileSync(store.pathOf(sha256), 'utf8')).toBe('complete content');
  });

  it('a missing file reads as null; a name that is not a hash is refused before touching the disk', async () => {
    const store = new BlobStore(dataDir);
    expect(await store.open('a'.repeat(64))).toBeNull();
    for (const bad of ['../../etc/passwd', 'A'.repeat(64), `${'a'.repeat(63)}/`, '']) expect(() => store.pathOf(bad)).toThrow(/sha256/);
    await expect(store.open('../secret.key')).rejects.toThrow(/sha256/);
  });

  it('a data folder it cannot write to gives a clear error, and leaves nothing behind', async () => {
    // A file where the attachments folder should be: mkdir fails as it would without permission.
    writeFileSync(join(dataDir, ATTACHMENTS_DIR), 'not a folder');
    const store = new BlobStore(dataDir);
    const err = await store.put(new Uint8Array([1, 2, 3])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobStoreError);
    expect((err as Error).message).toMatch(/Could not store an attachment .*\((ENOTDIR|EEXIST)\).*PORTIER_DATA_DIR/);
    expect(readdirSync(dataDir)).toEqual([ATTACHMENTS_DIR]);
  });
});
