// Page cursors of the list endpoints: the last row's sort value and id, opaque to clients.
import { AppError } from '../core/errors.ts';

export const encodeCursor = (value: number, id: string): string => Buffer.from(JSON.stringify([value, id])).toString('base64url');

export function decodeCursor(cursor: string): { value: number; id: string } {
  try {
    const [value, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    // Only what encodeCursor makes: a timestamp and an id. Anything else would reach SQL as a value
    // PostgreSQL refuses (Infinity for a bigint, a NUL in text) and fail as a 500.
    if (Number.isSafeInteger(value) && typeof id === 'string' && id.length <= 64 && !id.includes('\u0000')) return { value: value as number, id };
  } catch { /* fall through */ }
  throw new AppError('validation_failed', 'cursor is not a cursor this API returned; start again without it.', { errors: [{ field: 'querystring.cursor', message: 'is not valid' }] });
}
