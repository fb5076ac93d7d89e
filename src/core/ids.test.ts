import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { newId } from './ids.ts';

describe('newId', () => {
  it('is a UUID version 7 with the RFC 9562 variant', () => {
    expect(newId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('carries its millisecond timestamp, so ids sort by creation time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), fc.integer({ min: 0, max: 2 ** 48 - 1 }), (t1, t2) => {
        const [a, b] = [newId(t1), newId(t2)];
        expect(parseInt(a.replace(/-/g, '').slice(0, 12), 16)).toBe(t1);
        if (t1 < t2) expect(a < b).toBe(true);
      }),
    );
  });

  it('does not repeat within one millisecond', () => {
    const ids = Array.from({ length: 10_000 }, () => newId(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
