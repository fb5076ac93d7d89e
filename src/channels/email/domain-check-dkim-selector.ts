// Which DKIM selector the owner's mail is signed with: read from the DKIM-Signature headers of the
// newest messages in the entrance's sent folder (headers only, a bounded number, read-only). The
// sent copy is not always the signed one — many mail programs store their own copy before the
// server signs — so finding no signature here is a hint, not a verdict.
import { createImapClient, describeImapError, type EmailConfig } from './imap-connection.ts';
import { signaturesInHeaders, type DkimSignatureRef } from './domain-check-dkim-key.ts';

export interface SentFolderSignatures {
  /** The folder read; null when the entrance has none and the server marks none as \Sent. */
  folder: string | null;
  messagesRead: number;
  /** Distinct (selector, domain) pairs, newest message first. */
  signatures: DkimSignatureRef[];
  /** Why the folder could not be read, in the server's words. */
  error: string | null;
}

export async function readSentFolderSignatures(config: EmailConfig, options: { timeoutMs?: number; maxMessages?: number } = {}): Promise<SentFolderSignatures> {
  const timeoutMs = options.timeoutMs ?? 8_000;
  const maxMessages = options.maxMessages ?? 20;
  const client = createImapClient(config.imap, { autoIdle: false, connectionTimeoutMs: timeoutMs });
  client.on('error', () => {});
  let folder: string | null = config.sentFolder ?? null;
  // The whole read is bounded: a server that accepts the login and then stalls must not hold the check.
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(Object.assign(new Error('the server took too long to answer'), { code: 'ETIMEDOUT' }));
    }, timeoutMs * 2);
  });
  try {
    const read = (async () => {
      await client.connect();
      if (!folder) folder = (await client.list()).find((f) => f.specialUse === '\\Sent')?.path ?? null;
      if (!folder) return { folder: null, messagesRead: 0, signatures: [], error: null };
      const box = await client.mailboxOpen(folder, { readOnly: true });
      if (!box.exists) return { folder, messagesRead: 0, signatures: [], error: null };
      const range = `${Math.max(1, box.exists - maxMessages + 1)}:*`;
      // Collected whole before anything else is sent on the connection (imapflow's FETCH rule).
      const headers: Array<{ seq: number; text: string }> = [];
      for await (const m of client.fetch(range, { headers: ['dkim-signature'] })) headers.push({ seq: m.seq, text: m.headers?.toString('utf8') ?? '' });
      headers.sort((a, b) => b.seq - a.seq);
      const seen = new Set<string>();
      const signatures: DkimSignatureRef[] = [];
      for (const h of headers) {
        for (const s of signaturesInHeaders(h.text)) {
          const key = `${s.selector}|${s.domain}`;
          if (!seen.has(key)) {
            seen.add(key);
            signatures.push(s);
          }
        }
      }
      return { folder, messagesRead: headers.length, signatures, error: null };
    })();
    read.catch(() => {}); // when the deadline wins, the abandoned read may still fail
    return await Promise.race([read, deadline]);
  } catch (err) {
    return { folder, messagesRead: 0, signatures: [], error: describeImapError(err, config.imap).reason };
  } finally {
    clearTimeout(timer);
    if (timedOut) client.close();
    else await client.logout().catch(() => client.close());
  }
}
