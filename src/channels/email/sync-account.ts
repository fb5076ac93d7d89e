// One e-mail account's sync loop: connect, bring every watched folder up to date, IDLE on the first
// folder until the server announces new mail (other folders, such as Sent, are looked at on a
// timer), and on any disconnect start over with a NEW client after a backoff. Each account runs its
// own loop with its own error handling, so one failing account never stops the others.
//
// What happens when things go wrong:
//  - login refused (or a TLS certificate refused): the entrance turns 'failing' with the server's
//    words at once, and the loop waits `authRetryMs` (30 min) before trying the same settings
//    again — hammering a server with a wrong password gets the account locked. Changed settings
//    restart the loop at once (the manager sees the new config).
//  - network trouble: retried with exponential backoff; 'failing' after a few failed attempts in a
//    row, back to 'ok' after the next good pass.
//  - a watched folder missing: the other folders go on; the entrance shows 'attention' and why.
import type { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { BlobStore } from '../../attachments/blob-store.ts';
import type { LiveEvents } from '../../events/live-events.ts';
import type { Db } from '../../storage/database.ts';
import type { Entrance, EntranceHealth } from '../../storage/schema.ts';
import { createImapClient, DEFAULT_INITIAL_WINDOW_DAYS, describeImapError, IDLE_RESTART_MS, watchedFolders, type EmailConfig } from './imap-connection.ts';
import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_MESSAGE_BYTES, syncFolder, type FetchedMessage, type FolderSyncHooks } from './imap-fetch.ts';
import { readEmail } from './sync-message.ts';
import { loadFolderState, PendingKeys, saveFolderState, setEntranceHealth, storedExternalIds, storeSyncedEmail } from './sync-store.ts';

export interface AccountSyncOptions {
  batchSize: number;
  maxMessageBytes: number;
  /** Folders after the first are checked this often (the first is watched with IDLE). */
  otherFoldersPollMs: number;
  idleRestartMs: number;
  backoff: { baseMs: number; maxMs: number };
  authRetryMs: number;
  /** Consecutive failed connection attempts before the entrance shows 'failing'. */
  failingAfterAttempts: number;
}

export const DEFAULT_ACCOUNT_SYNC_OPTIONS: AccountSyncOptions = {
  batchSize: DEFAULT_BATCH_SIZE,
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  otherFoldersPollMs: 60_000,
  idleRestartMs: IDLE_RESTART_MS,
  backoff: { baseMs: 2_000, maxMs: 5 * 60_000 },
  authRetryMs: 30 * 60_000,
  failingAfterAttempts: 3,
};

export interface AccountSyncStats {
  connects: number;
  passes: number;
  stored: number;
  duplicates: number;
  skipped: number;
  lastError: string | null;
}

export interface AccountSyncDeps {
  db: Db;
  live?: LiveEvents;
  logger: Logger;
  entrance: Entrance;
  config: EmailConfig;
  options?: Partial<AccountSyncOptions>;
  /** Where attachment files go; without it attachments are not stored. */
  attachmentStore?: BlobStore;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export class AccountSync {
  readonly stats: AccountSyncStats = { connects: 0, passes: 0, stored: 0, duplicates: 0, skipped: 0, lastError: null };
  private readonly abort = new AbortController();
  private readonly options: AccountSyncOptions;
  private readonly logger: Logger;
  private client: ImapFlow | null = null;
  private health: { state: EntranceHealth; reason: string | null } | null = null;
  private done: Promise<void> | null = null;

  constructor(private readonly deps: AccountSyncDeps) {
    this.options = { ...DEFAULT_ACCOUNT_SYNC_OPTIONS, ...deps.options };
    this.logger = deps.logger.child({ entranceId: deps.entrance.id, channel: 'email' });
  }

  get entranceId(): string {
    return this.deps.entrance.id;
  }

  start(): this {
    this.done ??= this.run().catch((err) => this.logger.error({ err }, 'e-mail sync loop ended unexpectedly'));
    return this;
  }

  /** Ends the loop: the open IMAP command is cut; a batch stored halfway is fetched again next time. */
  async stop(): Promise<void> {
    this.abort.abort(new Error('e-mail sync stopped'));
    this.client?.close();
    await this.done;
  }

  private async setHealth(state: EntranceHealth, reason: string | null) {
    if (this.health && this.health.state === state && this.health.reason === reason) return;
    this.health = { state, reason };
    await setEntranceHealth({ db: this.deps.db, live: this.deps.live }, this.deps.entrance, state, reason).catch((err) => this.logger.warn({ err }, 'could not record the entrance health'));
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    const { imap } = this.deps.config;
    let failures = 0;
    while (!signal.aborted) {
      // A new client for every connection: ImapFlow instances are single-use.
      const client = createImapClient(imap, { autoIdle: false, maxIdleTime: this.options.idleRestartMs });
      // ImapFlow reports socket trouble as 'error' events as well; unhandled they would end the process.
      client.on('error', (err: Error) => this.logger.debug({ err }, 'IMAP connection error'));
      this.client = client;
      try {
        await client.connect();
        this.stats.connects++;
        failures = 0;
        await this.watch(client, signal);
      } catch (err) {
        if (signal.aborted) break;
        const d = describeImapError(err, imap);
        this.stats.lastError = d.reason;
        if (d.kind === 'auth_failed' || d.kind === 'invalid_config' || (d.kind === 'folder_missing' && this.stats.passes === 0)) {
          this.logger.warn({ reason: d.reason }, 'e-mail account needs attention; retrying these settings later');
          await this.setHealth('failing', d.reason);
          await sleep(this.options.authRetryMs, signal);
          continue;
        }
        failures++;
        const delay = Math.min(this.options.backoff.maxMs, this.options.backoff.baseMs * 2 ** (failures - 1)) * (0.8 + Math.random() * 0.4);
        this.logger.info({ reason: d.reason, attempt: failures, retryInMs: Math.round(delay) }, 'IMAP connection lost; reconnecting');
        if (failures >= this.options.failingAfterAttempts) await this.setHealth('failing', `${d.reason} (${failures} attempts in a row; retrying)`);
        await sleep(delay, signal);
      } finally {
        this.client = null;
        client.close();
      }
    }
  }

  private folderHooks(): FolderSyncHooks {
    const { db, live, entrance, config, attachmentStore } = this.deps;
    return {
      loadState: (folder) => loadFolderState(db, entrance.id, folder),
      saveState: (folder, state) => saveFolderState(db, entrance.id, folder, state),
      storedMessageIds: (ids) => storedExternalIds(db, entrance.id, ids),
      storeBatch: async (messages: FetchedMessage[]) => {
        const pending = new PendingKeys();
        for (const m of messages) {
          const now = Date.now();
          const synced = await readEmail(m.source, { ownAddresses: config.ownAddresses, receivedAt: m.internalDate, now, ...(m.truncated ? { declaredSize: m.size } : {}) });
          const outcome = await storeSyncedEmail({ db, live, now, attachmentStore }, entrance, synced, pending);
          if (outcome === 'stored') this.stats.stored++;
          else if (outcome === 'duplicate') this.stats.duplicates++;
          else this.stats.skipped++;
        }
        await pending.flush(db, entrance);
      },
    };
  }

  /** Sync passes and IDLE on one connection, until it is lost (throws) or the loop is stopped. */
  private async watch(client: ImapFlow, signal: AbortSignal): Promise<void> {
    const folders = watchedFolders(this.deps.config);
    const hooks = this.folderHooks();
    let pending = false;
    let lost: Error | null = null;
    let wake: (() => void) | null = null;
    client.on('exists', () => {
      pending = true;
      wake?.();
    });
    client.on('close', () => {
      lost = Object.assign(new Error('The IMAP server closed the connection.'), { code: 'EConnectionClosed' });
      wake?.();
    });

    while (!signal.aborted) {
      pending = false;
      const problems: string[] = [];
      for (const folder of folders) {
        try {
          const r = await syncFolder(client, folder, hooks, {
            batchSize: this.options.batchSize,
            initialWindowDays: this.deps.config.initialWindowDays ?? DEFAULT_INITIAL_WINDOW_DAYS,
            maxMessageBytes: this.options.maxMessageBytes,
            now: Date.now,
            signal,
          });
          if (r.uidValidityChanged) this.logger.info({ folder }, 'UIDVALIDITY changed: folder resynced, known messages skipped by Message-ID');
        } catch (err) {
          if (signal.aborted) return;
          const d = describeImapError(err, this.deps.config.imap);
          // The first folder is the one IDLE watches: without it the account cannot be watched.
          if (d.kind !== 'folder_missing' || folder === folders[0]) throw err;
          problems.push(`The folder "${folder}" does not exist on ${this.deps.config.imap.host}; check its name in the entrance settings.`);
        }
      }
      if (lost) throw lost;
      this.stats.passes++;
      await this.setHealth(problems.length ? 'attention' : 'ok', problems.length ? problems.join(' ') : null);

      if (client.mailbox === false || client.mailbox.path !== folders[0]) await client.mailboxOpen(folders[0]!, { readOnly: true });
      if (pending || signal.aborted) continue;
      // IDLE until the server announces mail (the 'exists' event), the other folders are due, or
      // the connection drops. The next command breaks IDLE by itself (imapflow sends DONE first);
      // imapflow re-issues IDLE every idleRestartMs, and polls with NOOP where IDLE is missing.
      client.idle().catch(() => {});
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, folders.length > 1 ? this.options.otherFoldersPollMs : this.options.idleRestartMs);
        function finish() {
          clearTimeout(timer);
          signal.removeEventListener('abort', finish);
          resolve();
        }
        wake = finish;
        signal.addEventListener('abort', finish, { once: true });
      });
      wake = null;
      if (lost) throw lost;
    }
  }
}
