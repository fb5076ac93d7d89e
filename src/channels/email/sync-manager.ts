// Runs the sync of every e-mail entrance while the server runs. The server starts it once:
//
//   const emailSync = startEmailSync(context);   // after the jobs start
//   …
//   await emailSync.stop();                      // before closeContext()
//
// Every `refreshMs` it reads the e-mail entrances: a new one gets its own loop (AccountSync), a
// removed or archived one is stopped, one whose settings changed is restarted with the new ones
// (which also ends a wait after a refused login). With several nodes on one PostgreSQL, each loop
// runs only while its node holds the account's lease (sync-lease.ts), renewed on the same timer.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Value } from '@sinclair/typebox/value';
import type { Logger } from 'pino';
import { BlobStore } from '../../attachments/blob-store.ts';
import type { Config } from '../../config.ts';
import { openEntranceConfig } from '../../entrances/entrance-config.ts';
import type { LiveEvents } from '../../events/live-events.ts';
import type { SecretBox } from '../../security/secret-box.ts';
import type { Storage } from '../../storage/database.ts';
import type { Entrance } from '../../storage/schema.ts';
import { EmailConfigSchema, type EmailConfig } from './imap-connection.ts';
import { AccountSync, type AccountSyncOptions } from './sync-account.ts';
import { releaseSyncLease, takeSyncLease } from './sync-lease.ts';
import { setEntranceHealth } from './sync-store.ts';

export interface EmailSyncContext {
  storage: Pick<Storage, 'db'>;
  secrets: SecretBox;
  logger: Logger;
  live?: LiveEvents;
  /** The data folder attachment files go to (the server passes its whole context); without it attachments are not stored. */
  config?: Pick<Config, 'dataDir'>;
}

export interface EmailSyncOptions {
  /** How often entrances are re-read and leases renewed; 15 s by default. */
  refreshMs?: number;
  /** A lease not renewed for this long is free for another node; 60 s by default. */
  leaseMs?: number;
  /** This node's name in the lease table. */
  holder?: string;
  account?: Partial<AccountSyncOptions>;
}

export interface EmailSync {
  /** Re-reads the entrances now (after a settings change, say) instead of at the next tick. */
  refresh(): Promise<void>;
  /** The running loop of an entrance on this node, if any (for tests and diagnostics). */
  account(entranceId: string): AccountSync | undefined;
  stop(): Promise<void>;
}

interface Running {
  sync: AccountSync;
  sealedConfig: string | null;
}

export function startEmailSync(ctx: EmailSyncContext, options: EmailSyncOptions = {}): EmailSync {
  const db = ctx.storage.db;
  const refreshMs = options.refreshMs ?? 15_000;
  const leaseMs = options.leaseMs ?? 60_000;
  const holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const logger = ctx.logger.child({ component: 'email-sync' });
  const attachmentStore = ctx.config ? new BlobStore(ctx.config.dataDir) : undefined;
  const running = new Map<string, Running>();
  let stopped = false;
  let ticking: Promise<void> = Promise.resolve();

  const stopOne = async (entranceId: string) => {
    const r = running.get(entranceId);
    if (!r) return;
    running.delete(entranceId);
    await r.sync.stop();
    await releaseSyncLease(db, entranceId, holder).catch(() => {});
  };

  const startOne = async (entrance: Entrance) => {
    let config: EmailConfig | null = null;
    let problem: string | null = null;
    try {
      const raw = openEntranceConfig(ctx.secrets, entrance);
      if (!raw) problem = 'The e-mail entrance has no server settings yet: add the IMAP server, user and password.';
      else if (!Value.Check(EmailConfigSchema, raw)) {
        problem = `The e-mail settings are incomplete: ${[...Value.Errors(EmailConfigSchema, raw)].slice(0, 3).map((e) => `${e.path || '/'} ${e.message}`).join('; ')}.`;
      } else config = raw as EmailConfig;
    } catch (err) {
      problem = `The e-mail settings cannot be read (${(err as Error).message}); was the secret key replaced?`;
    }
    if (!config) {
      // Not started; re-examined when the settings change.
      running.set(entrance.id, { sync: new AccountSync({ db, logger, entrance, config: {} as EmailConfig }), sealedConfig: entrance.config_encrypted });
      // Never configured is "not connected yet", not a broken door; wrong settings are.
      await setEntranceHealth({ db, live: ctx.live }, entrance, entrance.config_encrypted ? 'failing' : 'unknown', problem);
      return;
    }
    const sync = new AccountSync({ db, live: ctx.live, logger, entrance, config, options: options.account, attachmentStore }).start();
    running.set(entrance.id, { sync, sealedConfig: entrance.config_encrypted });
  };

  const tick = async () => {
    if (stopped) return;
    const entrances = await db.selectFrom('entrance').selectAll().where('kind', '=', 'email').where('archived_at', 'is', null).execute();
    const seen = new Set<string>();
    for (const entrance of entrances) {
      if (stopped) return;
      seen.add(entrance.id);
      try {
        const current = running.get(entrance.id);
        if (current && current.sealedConfig !== entrance.config_encrypted) {
          logger.info({ entranceId: entrance.id }, 'e-mail settings changed; restarting the sync');
          await stopOne(entrance.id);
        }
        // Taking and renewing are one call: the lease is ours only while we keep renewing it.
        const mine = await takeSyncLease(db, entrance.id, holder, leaseMs);
        if (!mine) {
          if (running.has(entrance.id)) {
            logger.warn({ entranceId: entrance.id }, 'another node took over this e-mail account');
            await stopOne(entrance.id);
          }
          continue;
        }
        if (!running.has(entrance.id)) await startOne(entrance);
      } catch (err) {
        logger.error({ err, entranceId: entrance.id }, 'could not start or renew an e-mail sync');
      }
    }
    for (const id of [...running.keys()]) if (!seen.has(id)) await stopOne(id);
  };

  const refresh = () => {
    ticking = ticking.then(tick).catch((err) => logger.error({ err }, 'e-mail sync refresh failed'));
    return ticking;
  };
  const timer = setInterval(() => void refresh(), refreshMs);
  timer.unref();
  void refresh();

  return {
    refresh,
    account: (id) => running.get(id)?.sync,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await ticking;
      await Promise.all([...running.keys()].map(stopOne));
    },
  };
}
