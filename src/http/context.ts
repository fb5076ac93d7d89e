import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Storage } from '../storage/database.ts';
import type { SecretBox } from '../security/secret-box.ts';
import type { JobQueue } from '../jobs/index.ts';
import type { LiveEvents } from '../events/live-events.ts';

/** What the HTTP layer needs from the running process; built once in server.ts (or by tests). */
export interface AppContext {
  config: Config;
  storage: Storage;
  logger: Logger;
  secrets: SecretBox;
  jobs: JobQueue;
  live: LiveEvents;
}
