// Attachment files, content-addressed: <dataDir>/attachments/<sha256[0..2]>/<sha256>. The name on
// disk is the hash of the bytes and nothing else, never the sender's file name, so a hostile name
// cannot reach the file system, and the same file in a hundred messages is stored once.
//
// A write is durable before it returns: a temporary file in the same folder, fsync, rename onto
// the final name (atomic: a reader sees the whole file or none), then fsync of the folder so the
// rename itself survives a power cut. A file that already exists is not written again. Two
// concurrent writes of the same bytes each rename their own complete copy; the last one wins and
// both are identical.
//
// Ingest writes the files BEFORE the message's transaction, so a committed row never points at a
// missing file. A crash in between leaves a file no row names (or a stray ".tmp"), which is
// harmless; a future clean-up can delete files older than a day that no attachment row names.
import { createHash, randomBytes } from 'node:crypto';
import type { ReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ATTACHMENTS_DIR } from '../cli/backup-manifest.ts';

export interface AttachmentLimits {
  /** One file above this is not stored (it stays listed as omitted, with a note). */
  maxFileBytes: number;
  /** All stored files of one message together. */
  maxMessageBytes: number;
  /** Files per message. */
  maxFiles: number;
}

/**
 * The per-file limit matches the e-mail parser's (parse-email.ts), which already drops bigger parts;
 * a whole e-mail is at most 25 MB, so the per-message sum matters for channels without such a cap.
 */
export const DEFAULT_ATTACHMENT_LIMITS: AttachmentLimits = {
  maxFileBytes: 15 * 1024 * 1024,
  maxMessageBytes: 40 * 1024 * 1024,
  maxFiles: 100,
};

const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface PutResult {
  sha256: string;
  size: number;
  /** False when a file with these bytes was there already. */
  written: boolean;
}

export interface OpenBlob {
  size: number;
  stream: ReadStream;
}

/** A write failed for a reason of the machine (permissions, disk full), not of the message. */
export class BlobStoreError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'BlobStoreError';
  }
}

/** Some file systems (and Windows) refuse to fsync a directory; the rename is then as durable as they allow. */
async function syncDirectory(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw err;
  } finally {
    await handle?.close();
  }
}

export class BlobStore {
  /** The folder that holds the files: what `portier backup` copies. */
  readonly root: string;
  readonly limits: AttachmentLimits;

  constructor(dataDir: string, options: { limits?: Partial<AttachmentLimits> } = {}) {
    this.root = join(dataDir, ATTACHMENTS_DIR);
    this.limits = { ...DEFAULT_ATTACHMENT_LIMITS, ...options.limits };
  }

  static hashOf(content: Uint8Array): string {
    return createHash('sha256').update(content).digest('hex');
  }

  /** Where the file of this hash lives; throws for anything that is not a sha256 in hex. */
  pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a sha256 in lower-case hex: ${JSON.stringify(sha256.slice(0, 80))}`);
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  /** Stores the bytes durably (once per content) and returns their hash. */
  async put(content: Uint8Array): Promise<PutResult> {
    const sha256 = BlobStore.hashOf(content);
    const path = this.pathOf(sha256);
    const size = content.byteLength;
    const dir = dirname(path);
    const tmp = join(dir, `.${sha256}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      // An existing file of the right size is this content: it only ever appears by an atomic rename.
      const existing = await stat(path).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : Promise.reject(err)));
      if (existing && existing.isFile() && existing.size === size) return { sha256, size, written: false };
      const created = await mkdir(dir, { recursive: true, mode: 0o700 });
      const handle = await open(tmp, 'wx', 0o600);
      try {
        await handle.writeFile(content);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, path);
      await syncDirectory(dir);
      // New folders are entries in their parents: make those durable too, up to the data folder.
      if (created) {
        const top = dirname(created);
        for (let d = dirname(dir); ; d = dirname(d)) {
          await syncDirectory(d);
          if (d === top || d === dirname(d)) break;
        }
      }
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => {});
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new BlobStoreError(`Could not store an attachment in ${this.root} (${code}). Check that Portier may write to its data folder (PORTIER_DATA_DIR) and that the disk has space; the message is fetched again on the next try.`, { cause: err });
    }
    return { sha256, size, written: true };
  }

  /** The file of this hash as a stream, with its size; null when it is not there. */
  async open(sha256: string): Promise<OpenBlob | null> {
    let handle;
    try {
      handle = await open(this.pathOf(sha256), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      const { size } = await handle.stat();
      // The stream owns the handle from here: it closes it at the end, on error and on destroy.
      return { size, stream: handle.createReadStream() };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }
}
