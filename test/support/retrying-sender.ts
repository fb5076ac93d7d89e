// A webhook sender that behaves as a well-made one should: several deliveries in flight, each signed
// again (fresh timestamp) on every attempt, retried until Portier answers 200 — through refused and
// reset connections while the server is down or restarting. It records what was acknowledged.
import { signedDelivery } from './webhooks.ts';
import { sleep } from './portier-node.ts';

export interface Delivery {
  /** The message id in the body (the external id Portier deduplicates on). */
  id: string;
  body: unknown;
}

export interface SenderStats {
  /** Ids answered with 200, in the order the answers came. */
  acknowledged: string[];
  /** Requests made, first attempts included. */
  attempts: number;
  /** Attempts that were not acknowledged (network error, 5xx) and were sent again. */
  retries: number;
  /** Acknowledged with {"stored":1}: this very request stored the message. */
  storedByAck: number;
  /** Acknowledged with {"duplicates":1}: an earlier attempt had stored it, but its answer was lost. */
  duplicateAcks: number;
  /** Why attempts failed: "ECONNREFUSED", "other side closed", "HTTP 503", … with counts. */
  failures: Record<string, number>;
}

export interface SendOptions {
  url: string;
  secret: string;
  concurrency: number;
  /** Give up (throw) after this long; the test fails rather than hangs. */
  timeoutMs: number;
  /** Called after each acknowledgement with the number acknowledged so far. */
  onAck?(count: number): void;
  /** Stops the sender (it throws the reason), e.g. when the process killing the server failed. */
  signal?: AbortSignal;
}

function failureReason(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timeout';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

export async function sendAllUntilAcknowledged(deliveries: Delivery[], options: SendOptions): Promise<SenderStats> {
  const stats: SenderStats = { acknowledged: [], attempts: 0, retries: 0, storedByAck: 0, duplicateAcks: 0, failures: {} };
  const deadline = Date.now() + options.timeoutMs;
  let nextIndex = 0;

  const deliverOne = async (d: Delivery) => {
    for (let attempt = 1; ; attempt++) {
      options.signal?.throwIfAborted();
      if (Date.now() > deadline) throw new Error(`gave up on ${d.id} after ${attempt - 1} attempts: the sender's ${options.timeoutMs} ms ran out (${stats.acknowledged.length} acknowledged)`);
      // Same webhook-id on every attempt (as Standard Webhooks asks), a fresh timestamp and signature.
      const signed = signedDelivery(options.secret, d.body, { id: `wh-${d.id}` });
      stats.attempts += 1;
      let reason: string;
      try {
        const res = await fetch(options.url, { method: 'POST', headers: signed.headers, body: signed.payload, signal: AbortSignal.timeout(15_000) });
        const text = await res.text();
        if (res.status === 200) {
          const result = JSON.parse(text) as { stored: number; duplicates: number };
          stats.storedByAck += result.stored;
          stats.duplicateAcks += result.duplicates;
          stats.acknowledged.push(d.id);
          options.onAck?.(stats.acknowledged.length);
          return;
        }
        // 4xx other than 429 means the request itself is wrong: retrying would not help, and it
        // would hide a bug. 5xx (a database gone away mid-request) and 429 are retried.
        if (res.status < 500 && res.status !== 429) throw Object.assign(new Error(`${d.id}: HTTP ${res.status} ${text}`), { permanent: true });
        reason = `HTTP ${res.status}`;
      } catch (err) {
        if ((err as { permanent?: boolean }).permanent) throw err;
        reason = failureReason(err);
      }
      stats.retries += 1;
      stats.failures[reason] = (stats.failures[reason] ?? 0) + 1;
      await sleep(Math.min(250, 10 * 2 ** Math.min(attempt, 5)) + Math.random() * 20);
    }
  };

  const worker = async () => {
    while (nextIndex < deliveries.length) {
      const d = deliveries[nextIndex++]!;
      await deliverOne(d);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, deliveries.length) }, worker));
  return stats;
}
