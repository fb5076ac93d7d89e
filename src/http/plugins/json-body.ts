// JSON bodies: Fastify's default parser decodes bytes with replacement characters, so invalid UTF-8
// would be stored silently as U+FFFD. This parser refuses it instead, and names what is wrong.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.ts';
import { findUnstorableText } from './unstorable-text.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(/^application\/(.+\+)?json$/, { parseAs: 'buffer' }, (_req, body: Buffer, done) => {
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      done(new AppError('invalid_encoding', 'Send the body as UTF-8 encoded JSON.'), undefined);
      return;
    }
    if (text.trim() === '') {
      done(new AppError('malformed_json', 'The body is empty; send a JSON object.'), undefined);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      done(new AppError('malformed_json', `The body is not valid JSON: ${(err as Error).message}.`), undefined);
      return;
    }
    // NUL and lone surrogates can only arrive as \u escapes (raw, they are invalid JSON or UTF-8),
    // so bodies without any escape skip the walk.
    const unstorable = text.includes('\\u') ? findUnstorableText(value) : null;
    if (unstorable) done(unstorable, undefined);
    else done(null, value);
  });
}
