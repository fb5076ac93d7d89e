// The yardstick of the e-mail sync: a bare imapflow script, in its own process, that fetches from
// the mailbox exactly what Portier's initial sync fetches (src/channels/email/imap-fetch.ts) and
// does nothing with it: EXAMINE the folder, UID SEARCH the window, then per batch of UIDs one FETCH
// of uid, size, envelope and internal date and one FETCH of the full source, each collected before
// the next command. No parsing, no database. bench/email-sync.ts reads Portier's rate against it.
//
// Usage (bench/email-sync.ts does this): node bin/run-ts.js bench/email-baseline-fetch.ts '<json spec>'
// Prints one line `result {json}` on stdout.
import { ImapFlow, type FetchMessageObject } from 'imapflow';
import { bareMessageId, toUidSet } from '../src/channels/email/imap-fetch.ts';

export interface FetchSpec {
  host: string;
  port: number;
  user: string;
  password: string;
  folder: string;
  batchSize: number;
  /** SEARCH SINCE this moment (epoch ms), as the initial sync's window. */
  sinceMs: number;
}

export interface FetchResult {
  messages: number;
  /** Bytes of message source received. */
  bytes: number;
  /** Messages whose envelope had a Message-ID (what Portier would look up in its database). */
  withMessageId: number;
  /** From the folder being open to the last batch collected: what the sync's cursor row brackets in Portier. */
  seconds: number;
  /** Connect and login, before that. */
  connectSeconds: number;
  /** CPU time of this process over `seconds`, as a share of one core. */
  cpu: number;
}

async function collect(iterable: AsyncIterable<FetchMessageObject>): Promise<FetchMessageObject[]> {
  const out: FetchMessageObject[] = [];
  for await (const m of iterable) out.push(m);
  return out;
}

async function fetchLikeTheSync(spec: FetchSpec): Promise<FetchResult> {
  const client = new ImapFlow({ host: spec.host, port: spec.port, secure: false, doSTARTTLS: false, auth: { user: spec.user, pass: spec.password }, logger: false, disableAutoIdle: true });
  client.on('error', () => {});
  const connectStart = performance.now();
  await client.connect();
  try {
    await client.mailboxOpen(spec.folder, { readOnly: true });
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const found = await client.search({ uid: '1:*', since: new Date(spec.sinceMs) }, { uid: true });
    const uids = (found || []).sort((a, b) => a - b);
    let bytes = 0;
    let withMessageId = 0;
    let messages = 0;
    for (let i = 0; i < uids.length; i += spec.batchSize) {
      const batch = uids.slice(i, i + spec.batchSize);
      const meta = await collect(client.fetch(toUidSet(batch), { uid: true, size: true, envelope: true, internalDate: true }, { uid: true }));
      withMessageId += meta.filter((m) => bareMessageId(m.envelope?.messageId) !== null).length;
      const sources = await collect(client.fetch(toUidSet(meta.map((m) => m.uid)), { uid: true, source: true }, { uid: true }));
      for (const m of sources) bytes += m.source?.length ?? 0;
      messages += sources.length;
    }
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    return { messages, bytes, withMessageId, seconds, connectSeconds: (start - connectStart) / 1000, cpu: (cpu.user + cpu.system) / 1e6 / seconds };
  } finally {
    await client.logout().catch(() => client.close());
  }
}

try {
  const result = await fetchLikeTheSync(JSON.parse(process.argv[2] ?? '{}') as FetchSpec);
  process.stdout.write(`result ${JSON.stringify(result)}\n`);
} catch (err) {
  process.stderr.write(`email-baseline-fetch: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
