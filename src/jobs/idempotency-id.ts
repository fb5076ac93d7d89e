import { createHash } from 'node:crypto';

// A fixed namespace so that ids derived here never collide with ids derived by another program
// from the same (name, key) pair. Any constant UUID works; this one was generated once.
const NAMESPACE = Buffer.from('6f1c2a4e9b7d4e0f8a3c5d2b1e0f9a7c', 'hex');

/**
 * A UUID version 5 (RFC 9562: SHA-1 of namespace and name) for a job's idempotency key. pg-boss
 * inserts jobs with ON CONFLICT DO NOTHING on the id, so the same (queue, key) always maps to the
 * same id and the second insert is a no-op, on any node, without a lock or a round trip.
 */
export function idempotentJobId(queueName: string, idempotencyKey: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${queueName}\u0000${idempotencyKey}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
