import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A bearer secret with a readable prefix (so a leaked token is recognisable in logs and scanners)
 * and 256 bits of randomness. Only its SHA-256 is stored: a database leak reveals no usable token.
 */
export function newSecretToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
