// Text that is valid JSON or a valid URL, yet cannot be stored faithfully: PostgreSQL `text` refuses
// the NUL character outright (the insert fails, which would surface as a 500), and a lone UTF-16
// surrogate (JSON "\ud800") is silently turned into U+FFFD by both database drivers. No field of
// Portier has a use for either, so they are refused at the door on every dialect alike.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.ts';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function describe(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(s)) return 'contains a lone UTF-16 surrogate, which is not text; send valid Unicode';
  return null;
}

/** The first key or string in a parsed JSON value that cannot be stored, as an AppError; else null. */
export function findUnstorableText(value: unknown, path: string[] = []): AppError | null {
  const fail = (at: string[], message: string) => {
    const field = ['body', ...at].join('.').replace(/\u0000/g, '\\u0000');
    return new AppError('validation_failed', `${field} ${message}.`, { errors: [{ field, message }] });
  };
  if (typeof value === 'string') {
    const message = describe(value);
    return message ? fail(path, message) : null;
  }
  if (value === null || typeof value !== 'object') return null;
  for (const [key, v] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
    if (typeof key === 'string') {
      const message = describe(key);
      if (message) return fail([...path, key], `(a key) ${message}`);
    }
    const found = findUnstorableText(v, [...path, String(key)]);
    if (found) return found;
  }
  return null;
}

/** Refuses a percent-encoded NUL anywhere in the address (path parameters and query strings). */
export function registerAddressGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (/%00/i.test(request.url)) throw new AppError('bad_request', 'The address contains a NUL character (%00), which no Portier resource uses.');
  });
}
