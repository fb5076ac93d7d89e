import { describe, expect, it } from 'vitest';
import { AppError, ERRORS, problem, type ErrorCode } from './errors.ts';

describe('error codes', () => {
  it('every code has an HTTP error status and a title, and client errors are 4xx', () => {
    for (const [code, { status, title }] of Object.entries(ERRORS)) {
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
      expect(title.length, code).toBeGreaterThan(0);
    }
    expect(ERRORS.internal.status).toBe(500);
  });

  it('a problem has the RFC 9457 fields and a stable type URN per code', () => {
    expect(problem('not_found', 'No such entrance.')).toEqual({ type: 'urn:portier:problem:not_found', title: 'Not found', status: 404, code: 'not_found', detail: 'No such entrance.' });
    expect(problem('conflict')).not.toHaveProperty('detail');
    expect(problem('validation_failed', 'x', [])).not.toHaveProperty('errors');
    expect(problem('validation_failed', 'x', [{ field: 'body.label', message: 'is required' }]).errors).toHaveLength(1);
  });

  it('an AppError takes its status from its code and its message from the detail or the title', () => {
    const e = new AppError('rate_limited', undefined, { headers: { 'retry-after': '5' } });
    expect(e).toBeInstanceOf(Error);
    expect([e.status, e.message, e.extra.headers]).toEqual([429, ERRORS.rate_limited.title, { 'retry-after': '5' }]);
    expect(new AppError('forbidden' as ErrorCode, 'Only the owner.').message).toBe('Only the owner.');
  });
});
