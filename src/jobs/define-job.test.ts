import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { defineJob, JobPayloadError, retryDelayMs } from './define-job.ts';
import { idempotentJobId } from './idempotency-id.ts';
import { nextCronTime } from './next-cron-time.ts';

describe('defineJob', () => {
  it('validates a payload against its TypeBox schema, naming the job and the field', () => {
    const job = defineJob({ name: 'send-reply', payload: Type.Object({ messageId: Type.String() }), handler: async () => {} });
    expect(job.parsePayload({ messageId: 'm1' })).toEqual({ messageId: 'm1' });
    expect(() => job.parsePayload({ messageId: 3 })).toThrow(JobPayloadError);
    expect(() => job.parsePayload({})).toThrow(/Invalid payload for job "send-reply": \/messageId/);
  });

  it('accepts a plain parse function and wraps what it throws', () => {
    const job = defineJob({
      name: 'count',
      payload: (input: unknown) => {
        if (typeof input !== 'number') throw new Error('expected a number');
        return input;
      },
      handler: async () => {},
    });
    expect(job.parsePayload(4)).toBe(4);
    expect(() => job.parsePayload('4')).toThrow('Invalid payload for job "count": expected a number');
  });

  it('puts versions after the first into their own queue', () => {
    const spec = { payload: Type.Object({}), handler: async () => {} };
    expect(defineJob({ name: 'sync-mailbox', ...spec }).queueName).toBe('sync-mailbox');
    expect(defineJob({ name: 'sync-mailbox', version: 2, ...spec }).queueName).toBe('sync-mailbox.v2');
  });

  it('refuses names and retry policies that cannot work', () => {
    const spec = { payload: Type.Object({}), handler: async () => {} };
    expect(() => defineJob({ name: 'Send Reply', ...spec })).toThrow(/not allowed/);
    expect(() => defineJob({ name: 'x', maxAttempts: 0, ...spec })).toThrow(/maxAttempts/);
    expect(() => defineJob({ name: 'x', backoff: { baseMs: 10, maxMs: 5 }, ...spec })).toThrow(/backoff/);
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base and stops at the cap', () => {
    const backoff = { baseMs: 1000, maxMs: 5000 };
    expect([1, 2, 3, 4, 5, 60].map((n) => retryDelayMs(backoff, n))).toEqual([1000, 2000, 4000, 5000, 5000, 5000]);
  });
});

describe('idempotentJobId', () => {
  it('is a stable UUID v5 per queue and key', () => {
    const id = idempotentJobId('ingest', 'telegram:42');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(idempotentJobId('ingest', 'telegram:42')).toBe(id);
    expect(idempotentJobId('ingest', 'telegram:43')).not.toBe(id);
    expect(idempotentJobId('other', 'telegram:42')).not.toBe(id);
  });
});

describe('nextCronTime', () => {
  it('reads the expression in the given time zone', () => {
    const after = Date.parse('2026-11-26T12:00:00Z');
    expect(new Date(nextCronTime('0 9 * * *', 'Europe/Zurich', after)).toISOString()).toBe('2026-11-27T08:00:00.000Z');
    expect(nextCronTime('* * * * * *', 'UTC', after)).toBe(after + 1000);
  });

  it('explains a bad expression or zone', () => {
    expect(() => nextCronTime('every day', 'UTC')).toThrow(/Cron expression "every day"/);
    expect(() => nextCronTime('* * * * *', 'Nowhere/Bogus')).toThrow(/Nowhere\/Bogus/);
  });
});
