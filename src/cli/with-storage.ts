// Commands reach the database through here. The drivers (Kysely, better-sqlite3, pg) take about a
// second to load, so they are imported only when a command actually opens the database: `--help`
// and usage errors answer at once.
import type { Config } from '../config.ts';
import type { Storage } from '../storage/database.ts';

export async function withStorage<T>(config: Config, fn: (storage: Storage) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  const { migrateToLatest, openStorage } = await import('../storage/database.ts');
  const storage = await openStorage({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    // Same rule as `portier start`: an administrator running a command on a fresh installation
    // should not have to run `portier migrate` first, unless they turned that off.
    if (options.migrate && config.runMigrations) await migrateToLatest(storage.db);
    return await fn(storage);
  } finally {
    await storage.close();
  }
}
