import { loadConfig } from '../config.ts';
import { parseOptions, type Command } from './args.ts';
import { withStorage } from './with-storage.ts';

export const migrateCommand: Command = {
  summary: 'apply pending database migrations',
  help: `Usage: portier migrate [--check]

Applies pending migrations to the configured database (SQLite in PORTIER_DATA_DIR, or DATABASE_URL).
"portier start" does this by itself unless PORTIER_MIGRATE_ON_START=false.

Options:
  --check   only list pending migrations; exit 1 when there are some`,
  async run(argv) {
    const { values } = parseOptions('migrate', argv, { check: { type: 'boolean' } });
    const config = loadConfig();
    const { migrateToLatest, pendingMigrations } = await import('../storage/database.ts');
    return withStorage(config, async (storage) => {
      if (values.check) {
        const pending = await pendingMigrations(storage.db);
        console.log(pending.length ? `Pending migrations:\n${pending.map((p) => `  ${p}`).join('\n')}` : 'The database is up to date.');
        return pending.length ? 1 : 0;
      }
      const applied = await migrateToLatest(storage.db);
      console.log(applied.length ? `Applied ${applied.length} migration(s):\n${applied.map((p) => `  ${p}`).join('\n')}` : 'The database is up to date; nothing to apply.');
      return 0;
    });
  },
};
