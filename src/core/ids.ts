import { randomBytes } from 'node:crypto';

/**
 * A UUID version 7 (RFC 9562): 48 bits of milliseconds, then randomness. Rows created together sit
 * together in B-tree indexes, unlike random v4 UUIDs, and the id sorts by creation time.
 */
export function newId(now = Date.now()): string {
  const b = randomChunk();
  b.writeUIntBE(now, 0, 6);
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// One call into the system's random generator per 256 ids instead of one per id (ingest creates
// four ids per message); the bytes are still from the CSPRNG, each used once.
const POOL_BYTES = 16 * 256;
let pool = Buffer.alloc(0);
let offset = POOL_BYTES;
const chunk = Buffer.alloc(16);

function randomChunk(): Buffer {
  if (offset + 16 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  pool.copy(chunk, 0, offset, offset + 16);
  offset += 16;
  return chunk;
}
