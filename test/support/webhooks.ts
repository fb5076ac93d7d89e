import { Webhook } from 'standardwebhooks';

/** Signs a body as a Standard Webhooks sender would; `at` lets tests send stale timestamps. */
export function signedDelivery(secret: string, body: unknown, opts: { id?: string; at?: Date } = {}) {
  const payload = JSON.stringify(body);
  const id = opts.id ?? `msg_${Math.random().toString(36).slice(2)}`;
  const at = opts.at ?? new Date();
  return {
    payload,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, payload),
    },
  };
}
