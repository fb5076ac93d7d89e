// Channel secrets (IMAP passwords, bot tokens, webhook secrets) are encrypted at rest with
// AES-256-GCM under a key derived from PORTIER_SECRET_KEY by HKDF, so the database alone — or a
// backup of it — reveals none of them. The format carries a version for future key rotation.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

export function createSecretBox(secretKey: string, purpose = 'portier channel secrets'): SecretBox {
  const key = Buffer.from(hkdfSync('sha256', secretKey, 'portier', purpose, 32));
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('Unknown secret format: was it written by a newer Portier?');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new Error('A stored secret cannot be decrypted: PORTIER_SECRET_KEY differs from the key it was saved with. Restore the original key.');
      }
    },
  };
}
