// Live updates for open web apps. One node: an in-process emitter. Several nodes on PostgreSQL:
// every publish goes through NOTIFY and every node's LISTEN connection hands it to its own
// subscribers — including the publishing node, so each event reaches each subscriber exactly once.
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from 'pino';

export interface LiveEvent {
  type: 'message.created' | 'message.updated' | 'conversation.updated' | 'contact.updated' | 'entrance.updated';
  workspaceId: string;
  conversationId?: string;
  messageId?: string;
  contactId?: string;
  entranceId?: string;
}

export type LiveListener = (event: LiveEvent) => void;

export interface LiveEvents {
  publish(event: LiveEvent): Promise<void>;
  subscribe(workspaceId: string, listener: LiveListener): () => void;
  close(): Promise<void>;
}

const CHANNEL = 'portier_live';

function localHub() {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    emit: (e: LiveEvent) => emitter.emit(e.workspaceId, e),
    subscribe(workspaceId: string, listener: LiveListener) {
      emitter.on(workspaceId, listener);
      return () => void emitter.off(workspaceId, listener);
    },
  };
}

export function createInProcessLiveEvents(): LiveEvents {
  const hub = localHub();
  return {
    publish: async (e) => void hub.emit(e),
    subscribe: hub.subscribe,
    close: async () => {},
  };
}

export async function createPostgresLiveEvents(databaseUrl: string, logger: Logger): Promise<LiveEvents> {
  const hub = localHub();
  const publisher = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  publisher.on('error', (err) => logger.warn({ err }, 'an idle live events connection failed'));
  let listener: pg.Client | null = null;
  let closed = false;

  const connect = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: databaseUrl });
    client.on('notification', (n) => {
      if (n.channel !== CHANNEL || !n.payload) return;
      try {
        hub.emit(JSON.parse(n.payload) as LiveEvent);
      } catch (err) {
        logger.warn({ err }, 'ignored a malformed live event');
      }
    });
    // A lost LISTEN connection means silent, stale screens: reconnect with a short backoff.
    client.on('error', (err) => logger.warn({ err }, 'live events connection failed; reconnecting'));
    client.on('end', () => {
      if (!closed) setTimeout(() => void connect().catch((err) => logger.error({ err }, 'live events reconnect failed')), 1000).unref();
    });
    await client.connect();
    await client.query(`listen ${CHANNEL}`);
    listener = client;
  };
  await connect();

  return {
    async publish(e) {
      await publisher.query('select pg_notify($1, $2)', [CHANNEL, JSON.stringify(e)]);
    },
    subscribe: hub.subscribe,
    async close() {
      closed = true;
      await listener?.end().catch(() => {});
      await publisher.end();
    },
  };
}
