import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { sign, SignatureError, verify } from './signature.ts';

const secret = `whsec_${Buffer.from('a secret of thirty-two bytes!!!!').toString('base64')}`;
const now = 1_790_000_000_000;
const ts = String(now / 1000);

describe('Standard Webhooks signatures', () => {
  it('agrees with the reference implementation both ways, for any id and body', () => {
    const reference = new Webhook(secret);
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !s.includes(' ')), fc.string(), (id, body) => {
        const theirs = reference.sign(id, new Date(now), body);
        expect(sign(secret, id, now / 1000, body)).toBe(theirs);
        expect(() => verify(secret, { id, timestamp: ts, signature: theirs }, Buffer.from(body), now)).not.toThrow();
      }),
    );
  });

  it('accepts any matching entry of a list (key rotation) and skips unknown versions', () => {
    const good = sign(secret, 'msg_1', now / 1000, '{}');
    expect(() => verify(secret, { id: 'msg_1', timestamp: ts, signature: `v2,abc v1,AAAA ${good}` }, Buffer.from('{}'), now)).not.toThrow();
  });

  it('refuses a changed body, id or timestamp, another secret and malformed headers', () => {
    const good = sign(secret, 'msg_1', now / 1000, '{"a":1}');
    const attempt = (h: Partial<{ id: string; timestamp: string; signature: string }>, body = '{"a":1}', s = secret) => () =>
      verify(s, { id: 'msg_1', timestamp: ts, signature: good, ...h }, Buffer.from(body), now);
    expect(attempt({}, '{"a":2}')).toThrow(SignatureError);
    expect(attempt({ id: 'msg_2' })).toThrow('no signature matches');
    expect(attempt({}, '{"a":1}', `whsec_${Buffer.from('another secret of 32 bytes!!!!!!').toString('base64')}`)).toThrow('no signature matches');
    for (const signature of ['', 'v1', 'v1,', 'garbage', good.slice(0, -4), `${good}x`.replace(',', ';')]) expect(attempt({ signature })).toThrow(SignatureError);
    for (const timestamp of ['', 'abc', '-1', '1e9', `${ts}.5`]) expect(attempt({ timestamp })).toThrow('Unix time');
  });

  it('refuses timestamps more than five minutes away (replays, skewed clocks)', () => {
    const at = (s: number) => () => verify(secret, { id: 'm', timestamp: String(s), signature: sign(secret, 'm', s, '') }, Buffer.alloc(0), now);
    expect(at(now / 1000 - 300)).not.toThrow();
    expect(at(now / 1000 - 301)).toThrow('too old');
    expect(at(now / 1000 + 301)).toThrow('in the future');
  });
});
